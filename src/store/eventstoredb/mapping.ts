import {
  ANY,
  NO_STREAM,
  STREAM_EXISTS,
  jsonEvent,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type EventData,
  type JSONType,
  type ResolvedEvent,
} from '@eventstore/db-client';
import type { EventMetadata } from '../../events/envelope.js';
import type { ExpectedRevision, NewEvent, RecordedEvent } from '../event-store.js';
import { encodePosition, isKnownPosition, type EsdbPosition } from './positions.js';

type AnyResolvedEvent = ResolvedEvent | AllStreamResolvedEvent;

/** A record the adapter cannot represent faithfully; never retried (see client-errors.ts). */
export class UnmappableRecordError extends Error {}

export const toClientExpectedRevision = (expected: ExpectedRevision): AppendExpectedRevision => {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'exists':
      return STREAM_EXISTS;
    default:
      return BigInt(expected);
  }
};

/** Stream revisions are u64 on the wire and JS numbers in our interface: refuse to round. */
export const toRevisionNumber = (revision: bigint): number => {
  if (revision < 0n || revision > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new UnmappableRecordError(`stream revision ${revision} does not fit in a JS number`);
  }
  return Number(revision);
};

/**
 * Our events always go out as JSON with our own id. The client `JSON.stringify`s data and metadata
 * (so a bigint in them throws there); `undefined` data, which JSON cannot carry, is written as `null`.
 */
export const toEventData = (event: NewEvent): EventData =>
  jsonEvent({
    id: event.id,
    type: event.type,
    data: (event.data === undefined ? null : event.data) as JSONType,
    metadata: event.metadata,
  });

/** System events (`$…` types) and links are not part of our global order (design §3). */
export const isUserEvent = (resolved: AnyResolvedEvent): boolean =>
  resolved.link === undefined && resolved.event !== undefined && !resolved.event.type.startsWith('$');

/**
 * The event's own `$all` position. Servers ≥ 22.6 send it with every read event. Otherwise the record's
 * commit position is used with `prepare = commit`, which is exact for events of an ordinary append (an
 * implicit transaction: the server reports each such event at `(logPosition, logPosition)` in `$all`).
 */
export const eventPosition = (resolved: AnyResolvedEvent): EsdbPosition => {
  const own = resolved.event?.position;
  // (0, 0) is what an unset proto3 field decodes to; no event of a user stream is ever stored there.
  if (isKnownPosition(own) && (own.commit !== 0n || own.prepare !== 0n)) return own;
  if (resolved.commitPosition !== undefined) return { commit: resolved.commitPosition, prepare: resolved.commitPosition };
  if (isKnownPosition(own)) return own;
  throw new UnmappableRecordError(
    `event ${resolved.event?.id ?? '?'} came without a position (EventStoreDB servers before 22.6 are not supported)`,
  );
};

/** The client parses JSON events itself; a binary payload (not written by us) is decoded if it is JSON. */
const fromPayload = (payload: unknown): unknown => {
  if (!(payload instanceof Uint8Array)) return payload;
  const text = Buffer.from(payload).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
};

export const toRecordedEvent = (resolved: AnyResolvedEvent): RecordedEvent => {
  const event = resolved.event;
  if (event === undefined) throw new UnmappableRecordError('a read returned a link without its event');
  return {
    id: event.id,
    type: event.type,
    stream: event.streamId,
    revision: toRevisionNumber(event.revision),
    data: fromPayload(event.data),
    metadata: fromPayload(event.metadata) as EventMetadata,
    position: encodePosition(eventPosition(resolved)),
  };
};

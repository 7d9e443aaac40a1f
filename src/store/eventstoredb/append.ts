import type { AppendResult as ClientAppendResult, EventStoreDBClient } from '@eventstore/db-client';
import { ConcurrencyConflictError, DuplicateEventError } from '../../errors.js';
import type { AppendResult, ExpectedRevision, NewEvent, Position } from '../event-store.js';
import { validateAppend } from '../validate-append.js';
import { toAppendError } from './client-errors.js';
import { collect } from './collect.js';
import { eventPosition, toClientExpectedRevision, toEventData, toRevisionNumber } from './mapping.js';
import { encodePosition, isKnownPosition } from './positions.js';

/**
 * Appends one batch, atomically (one `appendToStream` call is one implicit transaction on the server).
 *
 * Positions: the server answers with the stream's new revision and one position (the commit, for the
 * batch) but not a position per event, and answers an idempotent retry (same ids at the same revisions)
 * with no position at all on some versions. So the just-written revisions are read back (one small read
 * of `events.length` events) and each event gets its exact `$all` position. If that read fails or comes
 * back without positions, every event gets the batch's commit position instead: the last event's is then
 * exact and the earlier ones' are an upper bound, never earlier than the event itself.
 */
export const appendToStream = async (
  client: EventStoreDBClient,
  stream: string,
  events: readonly NewEvent[],
  expected: ExpectedRevision,
): Promise<AppendResult> => {
  validateAppend(stream, events, expected);
  let result: ClientAppendResult;
  try {
    result = await client.appendToStream(stream, events.map(toEventData), {
      expectedRevision: toClientExpectedRevision(expected),
    });
  } catch (error) {
    throw toAppendError(error, stream, expected);
  }
  if (!result.success) {
    // Only with `throwOnAppendFailure=false` in the connection string; the client then resolves instead of throwing.
    const current = result.nextExpectedRevision;
    throw new ConcurrencyConflictError(stream, String(expected), current >= 0n ? toRevisionNumber(current) : null);
  }

  const nextRevision = toRevisionNumber(result.nextExpectedRevision);
  const firstRevision = nextRevision - events.length + 1;
  const positions = await readBackPositions(client, stream, events, firstRevision);
  const fallback = isKnownPosition(result.position) ? encodePosition(result.position) : undefined;
  const positionOf = (i: number): Position => {
    const position = positions?.[i] ?? fallback;
    if (position === undefined) throw new Error(`append to ${stream} succeeded but the server reported no position for it`);
    return position;
  };
  return {
    stream,
    nextRevision,
    position: positionOf(events.length - 1),
    events: events.map((event, i) => ({ id: event.id, revision: firstRevision + i, position: positionOf(i) })),
  };
};

/**
 * The exact positions of the events just stored at `firstRevision…`, or undefined when they cannot be read.
 * Ids that differ from ours mean the server matched the batch to other events (it acknowledged an
 * "idempotent" write that is not ours): that is refused rather than reported as our receipt.
 */
const readBackPositions = async (
  client: EventStoreDBClient,
  stream: string,
  events: readonly NewEvent[],
  firstRevision: number,
): Promise<Position[] | undefined> => {
  let stored;
  try {
    stored = await collect(client.readStream(stream, { fromRevision: BigInt(firstRevision), maxCount: events.length }));
  } catch {
    return undefined;
  }
  if (stored.length !== events.length) return undefined;
  const positions: Position[] = [];
  for (const [i, resolved] of stored.entries()) {
    const id = resolved.event?.id;
    if (id !== events[i]!.id) {
      throw new DuplicateEventError(events[i]!.id, `the store acknowledged revision ${firstRevision + i} of ${stream}, which holds event ${id ?? '?'}`);
    }
    try {
      positions.push(encodePosition(eventPosition(resolved)));
    } catch {
      return undefined;
    }
  }
  return positions;
};

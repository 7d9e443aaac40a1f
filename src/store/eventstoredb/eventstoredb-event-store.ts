import { EventStoreDBClient, FORWARDS } from '@eventstore/db-client';
import type { AppendResult, EventStore, ExpectedRevision, FollowOptions, NewEvent, ReadAllOptions, ReadStreamOptions, RecordedEvent } from '../event-store.js';
import { appendToStream } from './append.js';
import { isStreamNotFound } from './client-errors.js';
import { collect } from './collect.js';
import { followAll } from './follow.js';
import { toRecordedEvent } from './mapping.js';
import { decodePosition } from './positions.js';
import { readAllAfter } from './read-all.js';

export interface EventStoreDbStoreOptions {
  /** `esdb://host:2113?tls=false` and the client's other connection-string settings. */
  connectionString: string;
  /** Told about each follow failure that is about to be retried (connection lost, subscription dropped). */
  onFollowRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

const DEFAULT_PAGE = 1000;

const checkCount = (name: string, value: number): number => {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  return value;
};

/**
 * The EventStoreDB / KurrentDB adapter (design §3) over `@eventstore/db-client`. Our global order is `$all`
 * without system events; positions are `"<commit>/<prepare>"`. Event ids are ours, so the server's own
 * dedup by id applies (reliably only with a specific expected revision; the service keeps its own
 * idempotency record). Unlike the sqlite adapter it cannot tell that an id was already used in another
 * stream, so it never raises `DuplicateEventError` for that.
 */
export const createEventStoreDbStore = (options: EventStoreDbStoreOptions): EventStore => {
  const client = EventStoreDBClient.connectionString(options.connectionString);
  const closing = new AbortController();
  const inFlight = new Set<Promise<unknown>>();
  let closed = false;

  const assertOpen = () => {
    if (closed) throw new Error('the eventstoredb event store is closed');
  };

  const track = <T>(work: Promise<T>): Promise<T> => {
    inFlight.add(work);
    const forget = () => inFlight.delete(work);
    work.then(forget, forget);
    return work;
  };

  return {
    kind: 'eventstoredb',

    async append(stream: string, events: readonly NewEvent[], appendOptions?: { expectedRevision?: ExpectedRevision }): Promise<AppendResult> {
      assertOpen();
      return track(appendToStream(client, stream, events, appendOptions?.expectedRevision ?? 'any'));
    },

    async readStream(stream: string, readOptions: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
      assertOpen();
      const fromRevision = checkCount('fromRevision', readOptions.fromRevision ?? 0);
      const maxCount = checkCount('maxCount', readOptions.maxCount ?? Number.MAX_SAFE_INTEGER);
      if (maxCount === 0) return [];
      try {
        const read = client.readStream(stream, { fromRevision: BigInt(fromRevision), maxCount, direction: FORWARDS, resolveLinkTos: false });
        return (await collect(read)).map(toRecordedEvent);
      } catch (error) {
        if (isStreamNotFound(error)) return [];
        throw error;
      }
    },

    async readAll(readOptions: ReadAllOptions = {}): Promise<RecordedEvent[]> {
      assertOpen();
      const maxCount = checkCount('maxCount', readOptions.maxCount ?? DEFAULT_PAGE);
      if (maxCount === 0) return [];
      const after = readOptions.after === undefined ? undefined : decodePosition(readOptions.after);
      return readAllAfter(client, { after, maxCount, signal: closing.signal });
    },

    async *follow(followOptions: FollowOptions = {}): AsyncGenerator<RecordedEvent[]> {
      assertOpen();
      const batchSize = followOptions.batchSize ?? DEFAULT_PAGE;
      if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
      const after = followOptions.after === undefined ? undefined : decodePosition(followOptions.after);
      const signal = followOptions.signal ? AbortSignal.any([followOptions.signal, closing.signal]) : closing.signal;
      yield* followAll(client, { after, batchSize, signal, onRetry: options.onFollowRetry });
    },

    /** Stops every follow, lets appends already sent finish, then closes the client's streams. */
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      closing.abort();
      await Promise.allSettled([...inFlight]);
      await client.dispose();
    },
  };
};

import { FORWARDS, START, type EventStoreDBClient } from '@eventstore/db-client';
import type { RecordedEvent } from '../event-store.js';
import { collect } from './collect.js';
import { eventPosition, isUserEvent, toRecordedEvent } from './mapping.js';
import { isAfter, type EsdbPosition } from './positions.js';

/** Raw events per `readAll` call: enough to step over runs of system events without many round trips. */
const MIN_PAGE = 100;
const MAX_PAGE = 4096;

export interface ReadAllAfterOptions {
  /** Exclusive; undefined = from the start of `$all`. */
  after: EsdbPosition | undefined;
  maxCount: number;
  signal?: AbortSignal;
}

/**
 * Up to `maxCount` events of our global order after `after`: `$all` forwards without system events and
 * links. The client's `readAll` has no server-side filter and its `fromPosition` is inclusive, so this pages
 * through raw `$all`, skips what is not ours and everything at or before the last position seen, and reads
 * on until it has `maxCount` events or reaches the end of `$all`.
 */
export const readAllAfter = async (client: EventStoreDBClient, options: ReadAllAfterOptions): Promise<RecordedEvent[]> => {
  const events: RecordedEvent[] = [];
  let cursor = options.after;
  while (events.length < options.maxCount) {
    // +1: when reading from a position, the event at that position comes back first.
    const pageSize = Math.min(Math.max(options.maxCount - events.length + 1, MIN_PAGE), MAX_PAGE);
    const page = await collect(
      client.readAll({ fromPosition: cursor ?? START, direction: FORWARDS, maxCount: pageSize, resolveLinkTos: false }),
      options.signal,
    );
    if (options.signal?.aborted) return events;
    for (const resolved of page) {
      const position = eventPosition(resolved);
      if (!isAfter(position, cursor)) continue;
      cursor = position;
      if (isUserEvent(resolved)) events.push(toRecordedEvent(resolved));
      if (events.length === options.maxCount) return events;
    }
    if (page.length < pageSize) break; // end of $all
  }
  return events;
};

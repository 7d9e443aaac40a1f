import { setTimeout as sleep } from 'node:timers/promises';
import type { EventStoreDBClient } from '@eventstore/db-client';
import type { RecordedEvent } from '../event-store.js';
import { isRetryable } from './client-errors.js';
import { liveBatches } from './live.js';
import { decodePosition, type EsdbPosition } from './positions.js';
import { readAllAfter } from './read-all.js';

export interface FollowAllOptions {
  /** Exclusive start; undefined = the start of `$all`. */
  after: EsdbPosition | undefined;
  batchSize: number;
  signal: AbortSignal;
  /** Told about each failure that is about to be retried (for logs); never throws into the follow. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

const BASE_DELAY_MS = 100;
const MAX_DELAY_MS = 5_000;

/** Exponential backoff, capped, with jitter over its upper half (so instances do not retry in step). */
const backoff = (attempt: number): number => {
  const cap = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.min(attempt, 16));
  return Math.round(cap / 2 + (Math.random() * cap) / 2);
};

/**
 * Catch-up then live over our global order. Catch-up reads `readAll` pages of `batchSize` until a page
 * comes back short; live is a `$all` subscription from the last position yielded. Every batch moves `last`
 * forward and every read starts strictly after it, so a resubscription neither repeats nor skips an event.
 * On a failure that can pass (connection lost, subscription dropped or ended by the server), it waits with
 * backoff and starts over from `last` (catch-up first, so a long outage is read back in pages).
 */
export async function* followAll(client: EventStoreDBClient, options: FollowAllOptions): AsyncGenerator<RecordedEvent[]> {
  const { batchSize, signal } = options;
  let last = options.after;
  let failures = 0;
  while (!signal.aborted) {
    try {
      for (;;) {
        const page = await readAllAfter(client, { after: last, maxCount: batchSize, signal });
        if (signal.aborted) return;
        if (page.length > 0) {
          last = decodePosition(page[page.length - 1]!.position);
          failures = 0;
          yield page;
        }
        if (page.length < batchSize) break;
      }
      for await (const batch of liveBatches(client, last, batchSize, signal)) {
        last = decodePosition(batch[batch.length - 1]!.position);
        failures = 0;
        yield batch;
      }
      return; // liveBatches only returns once signal aborted
    } catch (error) {
      if (signal.aborted) return;
      if (!isRetryable(error)) throw error;
      const delayMs = backoff(failures);
      failures += 1;
      try {
        options.onRetry?.(error, failures, delayMs);
      } catch {
        // a logging hook must not stop the follow
      }
      await sleep(delayMs, undefined, { signal }).catch(() => undefined);
    }
  }
}

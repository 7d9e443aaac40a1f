import { START, excludeSystemEvents, type AllStreamResolvedEvent, type EventStoreDBClient } from '@eventstore/db-client';
import type { RecordedEvent } from '../event-store.js';
import { eventPosition, isUserEvent, toRecordedEvent } from './mapping.js';
import { isAfter, type EsdbPosition } from './positions.js';

/** The server closed the subscription without an error (e.g. it is shutting down): resubscribe. */
export class SubscriptionEndedError extends Error {
  constructor() {
    super('the $all subscription ended');
  }
}

/**
 * Live batches from a `$all` subscription that starts after `after` (the client's `fromPosition` is
 * exclusive there; undefined = from the start). System events are filtered by the server
 * (`excludeSystemEvents`) and again here, with links; anything at or before the last position seen is dropped.
 *
 * Events are taken with `read()` from the subscription's buffer, so the ones that arrived together form one
 * batch (up to `batchSize`), and a consumer that is slow leaves them in the buffer: past `highWaterMark` the
 * client stops reading from gRPC, which is the backpressure the server expects (it may drop a subscriber that
 * falls too far behind; the caller then resubscribes).
 *
 * Never returns while live: it throws when the subscription fails or ends (the client does not
 * resubscribe by itself) and returns when `signal` aborts. Leaving, by any path, cancels the subscription.
 */
export async function* liveBatches(
  client: EventStoreDBClient,
  after: EsdbPosition | undefined,
  batchSize: number,
  signal: AbortSignal,
): AsyncGenerator<RecordedEvent[]> {
  if (signal.aborted) return;
  const subscription = client.subscribeToAll(
    { fromPosition: after ?? START, filter: excludeSystemEvents(), resolveLinkTos: false },
    { highWaterMark: Math.max(batchSize, 16) },
  );
  let failure: unknown;
  let ended = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    void subscription.unsubscribe().catch(() => undefined);
    subscription.destroy();
    notify();
  };
  // Listeners go on before the first turn of the event loop: the client emits 'error' asynchronously.
  subscription.on('error', (error: Error) => {
    failure ??= error;
    notify();
  });
  subscription.on('end', () => {
    ended = true;
    notify();
  });
  subscription.on('readable', notify);
  signal.addEventListener('abort', stop, { once: true });

  let last = after;
  try {
    while (!signal.aborted) {
      if (failure !== undefined) throw failure;
      const batch: RecordedEvent[] = [];
      let resolved: AllStreamResolvedEvent | null;
      while (batch.length < batchSize && (resolved = subscription.read() as AllStreamResolvedEvent | null) !== null) {
        if (!isUserEvent(resolved)) continue;
        const position = eventPosition(resolved);
        if (!isAfter(position, last)) continue;
        last = position;
        batch.push(toRecordedEvent(resolved));
      }
      if (batch.length > 0) {
        yield batch;
        continue;
      }
      if (ended) throw new SubscriptionEndedError();
      // Nothing buffered: read() returning null arms 'readable'; 'error', 'end' and abort also wake us.
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    signal.removeEventListener('abort', stop);
    stop();
  }
}

import { setTimeout as sleep } from 'node:timers/promises';
import type { FeedItem } from '../feed-item.js';
import type { FeedReader } from '../feed-reader.js';
import type { CheckpointItem, Enqueued } from './delivery-queue.js';
import type { Subscription, SubscriptionRegistry } from './subscription-registry.js';

export interface OutboxLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface OutboxOptions {
  registry: SubscriptionRegistry;
  reader: FeedReader;
  /**
   * Enqueues deliveries (BullMQ) and records the cursors beside the queue; may fail while Redis is down, and is
   * then retried with the same job ids.
   */
  enqueue(work: Enqueued): Promise<void>;
  /** The newest signed checkpoint of at most `size` leaves, as a feed item (absent: no checkpoint deliveries). */
  checkpointWithin?(size: number): CheckpointItem | undefined;
  /** Where enqueueing got for a subscription, as the queue's side knows it (another instance, or before a rebuild). */
  queuedCursor?(subscription: Subscription): Promise<number | undefined>;
  /** The same for its checkpoints: the largest tree size enqueued. */
  queuedCheckpointCursor?(subscription: Subscription): Promise<number | undefined>;
  logger?: OutboxLogger;
  pageSize?: number;
  /** Upper bound of the wait between attempts while the queue is unreachable. */
  maxBackoffMs?: number;
}

/** Whether an event goes to a subscription: its initiative, and a type its `types` select. */
export const matches = (subscription: Subscription, item: FeedItem): boolean =>
  subscription.initiativeId === item.initiativeId && (subscription.selects.types === undefined || subscription.selects.types.has(item.type));

/**
 * The log is the outbox (design §8): Redis is never in the write path. Writes are acknowledged once the store has
 * them; this loop, behind the follower, reads the log from each active subscription's cursor and enqueues a
 * delivery per matching event, then saves the cursors. While Redis is down the cursors simply stop; when it is back
 * the same pages are enqueued again with the same job ids, so nothing is dropped and nothing is doubled.
 */
export const createOutbox = (options: OutboxOptions) => {
  const pageSize = options.pageSize ?? 1000;
  const maxBackoffMs = options.maxBackoffMs ?? 5000;
  let wake: (() => void) | undefined;
  let pokes = 0;
  let controller: AbortController | undefined;
  let running: Promise<void> | undefined;
  let idle: Array<() => void> = [];

  const poke = (): void => {
    pokes++;
    wake?.();
  };
  options.registry.onChange(poke);

  const waitForWork = (signal: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      const done = () => {
        wake = undefined;
        signal.removeEventListener('abort', done);
        resolve();
      };
      if (signal.aborted) return resolve();
      wake = done;
      signal.addEventListener('abort', done, { once: true });
    });

  /**
   * This instance's cursor; without one (a new subscription, epoch or instance, or a rebuilt local state) the
   * queue's, else the subscription's start: never re-enqueue what some instance already enqueued.
   */
  const cursorOf = async (subscription: Subscription): Promise<number> => {
    const local = options.registry.cursor(subscription);
    if (local !== undefined) return local;
    const queued = await options.queuedCursor?.(subscription);
    return Math.max(subscription.resumeAfter, queued ?? -1);
  };

  /**
   * The largest checkpoint already enqueued for a subscription: this instance's word, else the queue's (a new or
   * rebuilt instance whose log is still catching up must not offer the older checkpoints it signs on the way), else
   * its start.
   */
  const checkpointCursorOf = async (subscription: Subscription): Promise<number> => {
    const local = options.registry.checkpointCursor(subscription);
    if (local !== undefined) return local;
    const queued = await options.queuedCheckpointCursor?.(subscription);
    return Math.max(subscription.resumeAfter + 1, queued ?? 0);
  };

  /**
   * The newest checkpoint each checkpoint subscriber may be sent now — one covering only events already enqueued for
   * it (`through`), larger than the last one enqueued for it — so a subscriber that fell behind gets the newest, not
   * each one in between (a consistency proof links any two).
   */
  const checkpointsFor = async (at: ReadonlyArray<{ subscription: Subscription; through: number }>) => {
    const due: Array<{ subscription: Subscription; checkpoint: CheckpointItem }> = [];
    const within = new Map<number, CheckpointItem | undefined>();
    for (const { subscription, through } of at) {
      if (!options.checkpointWithin || !subscription.selects.checkpoints) continue;
      if (!within.has(through)) within.set(through, options.checkpointWithin(through + 1));
      const checkpoint = within.get(through);
      if (checkpoint && checkpoint.size > (await checkpointCursorOf(subscription))) due.push({ subscription, checkpoint });
    }
    return due;
  };

  /**
   * One page for the subscriptions furthest behind, and the checkpoints then due; false when every active
   * subscription is caught up.
   */
  const step = async (): Promise<boolean> => {
    const subscriptions = options.registry.active();
    const at = await Promise.all(subscriptions.map(async (subscription) => ({ subscription, cursor: await cursorOf(subscription) })));
    if (at.length === 0) return false;
    const from = Math.min(...at.map((a) => a.cursor));
    const page = await options.reader.after(from, pageSize);
    const events: Array<{ subscription: Subscription; item: FeedItem }> = [];
    for (const item of page.items) {
      for (const { subscription, cursor } of at) if (cursor < item.seq && matches(subscription, item)) events.push({ subscription, item });
    }
    const cursors = at.filter((a) => a.cursor < page.through).map((a) => ({ subscription: a.subscription, through: page.through }));
    // Checkpoints once this page reached the head of the log: a subscriber catching up gets the newest, not one per page.
    const reachedHead = page.through - from < pageSize;
    const checkpoints = reachedHead ? await checkpointsFor(at.map((a) => ({ subscription: a.subscription, through: Math.max(a.cursor, page.through) }))) : [];
    if (cursors.length === 0 && checkpoints.length === 0) return false;
    await options.enqueue({ events, checkpoints, cursors });
    options.registry.advance(
      cursors,
      checkpoints.map(({ subscription, checkpoint }) => ({ subscription, size: checkpoint.size })),
    );
    return true;
  };

  const run = async (signal: AbortSignal): Promise<void> => {
    let backoffMs = 100;
    let failing = false;
    while (!signal.aborted) {
      const pokesBefore = pokes;
      try {
        const more = await step();
        if (failing) options.logger?.info({}, 'webhook queue reachable again; enqueueing resumed');
        failing = false;
        backoffMs = 100;
        if (more) continue;
        for (const resolve of idle) resolve();
        idle = [];
        if (pokes === pokesBefore) await waitForWork(signal);
      } catch (error) {
        if (signal.aborted) return;
        if (!failing) options.logger?.warn({ err: error }, 'cannot enqueue webhook deliveries (is Redis down?); writes go on, retrying');
        failing = true;
        await sleep(backoffMs, undefined, { signal }).catch(() => undefined);
        backoffMs = Math.min(backoffMs * 2, maxBackoffMs);
      }
    }
  };

  return {
    /** Called whenever the follower applied events: there may be work. */
    poke,
    start(): void {
      if (running) return;
      controller = new AbortController();
      running = run(controller.signal);
    },
    async stop(): Promise<void> {
      controller?.abort();
      await running;
      running = undefined;
    },
    /** Resolves the next time every active subscription is caught up with the follower (tests, shutdown). */
    drained(): Promise<void> {
      return new Promise((resolve) => {
        idle.push(resolve);
        poke();
      });
    },
  };
};
export type Outbox = ReturnType<typeof createOutbox>;

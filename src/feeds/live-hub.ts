import type { Consumer } from '../follower/consumer.js';
import type { StoredCheckpoint } from '../transparency/checkpointer.js';
import { checkpointCloudEvent } from './cloudevents.js';
import { toFeedItem, type InitiativeOfEvent } from './feed-item.js';
import { sseFrame } from './sse-frame.js';

/** A feed item as the live stream sends it: what filters look at, and its SSE message, framed once for every client. */
export interface LiveItem {
  seq: number;
  /** The catalog type (`ReadingRecorded`). */
  type: string;
  initiativeId: string;
  /** `id: <seq>` and `data: <CloudEvent JSON>`. */
  frame: Buffer;
}

/** A signed checkpoint as a live item: `event: checkpoint`, no `id:` (it never moves a client's resume point). */
export interface LiveCheckpoint {
  /** Position among the checkpoints this hub has seen (1, 2, …). */
  n: number;
  /** The last seq the checkpoint covers (tree size − 1): it is sent once a client has passed it. */
  seq: number;
  frame: Buffer;
}

export interface LiveHubOptions {
  initiativeOf: InitiativeOfEvent;
  /** The transparency log's origin, for checkpoint items. */
  origin: string;
  /** The deployment's `PUBLIC_URL`: the origin of every item's CloudEvents `source`. */
  publicUrl: string;
  /** At most this many recent events are kept (every seq counts, also the ones no feed carries)… */
  capacity?: number;
  /** …and at most this many bytes of framed items. */
  maxBytes?: number;
  /** Waiting clients are woken at most once per this many milliseconds (a burst of events is one wake-up). */
  coalesceMs?: number;
  /** How many recent checkpoints are kept for clients that are still catching up to them. */
  checkpointCapacity?: number;
}

/** One client's registration: wait for the next wake-up, end to deregister (the hub then holds nothing of it). */
export interface LiveSubscription {
  /** The last checkpoint made before the client connected: only later ones are sent to it. */
  readonly checkpointsSeen: number;
  /** Resolves at the next wake-up after new events or a checkpoint, or when the subscription ends. */
  wait(): Promise<void>;
  end(): void;
}

/**
 * The live side of the feed: a follower consumer (no `resumeAfter`: it starts at the follower's head) that frames
 * each applied event once, keeps a bounded ring of recent ones, and wakes waiting clients, coalesced, so a thousand
 * clients at hundreds of events per second cost one wake-up each per interval instead of one per event. Clients
 * catch up from the ring when it still holds what they need, from the store (the feed reader) otherwise.
 */
export const createLiveHub = (options: LiveHubOptions) => {
  const capacity = options.capacity ?? 8192;
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  const coalesceMs = options.coalesceMs ?? 50;
  const checkpointCapacity = options.checkpointCapacity ?? 64;

  // The ring: one slot per seq from `first` to `last` (null for events no feed carries), oldest evicted first.
  const slots = new Array<LiveItem | null>(capacity).fill(null);
  let first = 0;
  let last = -1;
  let bytes = 0;
  let started = false;

  const checkpoints: LiveCheckpoint[] = [];
  let checkpointCount = 0;

  // Pages built for one client and reused by every other client asking the same (same point, same filter): valid
  // until the hub changes (a new event or checkpoint), so cleared then.
  const shared = new Map<string, unknown>();

  const waiters = new Set<() => void>();
  const subscriptions = new Set<LiveSubscription>();
  let timer: NodeJS.Timeout | undefined;
  let lastWake = 0;

  const wakeAll = () => {
    timer = undefined;
    lastWake = performance.now();
    const woken = [...waiters];
    waiters.clear();
    for (const resolve of woken) resolve();
  };
  /** The first wake-up after a quiet spell is immediate; later ones wait out the interval (throttle, not debounce). */
  const scheduleWake = () => {
    if (timer || waiters.size === 0) return;
    timer = setTimeout(wakeAll, Math.max(0, lastWake + coalesceMs - performance.now()));
    timer.unref();
  };

  const evictOldest = () => {
    const slot = first % capacity;
    bytes -= slots[slot]?.frame.length ?? 0;
    slots[slot] = null;
    first += 1;
  };

  const push = (seq: number, item: LiveItem | null) => {
    if (seq !== last + 1) {
      // Not the next seq (cannot happen with one follower): start the ring over rather than leave a hole in it.
      while (first <= last) evictOldest();
      first = seq;
    }
    if (seq - first + 1 > capacity) evictOldest();
    slots[seq % capacity] = item;
    bytes += item?.frame.length ?? 0;
    last = seq;
    while (bytes > maxBytes && first < last) evictOldest();
  };

  const consumer: Consumer = {
    name: 'feeds',
    apply(events) {
      if (subscriptions.size === 0) {
        // Nobody is connected: keep only the position, frame nothing (this runs for every write). A client that
        // connects later finds the ring starting after this batch and reads these events from the store.
        while (first <= last) evictOldest();
        last = events[events.length - 1]!.seq;
        first = last + 1;
        started = true;
        shared.clear();
        return;
      }
      for (const event of events) {
        const item = toFeedItem(event, options.initiativeOf, options.publicUrl);
        push(event.seq, item ? { seq: item.seq, type: item.type, initiativeId: item.initiativeId, frame: sseFrame({ id: String(item.seq), data: item.json }) } : null);
      }
      started = true;
      shared.clear();
      scheduleWake();
    },
  };

  return {
    consumer,

    /**
     * Where the live stream starts: the follower's head before it runs (the hub gets only events after it). Call
     * once, between creating the follower and starting it.
     */
    startAfter(seq: number): void {
      if (started) return;
      first = seq + 1;
      last = seq;
    },

    /** The last seq the hub has applied (so the directory and every earlier consumer have applied it too). */
    head: (): number => last,

    /**
     * Items after `cursor`, at most `maxCount` seqs of them, when the ring still holds `cursor + 1`; `undefined`
     * when it does not (the client reads the store instead). `through` is the last seq the page covered.
     */
    after(cursor: number, maxCount: number): { items: LiveItem[]; through: number } | undefined {
      if (cursor + 1 < first) return undefined;
      const through = Math.min(last, cursor + maxCount);
      const items: LiveItem[] = [];
      for (let seq = cursor + 1; seq <= through; seq++) {
        const item = slots[seq % capacity];
        if (item) items.push(item);
      }
      return { items, through: Math.max(cursor, through) };
    },

    /** Told by the checkpointer about each checkpoint it signs (the transparency log's `onCheckpoint`). */
    checkpoint(checkpoint: StoredCheckpoint): void {
      const ce = checkpointCloudEvent(checkpoint, options.origin, options.publicUrl);
      checkpointCount += 1;
      checkpoints.push({ n: checkpointCount, seq: ce.seq, frame: sseFrame({ event: 'checkpoint', data: JSON.stringify(ce) }) });
      if (checkpoints.length > checkpointCapacity) checkpoints.shift();
      shared.clear();
      scheduleWake();
    },

    /**
     * `build()`, or what it answered for the same `key` since the hub last changed: for what every client at the
     * same point with the same filter is sent, so a thousand caught-up clients cost one page, not a thousand.
     */
    shared<T>(key: string, build: () => T): T {
      if (shared.has(key)) return shared.get(key) as T;
      const value = build();
      if (shared.size >= 1024) shared.clear();
      shared.set(key, value);
      return value;
    },

    /** Checkpoints after the `n`-th still kept, oldest first. */
    checkpointsAfter: (n: number): readonly LiveCheckpoint[] => (n >= checkpointCount ? [] : checkpoints.filter((c) => c.n > n)),

    subscribe(): LiveSubscription {
      let pending: (() => void) | undefined;
      let ended = false;
      const subscription: LiveSubscription = {
        checkpointsSeen: checkpointCount,
        wait: () =>
          ended
            ? Promise.resolve()
            : new Promise<void>((resolve) => {
                pending = resolve;
                waiters.add(resolve);
              }),
        end() {
          ended = true;
          subscriptions.delete(subscription);
          if (pending) {
            waiters.delete(pending);
            pending();
            pending = undefined;
          }
        },
      };
      subscriptions.add(subscription);
      return subscription;
    },

    /** How many clients are connected, and how many are waiting for a wake-up. */
    clients: () => ({ connected: subscriptions.size, waiting: waiters.size }),
  };
};
export type LiveHub = ReturnType<typeof createLiveHub>;

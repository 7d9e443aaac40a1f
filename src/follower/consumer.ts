import type { RecordedEvent } from '../store/event-store.js';

/** An event with its place in the one global order every downstream part shares (design §4). */
export interface SequencedEvent extends RecordedEvent {
  seq: number;
}

/**
 * Anything downstream of the follower: projections, the transparency log, feeds. Consumers are
 * handed batches in `seq` order, each event exactly once per process lifetime.
 */
export interface Consumer {
  readonly name: string;
  /**
   * The last seq this consumer has durably applied (-1 for none). When it is behind the follower on
   * start, the follower replays the missing range to it first. Omit it for consumers that only
   * want what happens from now on (a live stream).
   */
  resumeAfter?(): number | Promise<number>;
  apply(events: readonly SequencedEvent[]): void | Promise<void>;
  /**
   * Whether `apply` uses the canonical payload text a store may attach to the events it hands out
   * (canonical/stored-text.ts: the transparency log builds its leaves from it). The follower asks the store for that
   * text only when a consumer says so: attaching it costs a weak-map entry per event, a fifth of reading a page, which a
   * rebuild of the projections alone need not pay.
   */
  readonly readsCanonicalText?: boolean;
  /**
   * For a consumer whose `apply` may return before what it applied is durable (work still in flight on another
   * thread): resolves once it is. The follower waits for it when it stops.
   */
  settled?(): Promise<void>;
}

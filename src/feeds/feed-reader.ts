import type { SeqIndex } from '../follower/local-state.js';
import type { SequencedEvent } from '../follower/consumer.js';
import type { EventStore } from '../store/event-store.js';
import { toFeedItem, type FeedItem, type InitiativeOfEvent } from './feed-item.js';

export interface FeedReaderOptions {
  store: EventStore;
  seqIndex: SeqIndex;
  initiativeOf: InitiativeOfEvent;
  /** The deployment's `PUBLIC_URL`: the origin of every item's CloudEvents `source`. */
  publicUrl: string;
  /** The follower's head: nothing past it is read (the seq index and the directory know it only up to there). */
  head: () => number;
}

export interface FeedPage {
  items: FeedItem[];
  /** The last seq this page covered (items are only the feed-visible events up to it); `after` when empty. */
  through: number;
}

/**
 * Reads the feed from any point of the log: events after `after` (a seq) up to the follower's head, by seq →
 * position from the follower's index, then one page of the store's global order. The log is the feed's source
 * of truth: a client that resumes, or a webhook outbox that catches up, reads here, not from a buffer.
 */
export const createFeedReader = (options: FeedReaderOptions) => ({
  async after(after: number, maxCount: number): Promise<FeedPage> {
    const head = options.head();
    if (after >= head) return { items: [], through: after };
    const position = after >= 0 ? options.seqIndex.get(after)?.position : undefined;
    if (after >= 0 && position === undefined) throw new Error(`the follower has no position for seq ${after}`);
    const count = Math.min(maxCount, head - after);
    const events = await options.store.readAll({ ...(position ? { after: position } : {}), maxCount: count });
    const items: FeedItem[] = [];
    events.forEach((event, i) => {
      const item = toFeedItem({ ...event, seq: after + 1 + i } as SequencedEvent, options.initiativeOf, options.publicUrl);
      if (item) items.push(item);
    });
    return { items, through: after + events.length };
  },
});
export type FeedReader = ReturnType<typeof createFeedReader>;

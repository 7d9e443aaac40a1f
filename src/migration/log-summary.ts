import type { EventStore } from '../store/event-store.js';
import { eventLeafHash, type LogEntry } from '../transparency/leaf.js';
import { createTreeBuilder } from '../transparency/tree-builder.js';

/** What an export, an import or a store holds: the number of entries, the last seq and the log's root hash. */
export interface LogSummary {
  count: number;
  /** -1 for an empty log. */
  lastSeq: number;
  /** RFC 9162 root of the tree of `count` leaves: the transparency log's root at that size. */
  root: Buffer;
}

/** Folds entries, in seq order, into the log's root: O(log n) memory (the tree builder keeps the right edge). */
export const createRootAccumulator = () => {
  const builder = createTreeBuilder();
  return {
    add(entry: LogEntry): void {
      if (entry.seq !== builder.size) throw new RangeError(`entry seq ${entry.seq} where ${builder.size} was expected`);
      builder.append(eventLeafHash(entry));
    },
    summary: (): LogSummary => ({ count: builder.size, lastSeq: builder.size - 1, root: builder.root() }),
  };
};

export interface ReadProgress {
  done: number;
}

/**
 * The summary of a store's whole global order, numbered from seq 0 as the follower numbers it: the root the
 * service's transparency log reaches once it has caught up. Reads page by page (constant memory).
 */
export const summarizeStore = async (
  store: Pick<EventStore, 'readAll'>,
  options: { pageSize?: number; onProgress?: (progress: ReadProgress) => void } = {},
): Promise<LogSummary> => {
  const root = createRootAccumulator();
  let seq = 0;
  for (let page = await store.readAll({ maxCount: options.pageSize ?? 1000 }); page.length > 0; ) {
    for (const event of page) root.add({ ...event, seq: seq++ });
    options.onProgress?.({ done: seq });
    page = await store.readAll({ after: page[page.length - 1]!.position, maxCount: options.pageSize ?? 1000 });
  }
  return root.summary();
};

import type { EventStore } from '../store/event-store.js';
import { toLogEntry } from '../transparency/leaf.js';
import { createRootAccumulator, type LogSummary } from './log-summary.js';

export interface ExportOptions {
  /** Events per `readAll` page, and so per `write` call. */
  pageSize?: number;
  onProgress?: (progress: { done: number }) => void;
}

/**
 * Streams the store's global order as NDJSON: one line per event, `{ seq, id, stream, revision, type, data,
 * metadata }` (the transparency log's leaf object, seq numbered from 0 as the follower numbers it), one `write`
 * per page, awaited, so memory stays constant whatever the size of the log. Returns the count, the last seq and
 * the root hash of what was written. An export of a store that is being written to is a consistent prefix of
 * its order.
 */
export const exportLog = async (
  store: Pick<EventStore, 'readAll'>,
  write: (chunk: string) => void | Promise<void>,
  options: ExportOptions = {},
): Promise<LogSummary> => {
  const pageSize = options.pageSize ?? 1000;
  const root = createRootAccumulator();
  let seq = 0;
  for (let page = await store.readAll({ maxCount: pageSize }); page.length > 0; ) {
    let chunk = '';
    for (const event of page) {
      const entry = toLogEntry({ ...event, seq: seq++ });
      root.add(entry);
      chunk += `${JSON.stringify(entry)}\n`;
    }
    await write(chunk);
    options.onProgress?.({ done: seq });
    page = await store.readAll({ after: page[page.length - 1]!.position, maxCount: pageSize });
  }
  return root.summary();
};

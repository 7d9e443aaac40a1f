import type { SeqIndex } from '../follower/local-state.js';
import type { EventStore } from '../store/event-store.js';
import { toHex } from './hashing.js';
import { toLogEntry, type LogEntry } from './leaf.js';
import type { NodeStore } from './node-store.js';

export interface LogEntryView {
  seq: number;
  leafHash: string;
  /** Exactly the object whose RFC 8785 bytes were hashed into leaf `seq`. */
  event: LogEntry;
}

/**
 * Reads log entries by seq: the events come from the store (through the follower's seq → position map),
 * the leaf hashes from the tree. Only leaves already in the tree are served.
 */
export const createLogReader = (deps: { store: Pick<EventStore, 'readAll'>; seqIndex: Pick<SeqIndex, 'get'>; nodes: Pick<NodeStore, 'leafHashes'>; size: () => number }) => {
  const entries = async (from: number, limit: number): Promise<LogEntryView[]> => {
    const size = deps.size();
    if (from >= size || limit <= 0) return [];
    const after = from > 0 ? deps.seqIndex.get(from - 1)?.position : undefined;
    if (from > 0 && after === undefined) throw new Error(`no position recorded for seq ${from - 1}`);
    const events = await deps.store.readAll({ after, maxCount: Math.min(limit, size - from) });
    const leafHashes = deps.nodes.leafHashes(from, events.length);
    return events.map((event, i) => {
      const seq = from + i;
      return { seq, leafHash: toHex(leafHashes[i]!), event: toLogEntry({ ...event, seq }) };
    });
  };

  return {
    entries,
    /** Every entry from `from` to the current size, page by page (constant memory for exports). */
    async *all(from = 0, pageSize = 1000): AsyncGenerator<LogEntryView> {
      for (let next = from; ; ) {
        const page = await entries(next, pageSize);
        if (page.length === 0) return;
        yield* page;
        next += page.length;
      }
    },
  };
};
export type LogReader = ReturnType<typeof createLogReader>;

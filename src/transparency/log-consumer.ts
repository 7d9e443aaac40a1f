import type { Consumer, SequencedEvent } from '../follower/consumer.js';
import { growOnThread, newThreadBatch, type ThreadGrowth } from './hashing-thread-client.js';
import { eventLeafHash, packLeafInputs } from './leaf.js';
import type { NodeStore } from './node-store.js';
import { createTreeBuilder, packedEdge, restoreFromPackedEdge, restoreTreeBuilder, type StoredNode, type TreeBuilder } from './tree-builder.js';

/** Batches at least this long hash their leaves on the hashing thread (catch-up, rebuild); live ones here. */
const THREADED_BATCH = 256;
/** Leaves per message to the hashing thread, and messages kept in flight so the thread never waits. */
const CHUNK = 128;
const CHUNKS_AHEAD = 3;

export interface LogConsumerOptions {
  onGrow?: (size: number) => void;
  /** Hash large batches on the hashing thread (default true); false keeps every hash on the calling thread. */
  hashingThread?: boolean;
}

/**
 * The transparency log as a follower consumer: each event, in `seq` order, becomes leaf `seq` of the
 * RFC 9162 tree. A restart restores the right edge from O(log n) stored nodes instead of rehashing.
 *
 * A large batch goes to the hashing thread (hashing-thread.ts) a chunk at a time: this thread lays out the leaf
 * bytes of the chunks ahead and saves the nodes of those done while that one hashes them and grows the tree from the
 * batch's starting edge, sending back every node completed, in the node store's post-order. Until the batch's last
 * nodes are saved and the stored size moves, `size` and `root` still answer for the tree the node store holds, so no
 * checkpoint or proof ever names a node that is not on disk.
 */
export const createLogConsumer = (nodes: NodeStore, options: LogConsumerOptions = {}) => {
  /** The tree as the node store holds it: its right edge read back, O(log n) nodes. */
  const durableTree = (): TreeBuilder => {
    const size = nodes.size();
    return size === 0 ? createTreeBuilder() : restoreTreeBuilder(size, nodes.read);
  };
  let builder = durableTree();
  const useThread = options.hashingThread ?? true;

  /** The events of `events` not yet in the tree; throws on a gap. */
  const freshOf = (events: readonly SequencedEvent[]): readonly SequencedEvent[] => {
    let first = 0;
    while (first < events.length && events[first]!.seq < builder.size) first++; // already leaves (replayed after a crash)
    const fresh = first === 0 ? events : events.slice(first);
    fresh.forEach((event, i) => {
      if (event.seq !== builder.size + i) throw new Error(`transparency log expected seq ${builder.size + i}, got ${event.seq}`);
    });
    return fresh;
  };

  /** Persists a grown tree's new nodes (`save`), then makes it the tree; on failure the durable tree stays. */
  const commit = (grown: TreeBuilder, save: () => void): void => {
    try {
      save();
    } catch (error) {
      // Keep memory and disk in step: reload the durable edge before the follower retries.
      builder = durableTree();
      throw error;
    }
    builder = grown;
    options.onGrow?.(builder.size);
  };

  /**
   * Hashes and grows `tree` on this thread, synchronously: live batches grow the tree itself (nothing can read it
   * before the save); a large batch whose hashing thread failed grows a copy.
   */
  const applyHere = (fresh: readonly SequencedEvent[], tree: TreeBuilder = builder): void => {
    const completed: StoredNode[] = [];
    for (const event of fresh) for (const node of tree.append(eventLeafHash(event))) completed.push(node);
    commit(tree, () => nodes.save(completed, tree.size));
  };

  const copyOfTree = (): TreeBuilder => restoreFromPackedEdge(builder.size, packedEdge(builder));

  const applyThreaded = async (fresh: readonly SequencedEvent[]): Promise<void> => {
    const from = builder.size;
    const start = { size: from, edge: packedEdge(builder) };
    const batch = newThreadBatch();
    const chunks: Array<readonly SequencedEvent[]> = [];
    for (let i = 0; i < fresh.length; i += CHUNK) chunks.push(fresh.slice(i, i + CHUNK));
    const requests: Array<Promise<ThreadGrowth>> = [];
    const request = (k: number) => {
      const growth = growOnThread({
        batch,
        leaves: packLeafInputs(chunks[k]!),
        ...(k === 0 ? { start } : {}),
        ...(k === chunks.length - 1 ? { last: true } : {}),
      });
      growth.catch(() => undefined); // awaited below, in order
      requests[k] = growth;
    };
    for (let k = 0; k < Math.min(CHUNKS_AHEAD, chunks.length); k++) request(k);
    let grown: ThreadGrowth | undefined;
    let nextNode = nodes.firstNodeOf(from);
    try {
      for (let k = 0; k < chunks.length; k++) {
        grown = await requests[k]!;
        if (k + CHUNKS_AHEAD < chunks.length) request(k + CHUNKS_AHEAD);
        // Saved while the thread hashes the next chunks; invisible until the size moves, after the last one.
        nextNode = nodes.saveRun(nextNode, grown.nodes);
      }
    } catch {
      if (builder.size !== from) throw new Error('the transparency log changed during a batch');
      applyHere(fresh, copyOfTree());
      return;
    }
    if (builder.size !== from || grown?.size !== from + fresh.length) throw new Error('the transparency log changed during a batch');
    const tree = restoreFromPackedEdge(grown.size, grown.edge);
    commit(tree, () => nodes.saveSize(tree.size));
  };

  const consumer: Consumer = {
    name: 'transparency-log',
    resumeAfter: () => builder.size - 1,
    apply(events: readonly SequencedEvent[]) {
      const fresh = freshOf(events);
      if (fresh.length === 0) return;
      if (useThread && fresh.length >= THREADED_BATCH) return applyThreaded(fresh);
      applyHere(fresh);
    },
  };

  return {
    consumer,
    size: (): number => builder.size,
    root: (): Buffer => builder.root(),
  };
};
export type TransparencyLog = ReturnType<typeof createLogConsumer>;

import type { Consumer, SequencedEvent } from '../follower/consumer.js';
import { HASH_SIZE } from './hashing.js';
import { growOnThread, type SavedGrowth } from './hashing-thread-client.js';
import { eventLeafHash, leafText } from './leaf.js';
import type { NodeStore } from './node-store.js';
import { createTreeBuilder, restoreTreeBuilder, type StoredNode, type TreeBuilder } from './tree-builder.js';

/** Batches at least this long hash their leaves on the hashing thread (catch-up, rebuild); live ones here. */
const THREADED_BATCH = 256;
/** Leaves per message to the hashing thread: it starts on the first while the next are assembled. */
const CHUNK = 128;

export interface LogConsumerOptions {
  onGrow?: (size: number) => void;
  /** Hash large batches on the hashing thread (default true); false keeps every hash on the calling thread. */
  hashingThread?: boolean;
}

/** The 32-byte hashes packed in `flat`, in order. */
const unpack = (flat: Uint8Array): Uint8Array[] =>
  Array.from({ length: flat.length / HASH_SIZE }, (_, i) => flat.subarray(HASH_SIZE * i, HASH_SIZE * (i + 1)));

/**
 * The transparency log as a follower consumer: each event, in `seq` order, becomes leaf `seq` of the
 * RFC 9162 tree. A restart restores the right edge from O(log n) stored nodes instead of rehashing.
 *
 * A large batch goes to the hashing thread (hashing-thread.ts) a chunk at a time: this thread assembles the leaf
 * texts while that one hashes them, grows the tree from the batch's starting edge and saves the nodes in the same
 * file through its own connection, then answers with the new edge. Until then `size` and `root` still answer for
 * the tree saved before, so no checkpoint or proof ever names a node that is not on disk.
 */
export const createLogConsumer = (nodes: NodeStore, options: LogConsumerOptions = {}) => {
  const size = nodes.size();
  let builder: TreeBuilder = size === 0 ? createTreeBuilder() : restoreTreeBuilder(size, nodes.read);
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
      const durable = nodes.size();
      builder = durable === 0 ? createTreeBuilder() : restoreTreeBuilder(durable, nodes.read);
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

  const copyOfTree = (): TreeBuilder =>
    builder.size === 0 ? createTreeBuilder() : restoreTreeBuilder(builder.size, builder.edge().map((node) => node.hash));

  /** Leaf texts of `fresh`, a chunk at a time, made only as the hashing thread is handed each. */
  function* leafTextChunks(fresh: readonly SequencedEvent[]): Generator<string[]> {
    for (let i = 0; i < fresh.length; i += CHUNK) yield fresh.slice(i, i + CHUNK).map(leafText);
  }

  const applyThreaded = async (file: string, fresh: readonly SequencedEvent[]): Promise<void> => {
    const from = builder.size;
    const edge = builder.edge();
    const start = { file, size: from, edge: new Uint8Array(HASH_SIZE * edge.length) };
    edge.forEach((node, i) => start.edge.set(node.hash, HASH_SIZE * i));
    let saved: SavedGrowth;
    try {
      saved = await growOnThread(start, leafTextChunks(fresh));
    } catch (error) {
      if (builder.size !== from) throw new Error('the transparency log changed during a batch');
      // The file says whether the thread saved the batch before it failed to answer; if not, do it here.
      const durable = nodes.size();
      if (durable === from) return applyHere(fresh, copyOfTree());
      if (durable !== from + fresh.length) throw error;
      return commit(restoreTreeBuilder(durable, nodes.read), () => undefined);
    }
    if (builder.size !== from || saved.size !== from + fresh.length) throw new Error('the transparency log changed during a batch');
    // What this connection reads is what proofs are made from: the thread must have saved to this very file.
    const durable = nodes.size();
    if (durable === from) return applyHere(fresh, copyOfTree());
    if (durable !== saved.size) throw new Error(`the hashing thread saved size ${saved.size}, the file holds ${durable}`);
    commit(restoreTreeBuilder(saved.size, unpack(saved.edge)), () => undefined);
  };

  const consumer: Consumer = {
    name: 'transparency-log',
    resumeAfter: () => builder.size - 1,
    apply(events: readonly SequencedEvent[]) {
      const fresh = freshOf(events);
      if (fresh.length === 0) return;
      if (useThread && nodes.file !== undefined && fresh.length >= THREADED_BATCH) return applyThreaded(nodes.file, fresh);
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

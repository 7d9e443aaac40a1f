import type { Consumer, SequencedEvent } from '../follower/consumer.js';
import { HASH_SIZE } from './hashing.js';
import { eventLeafHash, leafText } from './leaf.js';
import { hashLeafTexts } from './leaf-hasher.js';
import type { NodeStore } from './node-store.js';
import { createTreeBuilder, restoreTreeBuilder, type StoredNode, type TreeBuilder } from './tree-builder.js';

/** Batches at least this long hash their leaves on the hashing thread (catch-up, rebuild); live ones here. */
const THREADED_BATCH = 256;
/** Leaves per message to the hashing thread, and messages kept ahead of the tree so the thread never waits. */
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
 * A large batch is hashed on the hashing thread (leaf-hasher.ts) a chunk at a time while this thread assembles the
 * next chunks' leaf texts and grows the tree. It grows a copy of the tree: until the batch's nodes are saved, `size`
 * and `root` still answer for the tree the node store holds, so no checkpoint or proof ever names a node that is not
 * on disk.
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

  /** Persists a grown tree's new nodes, then makes it the tree; on failure the durable tree stays. */
  const commit = (grown: TreeBuilder, completed: readonly StoredNode[]): void => {
    try {
      nodes.save(completed, grown.size);
    } catch (error) {
      // Keep memory and disk in step: reload the durable edge before the follower retries.
      const durable = nodes.size();
      builder = durable === 0 ? createTreeBuilder() : restoreTreeBuilder(durable, nodes.read);
      throw error;
    }
    builder = grown;
    options.onGrow?.(builder.size);
  };

  const copyOfTree = (): TreeBuilder =>
    builder.size === 0 ? createTreeBuilder() : restoreTreeBuilder(builder.size, builder.edge().map((node) => node.hash));

  /** Synchronous, so nothing reads the tree between the appends and the save: it grows the tree itself. */
  const applyHere = (fresh: readonly SequencedEvent[]): void => {
    const completed: StoredNode[] = [];
    for (const event of fresh) for (const node of builder.append(eventLeafHash(event))) completed.push(node);
    commit(builder, completed);
  };

  const applyThreaded = async (fresh: readonly SequencedEvent[]): Promise<void> => {
    const grown = copyOfTree();
    const completed: StoredNode[] = [];
    const chunks: Array<readonly SequencedEvent[]> = [];
    for (let i = 0; i < fresh.length; i += CHUNK) chunks.push(fresh.slice(i, i + CHUNK));
    const requests: Array<Promise<Uint8Array>> = [];
    const request = (k: number) => {
      const chunk = chunks[k]!;
      const hashes = hashLeafTexts(chunk.map(leafText));
      hashes.catch(() => undefined); // awaited below, in order; a failure there falls back to hashing here
      requests[k] = hashes;
    };
    for (let k = 0; k < Math.min(CHUNKS_AHEAD, chunks.length); k++) request(k);
    for (let k = 0; k < chunks.length; k++) {
      const chunk = chunks[k]!;
      let hashes: Uint8Array;
      try {
        hashes = await requests[k]!;
      } catch {
        hashes = new Uint8Array(HASH_SIZE * chunk.length);
        chunk.forEach((event, i) => hashes.set(eventLeafHash(event), HASH_SIZE * i));
      }
      if (k + CHUNKS_AHEAD < chunks.length) request(k + CHUNKS_AHEAD);
      for (let i = 0; i < chunk.length; i++) {
        for (const node of grown.append(hashes.subarray(HASH_SIZE * i, HASH_SIZE * (i + 1)))) completed.push(node);
      }
    }
    if (grown.size !== builder.size + fresh.length) throw new Error('the transparency log changed during a batch');
    commit(grown, completed);
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

import type { Consumer, SequencedEvent } from '../follower/consumer.js';
import { growOnThread, newThreadLog, type ThreadGrowth } from './hashing-thread-client.js';
import { eventLeafHash, packLeafInputs } from './leaf.js';
import type { NodeStore } from './node-store.js';
import { createTreeBuilder, packedEdge, restoreFromPackedEdge, restoreTreeBuilder, type StoredNode, type TreeBuilder } from './tree-builder.js';

/** Batches at least this long hash their leaves on the hashing thread (catch-up, rebuild); live ones here. */
const THREADED_BATCH = 256;
/**
 * Leaves per message to the hashing thread, and messages kept in flight so the thread never waits. Each message costs
 * a round trip between the threads and one node-store commit; with 128-leaf chunks both threads sat idle ~30 % of a
 * catch-up waiting on those (profiled), 512 × 4 measured 1.2× the leaves/s (bench:tlog append).
 */
const CHUNK = 512;
const CHUNKS_AHEAD = 4;

export interface LogConsumerOptions {
  onGrow?: (size: number) => void;
  /** Hash large batches on the hashing thread (default true); false keeps every hash on the calling thread. */
  hashingThread?: boolean;
}

/** A chunk sent to the hashing thread whose batch is not yet durable: kept until it is, to redo it here if need be. */
interface SentChunk {
  events: readonly SequencedEvent[];
  growth: Promise<ThreadGrowth>;
  /** The last chunk of a follower batch: once it is saved, the stored size moves to its end. */
  endsBatch: boolean;
  saved: boolean;
}

/**
 * The transparency log as a follower consumer: each event, in `seq` order, becomes leaf `seq` of the
 * RFC 9162 tree. A restart restores the right edge from O(log n) stored nodes instead of rehashing.
 *
 * A large batch goes to the hashing thread (hashing-thread.ts) a chunk at a time, at most `CHUNKS_AHEAD` chunks in
 * flight: this thread lays out the leaf bytes of the chunks it sends and saves, in order, the nodes the thread sends
 * back (every node a chunk completed, in the node store's post-order) while the thread hashes the next ones. `apply`
 * returns once the batch's last chunk is sent, not once it is saved: the follower then reads the next batch while the
 * thread still hashes this one's tail, and that batch's chunks follow in the same flight (the thread keeps the tree's
 * edge between them). Without that, each batch began and ended with one of the two threads waiting for the other.
 *
 * The stored size moves only when a batch's last nodes are saved; until then `size` and `root` answer for the tree
 * the node store holds, so no checkpoint or proof ever names a node that is not on disk. `settled()` resolves when
 * nothing is in flight. If the thread fails, everything not yet durable is hashed here; if a save fails, the log
 * falls back to the stored tree and the next `apply` throws, so the follower replays from `resumeAfter`.
 */
export const createLogConsumer = (nodes: NodeStore, options: LogConsumerOptions = {}) => {
  /** The tree as the node store holds it: its right edge read back, O(log n) nodes. */
  const durableTree = (): TreeBuilder => {
    const size = nodes.size();
    return size === 0 ? createTreeBuilder() : restoreTreeBuilder(size, nodes.read);
  };
  let builder = durableTree();
  const useThread = options.hashingThread ?? true;
  const threadLog = newThreadLog();

  /** Chunks sent since the stored size, in order; the saved ones first. */
  let sent: SentChunk[] = [];
  /** Leaves accepted: the stored size plus what is in flight. */
  let acceptedSize = builder.size;
  /** Post-order number of the first node the next saved chunk holds. */
  let nextNode = 0;
  /** The loop saving what the thread sends back, while chunks are in flight. */
  let saving: Promise<void> | undefined;
  /** Woken whenever a chunk was saved (a sender waiting for room) or the flight ended. */
  let onProgress: Array<() => void> = [];
  /** A save that failed after `apply` returned: thrown by the next `apply`. */
  let failure: unknown;

  const progressed = (): void => {
    const waiting = onProgress;
    onProgress = [];
    for (const wake of waiting) wake();
  };
  const nextProgress = (): Promise<void> => new Promise((resolve) => onProgress.push(resolve));

  /** The events of `events` not yet accepted; throws on a gap. */
  const freshOf = (events: readonly SequencedEvent[]): readonly SequencedEvent[] => {
    let first = 0;
    while (first < events.length && events[first]!.seq < acceptedSize) first++; // already leaves (replayed after a crash)
    const fresh = first === 0 ? events : events.slice(first);
    fresh.forEach((event, i) => {
      if (event.seq !== acceptedSize + i) throw new Error(`transparency log expected seq ${acceptedSize + i}, got ${event.seq}`);
    });
    return fresh;
  };

  /** Keeps memory and disk in step after a failed save: the durable edge, reloaded, is all that was accepted. */
  const fallBackToStored = (): void => {
    builder = durableTree();
    acceptedSize = builder.size;
  };

  /** Persists a grown tree's new nodes (`save`), then makes it the tree; on failure the durable tree stays. */
  const commit = (grown: TreeBuilder, save: () => void): void => {
    try {
      save();
    } catch (error) {
      fallBackToStored(); // before the follower retries
      throw error;
    }
    builder = grown;
    acceptedSize = Math.max(acceptedSize, builder.size);
    options.onGrow?.(builder.size);
  };

  /**
   * Hashes and grows `tree` on this thread, synchronously: live batches grow the tree itself (nothing can read it
   * before the save); what the hashing thread failed to hash grows a copy.
   */
  const applyHere = (fresh: readonly SequencedEvent[], tree: TreeBuilder = builder): void => {
    const completed: StoredNode[] = [];
    for (const event of fresh) for (const node of tree.append(eventLeafHash(event))) completed.push(node);
    commit(tree, () => nodes.save(completed, tree.size));
  };

  const copyOfTree = (): TreeBuilder => restoreFromPackedEdge(builder.size, packedEdge(builder));

  /** Saves what the thread sends back, chunk by chunk in order, until nothing is in flight. */
  const saveReplies = async (): Promise<void> => {
    for (;;) {
      const chunk = sent.find((c) => !c.saved);
      if (!chunk) {
        saving = undefined; // in the same turn as the check: a chunk sent from now on starts a new loop
        progressed();
        return;
      }
      let grown: ThreadGrowth;
      try {
        grown = await chunk.growth;
      } catch {
        redoHere();
        continue;
      }
      try {
        nextNode = nodes.saveRun(nextNode, grown.nodes);
        chunk.saved = true;
        if (chunk.endsBatch) {
          const tree = restoreFromPackedEdge(grown.size, grown.edge);
          commit(tree, () => nodes.saveSize(tree.size));
          sent = sent.filter((c) => !c.saved);
        }
      } catch (error) {
        failure = error;
        sent = []; // the follower replays the rest from the stored size
        fallBackToStored(); // (again, if it was the size that failed: a rare path, and reading the edge is cheap)
      }
      progressed();
    }
  };

  /** The hashing thread failed: everything sent since the stored size is hashed here, onto a copy of the stored tree. */
  const redoHere = (): void => {
    const events = sent.flatMap((c) => c.events);
    sent = [];
    try {
      applyHere(events, copyOfTree());
    } catch (error) {
      failure = error;
    }
  };

  const send = (events: readonly SequencedEvent[], endsBatch: boolean): void => {
    const starting = sent.length === 0;
    if (starting) nextNode = nodes.firstNodeOf(builder.size);
    const growth = growOnThread({
      log: threadLog,
      leaves: packLeafInputs(events),
      ...(starting ? { start: { size: builder.size, edge: packedEdge(builder) } } : {}),
    });
    growth.catch(() => undefined); // awaited by saveReplies, in order
    sent.push({ events, growth, endsBatch, saved: false });
    acceptedSize += events.length;
    saving ??= saveReplies();
  };

  const applyThreaded = async (fresh: readonly SequencedEvent[]): Promise<void> => {
    for (let i = 0; i < fresh.length; i += CHUNK) {
      while (sent.filter((c) => !c.saved).length >= CHUNKS_AHEAD) await nextProgress();
      if (failure !== undefined) return; // thrown by the next apply; what was accepted is replayed from resumeAfter
      send(fresh.slice(i, i + CHUNK), i + CHUNK >= fresh.length);
    }
  };

  /** Resolves once nothing is in flight (every accepted leaf stored, or the failure to be thrown recorded). */
  const settled = async (): Promise<void> => {
    while (saving) await nextProgress();
  };

  const throwFailure = (): void => {
    if (failure === undefined) return;
    const error = failure;
    failure = undefined;
    throw error;
  };

  const consumer: Consumer = {
    name: 'transparency-log',
    readsCanonicalText: true,
    resumeAfter: () => builder.size - 1,
    apply(events: readonly SequencedEvent[]) {
      throwFailure();
      const fresh = freshOf(events);
      if (fresh.length === 0) return;
      if (useThread && fresh.length >= THREADED_BATCH) return applyThreaded(fresh);
      // A live batch right after a large one waits for its tail: it grows the stored tree itself.
      if (saving) {
        return settled().then(() => {
          throwFailure();
          applyHere(freshOf(events));
        });
      }
      applyHere(fresh);
    },
    settled,
  };

  return {
    consumer,
    size: (): number => builder.size,
    root: (): Buffer => builder.root(),
    settled,
  };
};
export type TransparencyLog = ReturnType<typeof createLogConsumer>;

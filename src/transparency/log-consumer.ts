import type { Consumer, SequencedEvent } from '../follower/consumer.js';
import { eventLeafHash } from './leaf.js';
import type { NodeStore } from './node-store.js';
import { restoreTreeBuilder, type StoredNode, type TreeBuilder } from './tree-builder.js';
import { createTreeBuilder } from './tree-builder.js';

/**
 * The transparency log as a follower consumer: each event, in `seq` order, becomes leaf `seq` of the
 * RFC 9162 tree. A restart restores the right edge from O(log n) stored nodes instead of rehashing.
 */
export const createLogConsumer = (nodes: NodeStore, options: { onGrow?: (size: number) => void } = {}) => {
  const size = nodes.size();
  let builder: TreeBuilder = size === 0 ? createTreeBuilder() : restoreTreeBuilder(size, nodes.read);

  const consumer: Consumer = {
    name: 'transparency-log',
    resumeAfter: () => builder.size - 1,
    apply(events: readonly SequencedEvent[]) {
      const completed: StoredNode[] = [];
      for (const event of events) {
        if (event.seq < builder.size) continue; // already a leaf (replayed after a crash)
        if (event.seq !== builder.size) throw new Error(`transparency log expected seq ${builder.size}, got ${event.seq}`);
        completed.push(...builder.append(eventLeafHash(event)));
      }
      if (completed.length === 0) return;
      try {
        nodes.save(completed, builder.size);
      } catch (error) {
        // Keep memory and disk in step: reload the durable edge before the follower retries.
        const durable = nodes.size();
        builder = durable === 0 ? createTreeBuilder() : restoreTreeBuilder(durable, nodes.read);
        throw error;
      }
      options.onGrow?.(builder.size);
    },
  };

  return {
    consumer,
    size: (): number => builder.size,
    root: (): Buffer => builder.root(),
  };
};
export type TransparencyLog = ReturnType<typeof createLogConsumer>;

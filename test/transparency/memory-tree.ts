/** A Map-backed node store filled from a TreeBuilder's emitted nodes, counting reads (test helper). */
import { leafHash } from '../../src/transparency/hashing.js';
import type { NodeReader } from '../../src/transparency/merkle.js';
import { createTreeBuilder, type TreeBuilder } from '../../src/transparency/tree-builder.js';

export interface MemoryTree {
  builder: TreeBuilder;
  nodes: Map<string, Buffer>;
  read: NodeReader;
  /** Number of reads since the last reset. */
  reads: () => number;
  resetReads: () => void;
  append: (leaf: Buffer) => void;
}

export const nodeKey = (level: number, index: number): string => `${level}/${index}`;

export const memoryTree = (leafHashes: readonly Buffer[] = []): MemoryTree => {
  const builder = createTreeBuilder();
  const nodes = new Map<string, Buffer>();
  let reads = 0;
  const append = (leaf: Buffer): void => {
    for (const node of builder.append(leaf)) {
      const key = nodeKey(node.level, node.index);
      if (nodes.has(key)) throw new Error(`node ${key} emitted twice`);
      nodes.set(key, node.hash);
    }
  };
  leafHashes.forEach(append);
  const read: NodeReader = (level, index) => {
    reads += 1;
    const hash = nodes.get(nodeKey(level, index));
    if (hash === undefined) throw new Error(`node ${nodeKey(level, index)} is not stored`);
    return hash;
  };
  return { builder, nodes, read, reads: () => reads, resetReads: () => (reads = 0), append };
};

/** n distinct pseudo-random leaf hashes, different for each salt. */
export const leafHashes = (n: number, salt = 0): Buffer[] =>
  Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`leaf ${salt} ${i}`)));

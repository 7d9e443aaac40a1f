/**
 * Appends leaf hashes in order and says which complete nodes each append finishes, so a storage layer can
 * persist them for `rootAt` / `inclusionProof` / `consistencyProof`. It keeps only the right edge of the tree
 * (one complete node per set bit of the size: a compact range), so the current root costs O(log n) hashes and a
 * restart restores it from O(log n) stored nodes instead of rehashing the log.
 */
import { assertHash, HASH_SIZE, nodeHash } from './hashing.js';
import { assertTreeIndex, foldRange, rootNodes, type NodeReader } from './merkle.js';

/** A complete node and its hash, as emitted for storage. Level 0 nodes are the leaf hashes themselves. */
export interface StoredNode {
  readonly level: number;
  readonly index: number;
  readonly hash: Buffer;
}

export interface TreeBuilder {
  /** Number of leaves appended so far (including those covered by a restore). */
  readonly size: number;
  /**
   * Appends the next leaf hash (leaf index = current size) and returns the nodes it completes, lowest level
   * first: the leaf itself at (0, index), then each interior node finished by it. Store all of them.
   */
  append(leafHash: Uint8Array): StoredNode[];
  /** Root of the tree of the current size. */
  root(): Buffer;
  /** The right edge: the complete nodes of `rootNodes(size)`, highest level first. */
  edge(): StoredNode[];
}

const builderFrom = (initialSize: number, initialEdge: StoredNode[]): TreeBuilder => {
  let size = initialSize;
  const edge = initialEdge;
  return {
    get size() {
      return size;
    },
    append(leafHash) {
      assertHash(leafHash, `leaf hash ${size}`);
      let node: StoredNode = { level: 0, index: size, hash: Buffer.from(leafHash) };
      const completed = [node];
      for (let left = edge.at(-1); left !== undefined && left.level === node.level; left = edge.at(-1)) {
        edge.pop();
        node = { level: node.level + 1, index: left.index / 2, hash: nodeHash(left.hash, node.hash) };
        completed.push(node);
      }
      edge.push(node);
      size += 1;
      return completed;
    },
    root: () => foldRange(edge.map((node) => node.hash)),
    edge: () => edge.map((node) => ({ ...node, hash: Buffer.from(node.hash) })),
  };
};

/** A builder for an empty tree. */
export const createTreeBuilder = (): TreeBuilder => builderFrom(0, []);

/**
 * A builder that continues a tree of `size` leaves, from the hashes of its `rootNodes(size)` — read through a
 * `NodeReader` or given directly in that order (e.g. after an async batch fetch). At most log2(size) + 1 nodes.
 */
export const restoreTreeBuilder = (size: number, nodes: NodeReader | readonly Uint8Array[]): TreeBuilder => {
  assertTreeIndex(size, 'tree size');
  const ids = rootNodes(size);
  if (typeof nodes !== 'function' && nodes.length !== ids.length) {
    throw new RangeError(`a tree of size ${size} is restored from ${ids.length} node hashes, got ${nodes.length}`);
  }
  const edge = ids.map(({ level, index }, i): StoredNode => {
    const hash = typeof nodes === 'function' ? nodes(level, index) : nodes[i];
    assertHash(hash, `node (level ${level}, index ${index})`);
    return { level, index, hash: Buffer.from(hash) };
  });
  return builderFrom(size, edge);
};

/** The builder's right edge, its hashes packed 32 bytes each, highest level first: how a tree crosses threads. */
export const packedEdge = (builder: TreeBuilder): Uint8Array => {
  const edge = builder.edge();
  const packed = new Uint8Array(HASH_SIZE * edge.length);
  edge.forEach((node, i) => packed.set(node.hash, HASH_SIZE * i));
  return packed;
};

/** A builder that continues a tree of `size` leaves from its `packedEdge`. */
export const restoreFromPackedEdge = (size: number, packed: Uint8Array): TreeBuilder =>
  size === 0
    ? createTreeBuilder()
    : restoreTreeBuilder(size, Array.from({ length: packed.length / HASH_SIZE }, (_, i) => packed.subarray(HASH_SIZE * i, HASH_SIZE * (i + 1))));

/**
 * A tree grower for bulk appends on the hashing thread: it writes every node an append completes straight into the
 * caller's buffer (32 bytes each, in emission order: the leaf, then the ancestors it completes) and keeps its right
 * edge packed, so a chunk of leaves costs no node objects. Same tree as `TreeBuilder`, which tests compare it with.
 */
export const createPackedGrower = (initialSize: number, packed: Uint8Array) => {
  const builder = restoreFromPackedEdge(initialSize, packed); // validates the edge against the size
  let size = builder.size;
  // One slot per level a safe-integer tree can have; the edge is a stack, highest level at the bottom.
  const stack = new Uint8Array(HASH_SIZE * 64);
  const edge = builder.edge();
  const levels: number[] = edge.map((node) => node.level);
  edge.forEach((node, i) => stack.set(node.hash, HASH_SIZE * i));
  return {
    get size() {
      return size;
    },
    /** Appends one leaf hash, writing it and the nodes it completes into `out` from byte `at`; returns the new end. */
    appendInto(leafHash: Uint8Array, out: Uint8Array, at: number): number {
      assertHash(leafHash, `leaf hash ${size}`);
      out.set(leafHash, at);
      at += HASH_SIZE;
      let hash: Uint8Array = leafHash;
      let level = 0;
      while (levels.length > 0 && levels[levels.length - 1] === level) {
        levels.pop();
        const slot = HASH_SIZE * levels.length;
        hash = nodeHash(stack.subarray(slot, slot + HASH_SIZE), hash);
        out.set(hash, at);
        at += HASH_SIZE;
        level += 1;
      }
      stack.set(hash, HASH_SIZE * levels.length);
      levels.push(level);
      size += 1;
      return at;
    },
    /** The right edge packed as `packedEdge` packs it (a copy). */
    packedEdge: (): Uint8Array => stack.slice(0, HASH_SIZE * levels.length),
  };
};
export type PackedGrower = ReturnType<typeof createPackedGrower>;

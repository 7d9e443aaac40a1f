/**
 * Merkle tree math in the transparency-dev/merkle style: this module never touches storage. It says which nodes
 * a root or a proof needs (`rootNodes`, `inclusionNodes`, `consistencyNodes`), the caller fetches their hashes
 * (sync or async, one by one or in a batch) and hands them back (`rootFromNodes`, `proofFromNodes`). The
 * `NodeReader` functions below do both steps for a synchronous store.
 *
 * Node model: `(level, index)` is the hash of the perfect subtree of 2^level leaves starting at leaf
 * index·2^level (level 0 = leaf hashes). Only such complete nodes are ever read: the "ephemeral" nodes on the
 * right edge of a tree whose size is not a power of two are recomputed from O(log n) complete ones, so a store
 * of leaf hashes plus completed interior nodes (what `TreeBuilder` emits) answers every root and proof for every
 * size up to its own, with O(log n) reads each. Numbers are exact up to 2^53 (no 32-bit bit operations).
 */
import { assertHash, emptyRoot, nodeHash } from './hashing.js';

/** Address of a complete subtree: 2^level leaves starting at leaf index·2^level. */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/** Returns the stored hash of a complete node; throws if the store lacks it. */
export type NodeReader = (level: number, index: number) => Uint8Array;

/**
 * The nodes a proof needs, in proof order (deepest first). `ids[begin, end)` — empty when `begin === end` — are
 * the complete nodes under one ephemeral node: they are folded into a single proof hash (see `proofFromNodes`).
 */
export interface ProofNodes {
  readonly ids: readonly NodeId[];
  readonly begin: number;
  readonly end: number;
}

/** Throws a RangeError unless `value` is a non-negative safe integer. */
export const assertTreeIndex = (value: number, what: string): void => {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a non-negative safe integer, got ${String(value)}`);
  }
};

/** True for 1, 2, 4, 8, … (exact for every safe integer). */
export const isPowerOfTwo = (n: number): boolean => {
  if (n < 1) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
};

const trailingZeros = (n: number): number => {
  let zeros = 0;
  while (n % 2 === 0 && n > 0) {
    n /= 2;
    zeros += 1;
  }
  return zeros;
};

/**
 * The complete nodes that exactly cover leaves [begin, end), left to right, each as large as alignment allows
 * (a "compact range"). For begin = 0 these are the perfect subtrees of `end`'s binary decomposition.
 */
export const rangeNodes = (begin: number, end: number): NodeId[] => {
  assertTreeIndex(begin, 'range begin');
  assertTreeIndex(end, 'range end');
  if (begin > end) throw new RangeError(`range begin ${begin} is after its end ${end}`);
  const ids: NodeId[] = [];
  while (begin < end) {
    let level = 0;
    for (let next = 2; begin % next === 0 && begin + next <= end; next *= 2) level += 1;
    ids.push({ level, index: begin / 2 ** level });
    begin += 2 ** level;
  }
  return ids;
};

/** Folds the hashes of consecutive complete nodes (left to right) into the RFC 6962 hash of their range. */
export const foldRange = (hashes: readonly Uint8Array[]): Buffer => {
  const last = hashes.at(-1);
  if (last === undefined) return emptyRoot();
  let hash: Buffer = Buffer.from(last);
  for (let i = hashes.length - 2; i >= 0; i -= 1) hash = nodeHash(hashes[i]!, hash);
  return hash;
};

/** Nodes whose hashes, folded with `rootFromNodes`, give the root of the tree of `size` leaves (≤ log2 n + 1). */
export const rootNodes = (size: number): NodeId[] => rangeNodes(0, size);

/** The root from the hashes of `rootNodes(size)`, in the same order; the empty root for size 0. */
export const rootFromNodes = (hashes: readonly Uint8Array[]): Buffer => {
  hashes.forEach((hash, i) => assertHash(hash, `root node ${i}`));
  return foldRange(hashes);
};

/**
 * The audit path of the complete node (level, index) in the tree of `size` leaves, preceded by that node itself:
 * its siblings up to the fork (its highest ancestor that is still complete in this tree), the ephemeral node right
 * of the fork (the compact range [fork end, size), absent if empty), then the complete left siblings above.
 */
const pathNodes = (level: number, index: number, size: number): ProofNodes => {
  let inner = 0;
  for (let a = index, b = Math.floor(size / 2 ** level); a !== b; inner += 1) {
    a = Math.floor(a / 2);
    b = Math.floor(b / 2);
  }
  inner -= 1; // highest bit where index and size/2^level differ
  const forkLevel = level + inner;
  const forkBegin = Math.floor(index / 2 ** inner) * 2 ** forkLevel;
  const forkEnd = forkBegin + 2 ** forkLevel;

  const ids: NodeId[] = [{ level, index }];
  for (let l = level, i = index; l < forkLevel; l += 1, i = Math.floor(i / 2)) {
    ids.push({ level: l, index: i % 2 === 0 ? i + 1 : i - 1 });
  }
  const begin = ids.length;
  ids.push(...rangeNodes(forkEnd, size));
  const end = ids.length;
  ids.push(...rangeNodes(0, forkBegin).reverse());
  return { ids, begin, end };
};

const skipFirst = (nodes: ProofNodes): ProofNodes => ({
  ids: nodes.ids.slice(1),
  begin: nodes.begin - 1,
  end: nodes.end - 1,
});

/** Nodes of the inclusion proof of leaf `index` in the tree of `size` leaves. */
export const inclusionNodes = (index: number, size: number): ProofNodes => {
  assertTreeIndex(index, 'leaf index');
  assertTreeIndex(size, 'tree size');
  if (index >= size) throw new RangeError(`leaf index ${index} is not in a tree of size ${size}`);
  return skipFirst(pathNodes(0, index, size));
};

/** Nodes of the consistency proof from the tree of `size1` leaves to the tree of `size2` leaves. */
export const consistencyNodes = (size1: number, size2: number): ProofNodes => {
  assertTreeIndex(size1, 'size1');
  assertTreeIndex(size2, 'size2');
  if (size1 > size2) throw new RangeError(`size1 ${size1} is larger than size2 ${size2}`);
  if (size1 === 0 || size1 === size2) return { ids: [], begin: 0, end: 0 };
  // The largest complete subtree ending at size1 is where the old tree's right edge meets the new tree.
  const level = trailingZeros(size1);
  const index = size1 / 2 ** level - 1;
  const nodes = pathNodes(level, index, size2);
  // If size1 is a power of two, that node is the old root itself, which the verifier already has.
  return index === 0 ? skipFirst(nodes) : nodes;
};

/** Number of hashes in the proof described by `nodes`. */
export const proofLength = (nodes: ProofNodes): number =>
  nodes.ids.length - (nodes.end - nodes.begin) + (nodes.end > nodes.begin ? 1 : 0);

/** The proof from the hashes of `nodes.ids` (same order): the ephemeral range is folded into one hash. */
export const proofFromNodes = (nodes: ProofNodes, hashes: readonly Uint8Array[]): Buffer[] => {
  if (hashes.length !== nodes.ids.length) {
    throw new RangeError(`proof needs ${nodes.ids.length} node hashes, got ${hashes.length}`);
  }
  hashes.forEach((hash, i) => assertHash(hash, `proof node ${i}`));
  const proof: Buffer[] = hashes.slice(0, nodes.begin).map((hash) => Buffer.from(hash));
  if (nodes.end > nodes.begin) proof.push(foldRange(hashes.slice(nodes.begin, nodes.end)));
  proof.push(...hashes.slice(nodes.end).map((hash) => Buffer.from(hash)));
  return proof;
};

/** Reads each node through `read`, checking that it returned a 32-byte hash. */
export const readNodes = (ids: readonly NodeId[], read: NodeReader): Uint8Array[] =>
  ids.map(({ level, index }) => {
    const hash = read(level, index);
    assertHash(hash, `node (level ${level}, index ${index}) from the node reader`);
    return hash;
  });

/** Root of the tree of the first `size` leaves. */
export const rootAt = (size: number, read: NodeReader): Buffer => rootFromNodes(readNodes(rootNodes(size), read));

/** Inclusion proof (RFC 9162 §2.1.3.1 PATH) of leaf `index` in the tree of `size` leaves. */
export const inclusionProof = (index: number, size: number, read: NodeReader): Buffer[] => {
  const nodes = inclusionNodes(index, size);
  return proofFromNodes(nodes, readNodes(nodes.ids, read));
};

/** Consistency proof (RFC 9162 §2.1.4.1 PROOF) between the trees of `size1` and `size2` leaves. */
export const consistencyProof = (size1: number, size2: number, read: NodeReader): Buffer[] => {
  const nodes = consistencyNodes(size1, size2);
  return proofFromNodes(nodes, readNodes(nodes.ids, read));
};

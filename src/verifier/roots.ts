/**
 * Roots of the verifier's own tree at chosen sizes, in one pass over the leaf hashes it recomputed — the roots
 * it compares with the signed checkpoints (the current one and those saved by earlier runs). Pure.
 */
import { HASH_SIZE } from '../transparency/hashing.js';
import { createTreeBuilder } from '../transparency/tree-builder.js';

/** `leafHashes` is 32·n bytes (leaf i at 32·i); every size must be ≤ n. */
export const rootsAt = (leafHashes: Buffer, sizes: Iterable<number>): Map<number, Buffer> => {
  const wanted = new Set(sizes);
  const count = leafHashes.length / HASH_SIZE;
  const max = Math.max(0, ...wanted);
  if (max > count) throw new RangeError(`a root at size ${max} needs ${max} leaves, there are ${count}`);
  const builder = createTreeBuilder();
  const roots = new Map<number, Buffer>();
  if (wanted.has(0)) roots.set(0, builder.root());
  for (let i = 0; i < max; i += 1) {
    builder.append(leafHashes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
    if (wanted.has(i + 1)) roots.set(i + 1, builder.root());
  }
  return roots;
};

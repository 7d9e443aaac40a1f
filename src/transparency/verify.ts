/**
 * Proof verification, as the RFC 9162 algorithms state it (§2.1.3.2 inclusion, §2.1.4.2 consistency) — written
 * independently of merkle.ts so that the auditor does not trust the code that produced the proofs.
 *
 * A proof that does not prove the claim (wrong hashes, too few or too many of them) gives `false`. Arguments that
 * cannot describe a proof at all (sizes that are not non-negative safe integers, index ≥ size, size1 > size2,
 * hashes that are not 32 bytes) throw a RangeError or TypeError with a message naming the argument.
 */
import { assertHash, emptyRoot, hashEquals, nodeHash } from './hashing.js';
import { assertTreeIndex, isPowerOfTwo } from './merkle.js';

const odd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

const assertProof = (proof: readonly Uint8Array[], what: string): void => {
  if (!Array.isArray(proof)) throw new TypeError(`${what} must be an array of hashes`);
  proof.forEach((hash, i) => assertHash(hash, `${what}[${i}]`));
};

/** Number of hashes in the inclusion proof of leaf `index` in a tree of `size` leaves (index < size). */
const inclusionProofLength = (index: number, size: number): number => {
  let length = 0;
  for (let fn = index, sn = size - 1; sn > 0; fn = half(fn), sn = half(sn)) {
    if (odd(fn) || fn < sn) length += 1;
  }
  return length;
};

/**
 * The root implied by `leafHash` at `index` and its audit path in a tree of `size` leaves (RFC 9162 §2.1.3.2
 * steps 2–4). Throws a RangeError if the proof has the wrong number of hashes for (index, size).
 */
export const rootFromInclusionProof = (
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
): Buffer => {
  assertHash(leafHash, 'leaf hash');
  assertTreeIndex(index, 'leaf index');
  assertTreeIndex(size, 'tree size');
  if (index >= size) throw new RangeError(`leaf index ${index} is not in a tree of size ${size}`);
  assertProof(proof, 'inclusion proof');
  const expected = inclusionProofLength(index, size);
  if (proof.length !== expected) {
    throw new RangeError(`inclusion proof for leaf ${index} of ${size} needs ${expected} hashes, got ${proof.length}`);
  }
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leafHash);
  for (const p of proof) {
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  // Unreachable given the length check; kept because it is the RFC's own termination condition.
  if (sn !== 0) throw new RangeError(`inclusion proof for leaf ${index} of ${size} is too short`);
  return r;
};

/** True iff `proof` proves that `leafHash` is leaf `index` of the tree of `size` leaves whose root is `root`. */
export const verifyInclusion = (
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean => {
  assertHash(root, 'root');
  assertHash(leafHash, 'leaf hash');
  assertTreeIndex(index, 'leaf index');
  assertTreeIndex(size, 'tree size');
  if (index >= size) throw new RangeError(`leaf index ${index} is not in a tree of size ${size}`);
  assertProof(proof, 'inclusion proof');
  if (proof.length !== inclusionProofLength(index, size)) return false;
  return hashEquals(rootFromInclusionProof(leafHash, index, size, proof), root);
};

/**
 * True iff `proof` proves that the tree of `size1` leaves with root `root1` is a prefix of the tree of `size2`
 * leaves with root `root2` (RFC 9162 §2.1.4.2). Equal sizes need an empty proof and equal roots; size1 = 0 needs
 * an empty proof and root1 = the empty root.
 */
export const verifyConsistency = (
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): boolean => {
  assertTreeIndex(size1, 'size1');
  assertTreeIndex(size2, 'size2');
  if (size1 > size2) throw new RangeError(`size1 ${size1} is larger than size2 ${size2}`);
  assertHash(root1, 'root1');
  assertHash(root2, 'root2');
  assertProof(proof, 'consistency proof');
  if (size1 === size2) return proof.length === 0 && hashEquals(root1, root2);
  if (size1 === 0) return proof.length === 0 && hashEquals(root1, emptyRoot());
  if (proof.length === 0) return false;

  // 1. If size1 is an exact power of 2, prepend root1: the old root is itself the first subtree of the proof.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  // 2–3. Skip the levels where the old tree's last node is a right child.
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  // 4. Start both roots from the first hash of the path.
  const [first, ...rest] = path;
  if (first === undefined) return false;
  let fr: Buffer = Buffer.from(first);
  let sr: Buffer = Buffer.from(first);
  // 5. Fold in the rest.
  for (const c of rest) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  // 6. Both roots must match and the whole new tree must have been covered.
  return sn === 0 && hashEquals(fr, root1) && hashEquals(sr, root2);
};

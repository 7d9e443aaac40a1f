/**
 * Naive recursive RFC 6962 §2.1 (= RFC 9162 §2.1) definitions — MTH, PATH, SUBPROOF/PROOF — over a list of
 * leaf hashes, written straight from the RFC text and with its own SHA-256, to cross-check src/transparency.
 * O(n) per call; for tests only.
 */
import { createHash } from 'node:crypto';

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const part of parts) h.update(part);
  return h.digest();
};

/** The largest power of two strictly smaller than n (n > 1). */
const split = (n: number): number => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};

/** MTH(D[n]) where the inputs are already the leaf hashes MTH({d(i)}). */
export const mth = (leaves: readonly Buffer[]): Buffer => {
  if (leaves.length === 0) return sha256();
  if (leaves.length === 1) return leaves[0]!;
  const k = split(leaves.length);
  return sha256(Buffer.from([1]), mth(leaves.slice(0, k)), mth(leaves.slice(k)));
};

/** PATH(m, D[n]): the audit path of leaf m. */
export const path = (m: number, leaves: readonly Buffer[]): Buffer[] => {
  const n = leaves.length;
  if (m < 0 || m >= n) throw new RangeError(`PATH(${m}, D[${n}])`);
  if (n === 1) return [];
  const k = split(n);
  return m < k
    ? [...path(m, leaves.slice(0, k)), mth(leaves.slice(k))]
    : [...path(m - k, leaves.slice(k)), mth(leaves.slice(0, k))];
};

/** SUBPROOF(m, D[n], b). */
export const subproof = (m: number, leaves: readonly Buffer[], b: boolean): Buffer[] => {
  const n = leaves.length;
  if (m === n) return b ? [] : [mth(leaves)];
  const k = split(n);
  return m <= k
    ? [...subproof(m, leaves.slice(0, k), b), mth(leaves.slice(k))]
    : [...subproof(m - k, leaves.slice(k), false), mth(leaves.slice(0, k))];
};

/** PROOF(m, D[n]) = SUBPROOF(m, D[n], true) for 0 < m < n; the empty proof for m = 0 or m = n. */
export const consistency = (m: number, leaves: readonly Buffer[]): Buffer[] => {
  const n = leaves.length;
  if (m < 0 || m > n) throw new RangeError(`PROOF(${m}, D[${n}])`);
  return m === 0 || m === n ? [] : subproof(m, leaves, true);
};

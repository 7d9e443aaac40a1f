/**
 * Property tests: for random trees of up to a few thousand leaves, the fast proofs (node plans + a node store)
 * equal the naive RFC definitions and verify, and every tampered proof fails.
 */
import fc from 'fast-check';
import t from 'tap';
import { consistencyProof, inclusionProof, rootAt } from '../../src/transparency/merkle.js';
import { verifyConsistency, verifyInclusion } from '../../src/transparency/verify.js';
import { leafHashes, memoryTree, type MemoryTree } from './memory-tree.js';
import * as reference from './reference.js';

const MAX_LEAVES = 3000;
// One tree per salt, grown lazily: its stored nodes answer every size up to MAX_LEAVES.
const trees = new Map<number, { tree: MemoryTree; leaves: Buffer[] }>();
const treeFor = (salt: number): { tree: MemoryTree; leaves: Buffer[] } => {
  let entry = trees.get(salt);
  if (entry === undefined) {
    const leaves = leafHashes(MAX_LEAVES, salt);
    entry = { tree: memoryTree(leaves), leaves };
    trees.set(salt, entry);
  }
  return entry;
};

const flipByte = (proof: Buffer[], at: number, byte: number): Buffer[] =>
  proof.map((hash, i) => {
    if (i !== at) return hash;
    const copy = Buffer.from(hash);
    copy[byte % copy.length] = copy[byte % copy.length]! ^ 0x01;
    return copy;
  });

const salt = fc.integer({ min: 0, max: 3 });
const size = fc.integer({ min: 1, max: MAX_LEAVES });
const sizeAndIndex = size.chain((n) => fc.tuple(fc.constant(n), fc.nat(n - 1)));
const sizePair = fc
  .tuple(fc.nat(MAX_LEAVES), fc.nat(MAX_LEAVES))
  .map(([a, b]): [number, number] => (a <= b ? [a, b] : [b, a]));
const log2ceil = (n: number): number => Math.ceil(Math.log2(Math.max(n, 1)));

/** Collects the names of the checks that did not hold, so a counterexample says which tampering passed. */
const checker = () => {
  const failed: string[] = [];
  return {
    expect: (holds: boolean, name: string): void => {
      if (!holds) failed.push(name);
    },
    done: (): true => {
      if (failed.length > 0) throw new Error(`failed: ${failed.join(', ')}`);
      return true;
    },
  };
};

t.test('inclusion proofs equal the reference PATH, verify, and need O(log n) reads', async (t) => {
  fc.assert(
    fc.property(salt, sizeAndIndex, (s, [n, index]) => {
      const { tree, leaves } = treeFor(s);
      tree.resetReads();
      const proof = inclusionProof(index, n, tree.read);
      const reads = tree.reads();
      const root = rootAt(n, tree.read);
      const expected = reference.path(index, leaves.slice(0, n));
      const c = checker();
      c.expect(reads <= 2 * log2ceil(n) + 1, `${reads} reads`);
      c.expect(proof.length === expected.length && proof.every((h, i) => h.equals(expected[i]!)), 'proof = PATH');
      c.expect(root.equals(reference.mth(leaves.slice(0, n))), 'root = MTH');
      c.expect(verifyInclusion(leaves[index]!, index, n, proof, root), 'verifies');
      return c.done();
    }),
    { numRuns: 100 },
  );
  t.pass('100 random (size, index) pairs');
});

t.test('tampered inclusion proofs fail', async (t) => {
  fc.assert(
    fc.property(salt, sizeAndIndex, fc.nat(), fc.nat(31), fc.nat(), (s, [n, index], at, byte, other) => {
      const { tree, leaves } = treeFor(s);
      const proof = inclusionProof(index, n, tree.read);
      const root = rootAt(n, tree.read);
      const leaf = leaves[index]!;
      const c = checker();
      if (proof.length > 0) {
        c.expect(!verifyInclusion(leaf, index, n, flipByte(proof, at % proof.length, byte), root), 'byte flipped');
        c.expect(!verifyInclusion(leaf, index, n, proof.filter((_, i) => i !== at % proof.length), root), 'hash dropped');
        c.expect(!verifyInclusion(leaf, index, n, proof.slice(0, -1), root), 'last hash dropped');
      }
      c.expect(!verifyInclusion(leaf, index, n, [...proof, leaf], root), 'hash added at the end');
      c.expect(!verifyInclusion(leaf, index, n, [leaf, ...proof], root), 'hash added at the start');
      const flippedLeaf = flipByte([leaf], 0, byte)[0]!;
      c.expect(!verifyInclusion(flippedLeaf, index, n, proof, root), 'wrong leaf');
      if (n > 1) {
        const wrongIndex = (index + 1 + (other % (n - 1))) % n;
        c.expect(!verifyInclusion(leaf, wrongIndex, n, proof, root), 'wrong index');
        c.expect(!verifyInclusion(leaves[wrongIndex]!, index, n, proof, root), 'another leaf');
      }
      const wrongSize = index + 1 + (other % MAX_LEAVES);
      if (wrongSize !== n && wrongSize <= MAX_LEAVES) {
        c.expect(!verifyInclusion(leaf, index, wrongSize, proof, rootAt(wrongSize, tree.read)), 'wrong size');
      }
      c.expect(!verifyInclusion(leaf, index, n, proof, flipByte([root], 0, byte)[0]!), 'wrong root');
      if (n > 1) c.expect(!verifyInclusion(leaf, index, n, proof, rootAt(n - 1, tree.read)), 'root of n - 1');
      c.expect(!verifyInclusion(leaf, index, n, proof, treeFor((s + 1) % 4).tree.builder.root()), 'other tree');
      return c.done();
    }),
    { numRuns: 100 },
  );
  t.throws(() => verifyInclusion(treeFor(0).leaves[0]!, 5, 5, [], rootAt(5, treeFor(0).tree.read)), RangeError, 'index = size throws');
  t.throws(() => verifyInclusion(Buffer.alloc(31), 0, 1, [], Buffer.alloc(32)), TypeError, 'short leaf hash throws');
});

t.test('consistency proofs equal the reference PROOF, verify, and need O(log n) reads', async (t) => {
  fc.assert(
    fc.property(salt, sizePair, (s, [n1, n2]) => {
      const { tree, leaves } = treeFor(s);
      tree.resetReads();
      const proof = consistencyProof(n1, n2, tree.read);
      const reads = tree.reads();
      const expected = reference.consistency(n1, leaves.slice(0, n2));
      const c = checker();
      c.expect(reads <= 2 * log2ceil(n2) + 2, `${reads} reads`);
      c.expect(proof.length === expected.length && proof.every((h, i) => h.equals(expected[i]!)), 'proof = PROOF');
      const root1 = reference.mth(leaves.slice(0, n1));
      c.expect(verifyConsistency(n1, n2, proof, root1, reference.mth(leaves.slice(0, n2))), 'verifies');
      return c.done();
    }),
    { numRuns: 100 },
  );
  t.pass('100 random (size1, size2) pairs');
});

t.test('tampered consistency proofs fail', async (t) => {
  fc.assert(
    fc.property(salt, sizePair, fc.nat(), fc.nat(31), fc.nat(), (s, [n1, n2], at, byte, other) => {
      const { tree, leaves } = treeFor(s);
      const proof = consistencyProof(n1, n2, tree.read);
      const root1 = rootAt(n1, tree.read);
      const root2 = rootAt(n2, tree.read);
      const c = checker();
      if (proof.length > 0) {
        c.expect(!verifyConsistency(n1, n2, flipByte(proof, at % proof.length, byte), root1, root2), 'byte flipped');
        c.expect(!verifyConsistency(n1, n2, proof.filter((_, i) => i !== at % proof.length), root1, root2), 'hash dropped');
      }
      c.expect(!verifyConsistency(n1, n2, [...proof, root1], root1, root2), 'hash added at the end');
      c.expect(!verifyConsistency(n1, n2, [root2, ...proof], root1, root2), 'hash added at the start');
      c.expect(!verifyConsistency(n1, n2, proof, flipByte([root1], 0, byte)[0]!, root2), 'wrong root1');
      // Size 0 is consistent with every tree: the empty proof from it says nothing about root2 or size2.
      if (n1 > 0) c.expect(!verifyConsistency(n1, n2, proof, root1, flipByte([root2], 0, byte)[0]!), 'wrong root2');
      const wrong1 = 1 + (other % Math.max(n2, 1));
      if (wrong1 !== n1 && wrong1 <= n2 && n1 > 0) c.expect(!verifyConsistency(wrong1, n2, proof, rootAt(wrong1, tree.read), root2), 'wrong size1');
      const wrong2 = n1 + (other % (MAX_LEAVES - n1 + 1));
      if (wrong2 !== n2 && n1 > 0) c.expect(!verifyConsistency(n1, wrong2, proof, root1, rootAt(wrong2, tree.read)), 'wrong size2');
      if (n1 > 0) {
        // The new tree forked: same size2, different leaves after the old tree's last one.
        const forked = [...leaves.slice(0, n1 - 1), ...leafHashes(n2 - n1 + 1, 1000 + s)];
        c.expect(!verifyConsistency(n1, n2, proof, root1, reference.mth(forked)), 'forked tree');
      }
      return c.done();
    }),
    { numRuns: 100 },
  );
  const { tree } = treeFor(0);
  t.throws(() => verifyConsistency(3, 2, [], rootAt(3, tree.read), rootAt(2, tree.read)), RangeError, 'size1 > size2 throws');
  t.notOk(verifyConsistency(0, 5, [], Buffer.alloc(32), rootAt(5, tree.read)), 'size1 = 0 needs the empty root');
  t.ok(verifyConsistency(0, 5, [], rootAt(0, tree.read), rootAt(5, tree.read)), 'size1 = 0 with the empty root');
  t.notOk(verifyConsistency(3, 3, [], rootAt(3, tree.read), rootAt(4, tree.read)), 'equal sizes need equal roots');
  t.notOk(verifyConsistency(3, 5, [], rootAt(3, tree.read), rootAt(5, tree.read)), 'empty proof for size1 < size2');
});

t.test('exhaustive for every size up to 64', async (t) => {
  const { tree, leaves } = treeFor(0);
  const hex = (proof: Buffer[]): string => proof.map((h) => h.toString('hex')).join(',');
  let inclusions = 0;
  let consistencies = 0;
  for (let n2 = 0; n2 <= 64; n2 += 1) {
    const prefix = leaves.slice(0, n2);
    const root2 = rootAt(n2, tree.read);
    const fast: string[] = [];
    const naive: string[] = [];
    let verified = true;
    for (let index = 0; index < n2; index += 1) {
      const proof = inclusionProof(index, n2, tree.read);
      fast.push(hex(proof));
      naive.push(hex(reference.path(index, prefix)));
      verified &&= verifyInclusion(leaves[index]!, index, n2, proof, root2);
      inclusions += 1;
    }
    for (let n1 = 0; n1 <= n2; n1 += 1) {
      const proof = consistencyProof(n1, n2, tree.read);
      fast.push(hex(proof));
      naive.push(hex(reference.consistency(n1, prefix)));
      verified &&= verifyConsistency(n1, n2, proof, rootAt(n1, tree.read), root2);
      consistencies += 1;
    }
    t.same(fast, naive, `size ${n2}: every PATH and PROOF equals the reference`);
    t.ok(verified, `size ${n2}: every proof verifies`);
  }
  t.equal(inclusions, 2080);
  t.equal(consistencies, 2145);
});

/** The builder's emitted nodes are a complete node store, and a restored builder continues exactly. */
import fc from 'fast-check';
import t from 'tap';
import { emptyRoot } from '../../src/transparency/hashing.js';
import { consistencyProof, inclusionProof, rootAt, rootNodes } from '../../src/transparency/merkle.js';
import { createPackedGrower, createTreeBuilder, packedEdge, restoreTreeBuilder, type StoredNode } from '../../src/transparency/tree-builder.js';
import { verifyConsistency, verifyInclusion } from '../../src/transparency/verify.js';
import { leafHashes, memoryTree, nodeKey } from './memory-tree.js';
import * as reference from './reference.js';

const popcount = (n: number): number => n.toString(2).replaceAll('0', '').length;
const trailingOnes = (n: number): number => n.toString(2).length - n.toString(2).replace(/1+$/, '').length;

t.test('an empty builder has the empty root', async (t) => {
  const builder = createTreeBuilder();
  t.equal(builder.size, 0);
  t.same(builder.root(), emptyRoot());
  t.same(builder.edge(), []);
});

t.test('each append emits the leaf and the nodes it completes; the root follows the reference', async (t) => {
  const leaves = leafHashes(300, 7);
  const builder = createTreeBuilder();
  let stored = 0;
  let ok = true;
  for (const [i, leaf] of leaves.entries()) {
    const emitted = builder.append(leaf);
    ok &&= emitted.length === 1 + trailingOnes(i);
    ok &&= emitted[0]!.level === 0 && emitted[0]!.index === i && emitted[0]!.hash.equals(leaf);
    ok &&= emitted.every((node, k) => node.level === k && node.index === Math.floor(i / 2 ** k));
    ok &&= builder.size === i + 1 && builder.root().equals(reference.mth(leaves.slice(0, i + 1)));
    ok &&= builder.edge().length === popcount(i + 1);
    stored += emitted.length;
  }
  t.ok(ok, 'emitted nodes, size, edge and root after every one of 300 appends');
  t.equal(stored, 2 * 300 - popcount(300), 'a tree of n leaves stores 2n - popcount(n) nodes');
  t.throws(() => builder.append(Buffer.alloc(31)), TypeError, 'a leaf hash must be 32 bytes');
  t.equal(builder.size, 300, 'a rejected append changes nothing');
});

t.test('emitted nodes answer roots and proofs for every smaller size', async (t) => {
  const leaves = leafHashes(100, 8);
  const tree = memoryTree(leaves);
  let ok = true;
  for (let n = 0; n <= 100; n += 1) {
    const root = rootAt(n, tree.read);
    ok &&= root.equals(reference.mth(leaves.slice(0, n)));
    for (const index of [0, Math.floor(n / 2), n - 1].filter((i) => i >= 0 && i < n)) {
      ok &&= verifyInclusion(leaves[index]!, index, n, inclusionProof(index, n, tree.read), root);
    }
    ok &&= verifyConsistency(Math.floor(n / 3), n, consistencyProof(Math.floor(n / 3), n, tree.read), rootAt(Math.floor(n / 3), tree.read), root);
  }
  t.ok(ok, 'sizes 0..100 from one store of 100 leaves');
  const node = [...tree.nodes.entries()].find(([key]) => key === nodeKey(6, 0));
  t.ok(node?.[1].equals(reference.mth(leaves.slice(0, 64))), 'node (6, 0) is the root of the first 64 leaves');
});

t.test('a restored builder equals one built from scratch and continues identically', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 200 }), (restoreAt, more) => {
      const leaves = leafHashes(restoreAt + more, restoreAt);
      const scratch = memoryTree(leaves.slice(0, restoreAt));
      scratch.resetReads();
      const restored = restoreTreeBuilder(restoreAt, scratch.read);
      const reads = scratch.reads();
      if (reads !== popcount(restoreAt) || reads !== rootNodes(restoreAt).length) throw new Error(`${reads} reads`);
      if (restored.size !== restoreAt || !restored.root().equals(scratch.builder.root())) throw new Error('root differs');
      const fromArray = restoreTreeBuilder(restoreAt, scratch.builder.edge().map((node) => node.hash));
      for (const leaf of leaves.slice(restoreAt)) {
        const a: StoredNode[] = scratch.builder.append(leaf);
        const b: StoredNode[] = restored.append(leaf);
        const c: StoredNode[] = fromArray.append(leaf);
        const same = (x: StoredNode[], y: StoredNode[]): boolean =>
          x.length === y.length && x.every((n, i) => n.level === y[i]!.level && n.index === y[i]!.index && n.hash.equals(y[i]!.hash));
        if (!same(a, b) || !same(a, c)) throw new Error(`emitted nodes differ at leaf ${restored.size - 1}`);
      }
      return restored.root().equals(scratch.builder.root()) && fromArray.root().equals(reference.mth(leaves));
    }),
    { numRuns: 40 },
  );
  t.pass('40 random restore points');
  t.throws(() => restoreTreeBuilder(5, [Buffer.alloc(32)]), RangeError, 'restoring size 5 needs 2 node hashes');
  t.throws(() => restoreTreeBuilder(1, () => Buffer.alloc(16)), TypeError, 'a stored node must be 32 bytes');
  t.throws(() => restoreTreeBuilder(-1, []), RangeError, 'negative size');
});

t.test('the packed grower, from any starting size, writes exactly the nodes and edge the builder emits', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 200 }), (start, count) => {
      const leaves = leafHashes(start + count, start);
      const builder = createTreeBuilder();
      for (const leaf of leaves.slice(0, start)) builder.append(leaf);
      const grower = createPackedGrower(start, packedEdge(builder));
      const out = new Uint8Array(32 * (2 * count + 64));
      let at = 0;
      const expected: Buffer[] = [];
      for (const leaf of leaves.slice(start)) {
        at = grower.appendInto(leaf, out, at);
        for (const node of builder.append(leaf)) expected.push(node.hash);
      }
      return grower.size === start + count && Buffer.from(out.subarray(0, at)).equals(Buffer.concat(expected)) && Buffer.from(grower.packedEdge()).equals(packedEdge(builder));
    }),
    { numRuns: 200 },
  );
  t.pass('200 random starts and lengths agree');
});

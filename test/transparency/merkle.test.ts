/** Node plans of merkle.ts: which complete nodes a root or proof reads, including sizes beyond 2^32. */
import t from 'tap';
import { leafHash, nodeHash } from '../../src/transparency/hashing.js';
import {
  consistencyNodes,
  consistencyProof,
  inclusionNodes,
  inclusionProof,
  proofFromNodes,
  proofLength,
  rangeNodes,
  rootAt,
  rootFromNodes,
  rootNodes,
  type NodeId,
  type NodeReader,
} from '../../src/transparency/merkle.js';
import { verifyConsistency, verifyInclusion } from '../../src/transparency/verify.js';
import { leafHashes, memoryTree } from './memory-tree.js';
import * as reference from './reference.js';

const ids = (pairs: [number, number][]): NodeId[] => pairs.map(([level, index]) => ({ level, index }));

t.test('compact ranges', async (t) => {
  t.same(rangeNodes(0, 0), []);
  t.same(rangeNodes(0, 13), ids([[3, 0], [2, 2], [0, 12]]));
  t.same(rangeNodes(3, 13), ids([[0, 3], [2, 1], [2, 2], [0, 12]]));
  t.same(rootNodes(2 ** 40 + 1), ids([[40, 0], [0, 2 ** 40]]));
  t.throws(() => rangeNodes(5, 4), RangeError);
  t.throws(() => rootNodes(1.5), RangeError);
  t.throws(() => rootNodes(2 ** 53), RangeError);
});

t.test('proof plans name complete nodes, the ephemeral range and the proof length', async (t) => {
  t.same(inclusionNodes(5, 8), { ids: ids([[0, 4], [1, 3], [2, 0]]), begin: 3, end: 3 });
  // Leaf 0 of 7: siblings (0,1), (1,1), then MTH(D[4:7]) folded from (1,2) and (0,6).
  const plan = inclusionNodes(0, 7);
  t.same(plan, { ids: ids([[0, 1], [1, 1], [1, 2], [0, 6]]), begin: 2, end: 4 });
  t.equal(proofLength(plan), 3);
  t.same(consistencyNodes(6, 8), { ids: ids([[1, 2], [1, 3], [2, 0]]), begin: 3, end: 3 });
  t.same(consistencyNodes(4, 8), { ids: ids([[2, 1]]), begin: 1, end: 1 }, 'power-of-two size1 omits the old root');
  t.same(consistencyNodes(0, 8), { ids: [], begin: 0, end: 0 });
  t.same(consistencyNodes(8, 8), { ids: [], begin: 0, end: 0 });
  t.throws(() => inclusionNodes(8, 8), RangeError, 'index must be below size');
  t.throws(() => inclusionNodes(-1, 8), RangeError);
  t.throws(() => consistencyNodes(9, 8), RangeError);
});

t.test('plans fetched asynchronously give the same proofs', async (t) => {
  const leaves = leafHashes(77, 3);
  const tree = memoryTree(leaves);
  const fetch = async (nodes: readonly NodeId[]): Promise<Uint8Array[]> =>
    Promise.all(nodes.map(async ({ level, index }) => tree.read(level, index)));
  const plan = inclusionNodes(70, 77);
  t.same(proofFromNodes(plan, await fetch(plan.ids)), reference.path(70, leaves));
  const cplan = consistencyNodes(33, 77);
  t.same(proofFromNodes(cplan, await fetch(cplan.ids)), reference.consistency(33, leaves));
  t.same(rootFromNodes(await fetch(rootNodes(77))), reference.mth(leaves));
  t.throws(() => proofFromNodes(plan, []), RangeError, 'hash count must match the plan');
  t.throws(() => rootAt(3, () => Buffer.alloc(20)), TypeError, 'a reader returning a short hash is caught');
});

t.test('sizes beyond 2^32 (a tree of identical leaves, so every node of a level has one hash)', async (t) => {
  const levels = [leafHash(Buffer.from('same'))];
  for (let l = 1; l <= 53; l += 1) levels.push(nodeHash(levels[l - 1]!, levels[l - 1]!));
  let size = 0;
  const read: NodeReader = (level, index) => {
    if ((index + 1) * 2 ** level > size) throw new Error(`node (${level}, ${index}) is not complete in size ${size}`);
    return levels[level]!;
  };
  const cases = [
    [2 ** 32 + 3, 2 ** 32 - 1, 2 ** 33 + 5],
    [2 ** 40 + 2 ** 31 + 7, 2 ** 31, 2 ** 45 - 1],
    [2 ** 52 + 12345, 2 ** 52 + 12344, 2 ** 53 - 1],
  ];
  for (const [size1, index, size2] of cases as [number, number, number][]) {
    size = size2;
    const root1 = rootAt(size1, read);
    const root2 = rootAt(size2, read);
    t.ok(verifyInclusion(levels[0]!, index, size2, inclusionProof(index, size2, read), root2), `leaf ${index} of ${size2}`);
    t.ok(verifyConsistency(size1, size2, consistencyProof(size1, size2, read), root1, root2), `${size1} → ${size2}`);
    t.notOk(verifyConsistency(size1, size2, consistencyProof(size1, size2, read), root2, root2), `${size1} → ${size2} with a wrong root1`);
  }
});

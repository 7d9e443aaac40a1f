/** Known-answer tests: every vector under test/fixtures/transparency/ against the fast and reference code. */
import t from 'tap';
import { emptyRoot, fromHex, hashFromHex, leafHash, nodeHash, toHex } from '../../src/transparency/hashing.js';
import { consistencyProof, inclusionProof, rootAt } from '../../src/transparency/merkle.js';
import { rootFromInclusionProof, verifyConsistency, verifyInclusion } from '../../src/transparency/verify.js';
import { consistencyFixture, hasherFixture, inclusionFixture, rootsFixture } from './fixtures.js';
import { memoryTree } from './memory-tree.js';
import * as reference from './reference.js';

const roots = rootsFixture();
const leaves = roots.leafInputsHex.map((hex) => leafHash(fromHex(hex)));
const tree = memoryTree(leaves);
const rootOf = (size: number): Buffer => hashFromHex(roots.rootsBySize[String(size)] ?? '');

t.test('hasher vectors (rfc6962-hasher.json)', async (t) => {
  const { leaves: leafCases, nodes } = hasherFixture();
  for (const c of leafCases) t.equal(toHex(leafHash(Buffer.from(c.inputUtf8))), c.hash, `leaf(${c.inputUtf8})`);
  for (const c of nodes) {
    t.equal(toHex(nodeHash(Buffer.from(c.leftUtf8), Buffer.from(c.rightUtf8))), c.hash, `node(${c.leftUtf8}, ${c.rightUtf8})`);
  }
  t.equal(toHex(emptyRoot()), roots.rootsBySize['0'], 'empty root');
});

t.test('leaf hashes and roots of sizes 0..8 (rfc6962-roots.json)', async (t) => {
  t.same(leaves.map(toHex), roots.leafHashes, 'leaf hashes');
  t.same(Object.keys(roots.rootsBySize).map(Number), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  for (let size = 0; size <= 8; size += 1) {
    const expected = roots.rootsBySize[String(size)];
    t.equal(toHex(rootAt(size, tree.read)), expected, `rootAt(${size})`);
    t.equal(toHex(reference.mth(leaves.slice(0, size))), expected, `reference MTH(D[${size}])`);
  }
  t.equal(toHex(tree.builder.root()), roots.rootsBySize['8'], 'builder root');
});

t.test('inclusion proofs (inclusion-proofs.json)', async (t) => {
  const { cases } = inclusionFixture();
  t.ok(cases.length >= 5);
  for (const { index, size, proof } of cases) {
    const name = `leaf ${index} of ${size}`;
    t.same(inclusionProof(index, size, tree.read).map(toHex), proof, `${name}: fast proof`);
    t.same(reference.path(index, leaves.slice(0, size)).map(toHex), proof, `${name}: reference PATH`);
    const hashes = proof.map(hashFromHex);
    const leaf = leaves[index]!;
    t.equal(verifyInclusion(leaf, index, size, hashes, rootOf(size)), true, `${name}: verifies`);
    t.equal(toHex(rootFromInclusionProof(leaf, index, size, hashes)), roots.rootsBySize[String(size)], `${name}: root`);
  }
});

t.test('consistency proofs (consistency-proofs.json)', async (t) => {
  const { cases } = consistencyFixture();
  t.ok(cases.length >= 5);
  for (const { size1, size2, proof } of cases) {
    const name = `${size1} → ${size2}`;
    t.same(consistencyProof(size1, size2, tree.read).map(toHex), proof, `${name}: fast proof`);
    t.same(reference.consistency(size1, leaves.slice(0, size2)).map(toHex), proof, `${name}: reference PROOF`);
    t.equal(verifyConsistency(size1, size2, proof.map(hashFromHex), rootOf(size1), rootOf(size2)), true, `${name}: verifies`);
  }
});

t.test('every proof of the 8-leaf tree matches the reference and verifies', async (t) => {
  for (let size = 1; size <= 8; size += 1) {
    for (let index = 0; index < size; index += 1) {
      const proof = inclusionProof(index, size, tree.read);
      t.same(proof, reference.path(index, leaves.slice(0, size)), `PATH(${index}, D[${size}])`);
      t.ok(verifyInclusion(leaves[index]!, index, size, proof, rootOf(size)));
    }
  }
  for (let size2 = 0; size2 <= 8; size2 += 1) {
    for (let size1 = 0; size1 <= size2; size1 += 1) {
      const proof = consistencyProof(size1, size2, tree.read);
      t.same(proof, reference.consistency(size1, leaves.slice(0, size2)), `PROOF(${size1}, D[${size2}])`);
      t.ok(verifyConsistency(size1, size2, proof, rootOf(size1), rootOf(size2)));
    }
  }
});

t.test('consistency verification prepends root1 when size1 is a power of two', async (t) => {
  // Proof 4 → 8 is just [MTH(D[4:8])]: the old root is not in it, so a verifier that skips RFC 9162 §2.1.4.2
  // step 1 can only fail (or accept a forged proof carrying root1 itself).
  const proof = consistencyProof(4, 8, tree.read);
  t.equal(proof.length, 1);
  t.ok(verifyConsistency(4, 8, proof, rootOf(4), rootOf(8)));
  t.notOk(verifyConsistency(4, 8, [rootOf(4), ...proof], rootOf(4), rootOf(8)), 'root1 sent in the proof is rejected');
});

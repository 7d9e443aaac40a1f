import t from 'tap';
import { createTreeBuilder } from '../../src/transparency/tree-builder.js';
import { verifyCheckpoint } from '../../src/transparency/checkpoint.js';
import { eventLeafHash } from '../../src/transparency/leaf.js';
import { fromHex, toHex } from '../../src/transparency/hashing.js';
import { verifyConsistency, verifyInclusion } from '../../src/transparency/verify.js';
import { admin, startService } from '../helpers/service.js';

const launch = (app: Awaited<ReturnType<typeof startService>>['app'], n: number) =>
  app.inject({ method: 'POST', url: '/initiatives', headers: admin, payload: { name: `Initiative ${n}`, problemStatement: `Problem number ${n}, stated.` } });

t.test('the audit API serves a verifiable log: entries, signed checkpoints, inclusion and consistency proofs', async (t) => {
  const service = await startService(t, { PUBLIC_URL: 'https://ledger.example.org' });
  const { app } = service;
  for (let i = 0; i < 3; i++) await launch(app, i);

  const vkey = (await app.inject({ method: 'GET', url: '/audit/public-key' })).body.trim();
  t.match(vkey, /^ledger\.example\.org\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$/, 'the verifier key is named after the origin');
  const first = await app.inject({ method: 'GET', url: '/audit/checkpoint', headers: admin });
  t.match(first.headers['content-type'], /^text\/plain/);
  const cp1 = verifyCheckpoint(first.body, vkey, { origin: 'ledger.example.org' }).checkpoint;
  t.equal(cp1.size, 3, 'the first checkpoint covers the three events');

  for (let i = 3; i < 7; i++) await launch(app, i);
  const signed = await app.inject({ method: 'POST', url: '/audit/checkpoints', headers: admin });
  t.equal(signed.statusCode, 201);
  const cp2 = verifyCheckpoint(signed.body, vkey).checkpoint;
  t.equal(cp2.size, 7);

  const page = (await app.inject({ method: 'GET', url: '/audit/events?from=0&limit=5', headers: admin })).json();
  t.equal(page.entries.length, 5);
  t.equal(page.next, 5);
  const rest = (await app.inject({ method: 'GET', url: '/audit/events?from=5', headers: admin })).json();
  t.equal(rest.next, null, 'the last page says there is no more');
  const entries = [...page.entries, ...rest.entries];
  const builder = createTreeBuilder();
  for (const entry of entries) {
    t.equal(toHex(eventLeafHash(entry.event)), entry.leafHash, `leaf ${entry.seq} is the hash of the event as served`);
    builder.append(eventLeafHash(entry.event));
  }
  t.equal(toHex(builder.root()), toHex(cp2.root), 'recomputing the tree from the entries gives the signed root');
  t.same(Object.keys(entries[0].event).sort(), ['data', 'id', 'metadata', 'revision', 'seq', 'stream', 'type']);

  const proof = (await app.inject({ method: 'GET', url: '/audit/proof/inclusion?seq=4&treeSize=7', headers: admin })).json();
  t.ok(verifyInclusion(fromHex(proof.leafHash), 4, 7, proof.hashes.map(fromHex), cp2.root), 'inclusion proof verifies against the checkpoint');
  const consistency = (await app.inject({ method: 'GET', url: '/audit/proof/consistency?from=3&to=7', headers: admin })).json();
  t.ok(verifyConsistency(3, 7, consistency.hashes.map(fromHex), cp1.root, cp2.root), 'the later checkpoint extends the earlier one');

  const list = (await app.inject({ method: 'GET', url: '/audit/checkpoints?from=0', headers: admin })).json();
  t.same(list.checkpoints.map((c: { size: number }) => c.size), [3, 7], 'checkpoints are kept');

  const exported = await app.inject({ method: 'GET', url: '/audit/export', headers: admin });
  t.match(exported.headers['content-type'], /application\/x-ndjson/);
  t.same(exported.body.trim().split('\n').map((line) => JSON.parse(line)), entries, 'the export is the same entries, one per line');
});

t.test('a write receipt links to its inclusion proof', async (t) => {
  const { app } = await startService(t);
  const receipt = (await launch(app, 1)).json();
  t.equal(receipt.inclusion, `/audit/proof/inclusion?seq=${receipt.seq}`);
  const res = await app.inject({ method: 'GET', url: receipt.inclusion, headers: admin });
  t.equal(res.statusCode, 200);
  const proof = res.json();
  const note = (await app.inject({ method: 'GET', url: '/audit/checkpoint', headers: admin })).body;
  const vkey = (await app.inject({ method: 'GET', url: '/audit/public-key' })).body.trim();
  const checkpoint = verifyCheckpoint(note, vkey).checkpoint;
  t.equal(proof.treeSize, checkpoint.size, 'without treeSize the proof is against a signed checkpoint');
  t.ok(verifyInclusion(fromHex(proof.leafHash), receipt.seq, proof.treeSize, proof.hashes.map(fromHex), checkpoint.root));
});

t.test('out-of-range proofs are 400/404 problems; the audit API needs an auditor or admin key', async (t) => {
  const { app } = await startService(t);
  await launch(app, 1);
  const beyond = await app.inject({ method: 'GET', url: '/audit/proof/inclusion?seq=5', headers: admin });
  t.equal(beyond.statusCode, 404);
  const badSize = await app.inject({ method: 'GET', url: '/audit/proof/consistency?from=1&to=9', headers: admin });
  t.equal(badSize.statusCode, 400);
  t.match(badSize.json(), { type: '/problems/out-of-range' });
  const notNumber = await app.inject({ method: 'GET', url: '/audit/events?from=abc', headers: admin });
  t.equal(notNumber.statusCode, 400);
  t.match(notNumber.json().errors, [{ path: 'querystring.from' }]);
  t.equal((await app.inject({ method: 'GET', url: '/audit/events' })).statusCode, 401);
});

t.test('a restart resumes the tree from stored nodes with the same root and checkpoints', async (t) => {
  const first = await startService(t);
  for (let i = 0; i < 5; i++) await launch(first.app, i);
  const note = (await first.app.inject({ method: 'POST', url: '/audit/checkpoints', headers: admin })).body;
  const root = toHex(first.transparency.root());
  await first.stop();

  const again = await startService(t, { DATA_DIR: first.dataDir });
  t.equal(again.transparency.size(), 5, 'the tree size came back without replaying the log');
  t.equal(toHex(again.transparency.root()), root);
  t.equal((await again.app.inject({ method: 'GET', url: '/audit/checkpoint', headers: admin })).body, note, 'the checkpoint history survived');
  await launch(again.app, 6);
  t.equal(again.transparency.size(), 6, 'and the tree keeps growing');
});

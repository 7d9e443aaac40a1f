import t, { type Test } from 'tap';
import Database from 'better-sqlite3';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigner } from '../../src/transparency/signed-note.js';
import { formatReport } from '../../src/verifier/format-report.js';
import { verifyLog, type VerifyOptions } from '../../src/verifier/verify-log.js';
import { collectLines, spawnTs } from '../helpers/child.js';
import { ADMIN_TOKEN, admin, startService } from '../helpers/service.js';
import { tempDir } from '../helpers/temp-dir.js';

type Running = Awaited<ReturnType<typeof startService>> & { url: string };

/** A whole service on a temp DATA_DIR, listening on a free port. */
const serve = async (t: Test, env: Record<string, string> = {}): Promise<Running> => {
  const service = await startService(t, env);
  const url = await service.app.listen({ port: 0, host: '127.0.0.1' });
  return Object.assign(service, { url });
};

const launch = async (service: Running, n: number): Promise<void> => {
  const response = await service.app.inject({
    method: 'POST',
    url: '/initiatives',
    headers: admin,
    payload: { name: `Initiative ${n}`, problemStatement: `Problem number ${n}, stated.` },
  });
  if (response.statusCode !== 201) throw new Error(`launch ${n}: ${response.statusCode} ${response.body}`);
};

/** Writes initiatives [from, to) and signs a checkpoint of the whole log. */
const grow = async (service: Running, from: number, to: number): Promise<void> => {
  for (let n = from; n < to; n++) await launch(service, n);
  const signed = await service.app.inject({ method: 'POST', url: '/audit/checkpoints', headers: admin });
  if (signed.statusCode !== 201) throw new Error(`checkpoint: ${signed.statusCode} ${signed.body}`);
};

const verify = (service: Running, options: Partial<VerifyOptions> = {}) =>
  verifyLog({ url: service.url, key: ADMIN_TOKEN, publicKey: service.transparency.publicKey, ...options });

/** Opens the service's event store file directly, as an attacker with disk access would. */
const withEventsDb = <T>(dataDir: string, work: (db: Database.Database, positionOf: (seq: number) => number) => T): T => {
  const db = new Database(join(dataDir, 'events.sqlite'));
  try {
    const position = db.prepare<[number], number>('SELECT position FROM events ORDER BY position LIMIT 1 OFFSET ?').pluck();
    return work(db, (seq) => {
      const found = position.get(seq);
      if (found === undefined) throw new Error(`no event at seq ${seq}`);
      return found;
    });
  } finally {
    db.close();
  }
};

/** Changes one character inside a string value of the stored event `seq`. */
const tamperOneByte = (dataDir: string, seq: number): void =>
  withEventsDb(dataDir, (db, positionOf) => {
    const position = positionOf(seq);
    const data = db.prepare<[number], string>('SELECT data FROM events WHERE position = ?').pluck().get(position)!;
    const at = data.indexOf('Initiative ') + 'Initiative '.length;
    const altered = `${data.slice(0, at)}${data[at] === '9' ? '8' : '9'}${data.slice(at + 1)}`;
    db.prepare('UPDATE events SET data = ? WHERE position = ?').run(altered, position);
  });

/** Swaps the contents (everything but the position) of the stored events `a` and `b`. */
const swapEvents = (dataDir: string, a: number, b: number): void =>
  withEventsDb(dataDir, (db, positionOf) => {
    const [pa, pb] = [positionOf(a), positionOf(b)];
    const row = db.prepare<[number], Record<string, unknown>>('SELECT id, stream, revision, type, data, metadata FROM events WHERE position = ?');
    const [ra, rb] = [row.get(pa)!, row.get(pb)!];
    const insert = db.prepare('INSERT INTO events (position, id, stream, revision, type, data, metadata) VALUES (@position, @id, @stream, @revision, @type, @data, @metadata)');
    db.transaction(() => {
      db.prepare('DELETE FROM events WHERE position IN (?, ?)').run(pa, pb);
      insert.run({ ...rb, position: pa });
      insert.run({ ...ra, position: pb });
    })();
  });

/** Deletes the last `count` stored events. */
const truncateEvents = (dataDir: string, count: number): void =>
  withEventsDb(dataDir, (db) => {
    db.prepare('DELETE FROM events WHERE position IN (SELECT position FROM events ORDER BY position DESC LIMIT ?)').run(count);
  });

/** Stops the service and starts it again on the same DATA_DIR with a fresh local.sqlite: the tree is rebuilt from the store. */
const restartOnFreshTree = async (t: Test, service: Running, expectedSize: number): Promise<Running> => {
  await service.stop();
  for (const suffix of ['', '-wal', '-shm']) rmSync(join(service.dataDir, `local.sqlite${suffix}`), { force: true });
  const again = await serve(t, { DATA_DIR: service.dataDir });
  const deadline = Date.now() + 10_000;
  while (again.transparency.size() < expectedSize) {
    if (Date.now() > deadline) throw new Error(`the tree only reached ${again.transparency.size()} of ${expectedSize}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return again;
};

const statuses = (checks: { name: string; status: string }[]) => Object.fromEntries(checks.map((c) => [c.name, c.status]));

t.test('a clean log verifies: every leaf re-hashed, the signed root recomputed', async (t) => {
  const service = await serve(t);
  await grow(service, 0, 5);
  const report = await verify(service, { pageSize: 2 });
  t.ok(report.ok, report.headline);
  t.same(statuses(report.checks), {
    'public key': 'ok',
    'checkpoint signature': 'ok',
    entries: 'ok',
    root: 'ok',
    'saved checkpoints': 'skipped',
    'projection digests': 'ok',
  });
  t.match(report.checkpoint, { size: 5, root: /^[0-9a-f]{64}$/ });
  t.same(report.leaves, { total: 5, fromState: 0, downloaded: 5, redacted: 0, beyondCheckpoint: false });
  t.equal(report.firstBadSeq, null);
  t.same(report.failures, []);
  t.match(report.headline, /^OK: the log verifies up to its checkpoint of size 5/);
  const text = formatReport(report);
  t.match(text, /6 projections replayed over 5 events/, 'every projection was replayed and its digests matched the server\'s');
  t.match(text, /given with --public-key/);

  await launch(service, 5);
  const later = await verify(service);
  t.ok(later.ok, 'entries beyond the checkpoint do not fail the run');
  t.equal(later.leaves.total, 5, 'only the signed part is verified');
  t.ok(later.leaves.beyondCheckpoint, 'the report says that more entries exist');
});

t.test('an auditor scoped to one initiative: other initiatives’ entries are redacted, and the whole tree still verifies', async (t) => {
  const service = await serve(t);
  await grow(service, 0, 3);
  const mine = (await service.app.inject({ method: 'GET', url: '/audit/events?from=1&limit=1', headers: admin })).json().entries[0].event.data.initiativeId as string;
  await service.app.inject({ method: 'POST', url: `/initiatives/${mine}/partners`, headers: admin, payload: { name: 'River Trust', sector: 'nonprofit', primaryInterests: ['water'] } });
  const issued = await service.app.inject({ method: 'POST', url: '/access-keys', headers: admin, payload: { role: 'auditor', initiativeId: mine, label: 'scoped auditor' } });
  const key = issued.json().key as string;
  await grow(service, 3, 5);
  const auditor = { authorization: `Bearer ${key}` };

  const entries = (await service.app.inject({ method: 'GET', url: '/audit/events?from=0&limit=100', headers: auditor })).json().entries as Array<{ seq: number; leafHash: string; event?: { data: { initiativeId?: string } } }>;
  const full = (await service.app.inject({ method: 'GET', url: '/audit/events?from=0&limit=100', headers: admin })).json().entries as typeof entries;
  t.equal(entries.length, full.length, 'every leaf is listed');
  t.same(entries.map((e) => e.leafHash), full.map((e) => e.leafHash), 'with its leaf hash');
  const visible = entries.filter((e) => e.event);
  t.same(visible.map((e) => e.seq), [1, 3, 4], 'the events of its initiative (launch, partner, its own key) in full …');
  t.ok(entries.filter((e) => !e.event).every((e) => Object.keys(e).sort().join() === 'leafHash,seq'), '… every other one as { seq, leafHash } only');
  const exported = (await service.app.inject({ method: 'GET', url: '/audit/export', headers: auditor })).body.trim().split('\n').map((line) => JSON.parse(line) as { event?: unknown });
  t.equal(exported.filter((e) => e.event).length, 3, 'the export is redacted the same way');
  const digests = (await service.app.inject({ method: 'GET', url: '/audit/digests', headers: auditor })).json().digests as Record<string, Record<string, string>>;
  t.ok(Object.values(digests).every((byInitiative) => Object.keys(byInitiative).every((id) => id === mine)), 'digests of its initiative only');

  const report = await verifyLog({ url: service.url, key, publicKey: service.transparency.publicKey });
  t.ok(report.ok, report.headline);
  t.equal(report.leaves.redacted, full.length - 3);
  t.match(formatReport(report), /6 projections replayed over 3 visible events \(\d+ of other initiatives redacted\)/);
});

t.test('with a state dir: trust on first use, then only new entries are downloaded and checked for consistency', async (t) => {
  const service = await serve(t);
  const state = tempDir(t);
  await grow(service, 0, 3);

  const first = await verify(service, { publicKey: undefined, stateDir: state });
  t.ok(first.ok, first.headline);
  t.same(first.publicKey, { key: service.transparency.publicKey, source: 'server' });
  t.match(first.warnings.join('\n'), /TRUST ON FIRST USE/);
  t.match(formatReport(first), /TRUST ON FIRST USE/);
  t.same(first.state, { dir: state, saved: true });
  t.equal(statSync(join(state, 'leaves.bin')).size, 3 * 32, 'the recomputed leaf hashes are kept');
  const saved = JSON.parse(readFileSync(join(state, 'state.json'), 'utf8'));
  t.equal(saved.publicKey, service.transparency.publicKey, 'the key is pinned');
  t.same(saved.checkpoints.map((c: { size: number }) => c.size), [3]);

  await grow(service, 3, 7);
  const second = await verify(service, { publicKey: undefined, stateDir: state });
  t.ok(second.ok, second.headline);
  t.same(second.publicKey, { key: service.transparency.publicKey, source: 'state' }, 'the pinned key is used');
  t.same(second.warnings, [], 'no trust on first use the second time');
  t.same(second.leaves, { total: 7, fromState: 3, downloaded: 4, redacted: 0, beyondCheckpoint: false }, 'only the 4 new entries are downloaded');
  t.same(second.savedCheckpoints, [3], 'the checkpoint was checked against the one saved before');
  t.equal(statuses(second.checks)['saved checkpoints'], 'ok');

  const third = await verify(service, { publicKey: undefined, stateDir: state });
  t.ok(third.ok);
  t.equal(third.leaves.downloaded, 0, 'nothing new: nothing downloaded');
  t.same(third.savedCheckpoints, [3, 7]);
  t.same(JSON.parse(readFileSync(join(state, 'state.json'), 'utf8')).checkpoints.map((c: { size: number }) => c.size), [3, 7]);

  const full = await verify(service, { stateDir: state, full: true });
  t.ok(full.ok, '--full re-downloads everything and finds the same leaves');
  t.equal(full.leaves.downloaded, 7);
});

t.test('an interrupted download resumes where it stopped', async (t) => {
  const service = await serve(t);
  const state = tempDir(t);
  await grow(service, 0, 6);
  await t.rejects(
    verify(service, {
      stateDir: state,
      pageSize: 2,
      onProgress: ({ done }) => {
        if (done >= 4) throw new Error('interrupted');
      },
    }),
    { message: 'interrupted' },
  );
  t.equal(statSync(join(state, 'leaves.bin')).size, 4 * 32, 'the pages before the interruption were kept');
  const resumed = await verify(service, { stateDir: state, pageSize: 2 });
  t.ok(resumed.ok, resumed.headline);
  t.same(resumed.leaves, { total: 6, fromState: 4, downloaded: 2, redacted: 0, beyondCheckpoint: false });
});

t.test('one byte changed in a stored event: fails naming its seq', async (t) => {
  const service = await serve(t);
  await grow(service, 0, 6);
  tamperOneByte(service.dataDir, 3);
  const report = await verify(service, { pageSize: 4 });
  t.notOk(report.ok);
  t.equal(report.firstBadSeq, 3);
  t.match(report.failures[0], { kind: 'leaf-hash', seq: 3 });
  t.match(report.headline, /^FAILED at seq 3: the served event does not hash to the log's leaf hash/);
  t.match(report.failures, [{ seq: 3 }, { kind: 'root', checkpoint: 6, seq: 3 }], 'the root no longer matches either');
  t.equal(statuses(report.checks).entries, 'failed');
  t.match(formatReport(report), /FAILED at seq 3/);
});

t.test('two events swapped: fails naming the first of the two', async (t) => {
  const service = await serve(t);
  await grow(service, 0, 6);
  swapEvents(service.dataDir, 1, 4);
  const report = await verify(service);
  t.notOk(report.ok);
  t.equal(report.firstBadSeq, 1);
  t.match(report.headline, /^FAILED at seq 1:/);
  t.same(report.failures.filter((f) => f.kind === 'leaf-hash').map((f) => f.seq), [1, 4]);
});

t.test('the log truncated under the server: fails naming the first missing seq', async (t) => {
  const service = await serve(t);
  await grow(service, 0, 6);
  truncateEvents(service.dataDir, 2);
  const report = await verify(service);
  t.notOk(report.ok);
  t.equal(report.firstBadSeq, 4);
  t.match(report.failures[0], { kind: 'missing', seq: 4, message: /truncated/ });
  t.equal(statuses(report.checks).root, 'skipped', 'no root can be recomputed from a partial log');
});

t.test('the log truncated and its tree honestly rebuilt: a state dir saved at a larger size reports the shrink', async (t) => {
  const service = await serve(t);
  const state = tempDir(t);
  await grow(service, 0, 6);
  t.ok((await verify(service, { stateDir: state })).ok);
  const before = readFileSync(join(state, 'state.json'), 'utf8');

  truncateEvents(service.dataDir, 2);
  const again = await restartOnFreshTree(t, service, 4);
  await grow(again, 0, 0);
  const report = await verify(again, { stateDir: state });
  t.notOk(report.ok);
  t.equal(report.checkpoint?.size, 4, 'the server signed its shorter log');
  t.match(report.failures, [{ kind: 'shrank', checkpoint: 6, message: /the log shrank/ }]);
  t.equal(report.firstBadCheckpoint, 6);
  t.match(report.headline, /^FAILED at checkpoint 6: the log shrank/);
  t.equal(readFileSync(join(state, 'state.json'), 'utf8'), before, 'a failed run does not overwrite what earlier runs saw');
  t.equal(statSync(join(state, 'leaves.bin')).size, 6 * 32);
});

t.test('history rewritten and re-signed since an earlier run: fails naming the rewritten seq', async (t) => {
  const service = await serve(t);
  const state = tempDir(t);
  await grow(service, 0, 5);
  t.ok((await verify(service, { stateDir: state })).ok);

  tamperOneByte(service.dataDir, 2);
  const again = await restartOnFreshTree(t, service, 5);
  await grow(again, 5, 6);
  const report = await verify(again, { stateDir: state });
  t.notOk(report.ok);
  t.equal(report.firstBadSeq, 2);
  t.match(report.headline, /^FAILED at seq 2: rewritten since an earlier run/);
  t.match(
    report.failures,
    [
      { kind: 'rewritten', seq: 2 },
      { kind: 'root', checkpoint: 6, seq: 2 },
      { kind: 'inconsistent', checkpoint: 5 },
    ],
    'the re-downloaded leaf that differs, the root that differs, the consistency proof that fails',
  );

  const full = await verify(again, { stateDir: state, full: true });
  t.equal(full.firstBadSeq, 2, '--full finds it while downloading');
  t.ok(full.failures.some((f) => f.kind === 'rewritten' && f.checkpoint === 5), 'and the root at the saved size differs');
});

t.test('a checkpoint not signed by the pinned key fails on the signature', async (t) => {
  const service = await serve(t);
  await grow(service, 0, 2);
  const other = generateSigner(service.transparency.origin).verifierKey;
  const report = await verify(service, { publicKey: other });
  t.notOk(report.ok);
  t.match(report.failures, [{ kind: 'signature', checkpoint: 2 }]);
  t.match(report.headline, /^FAILED at checkpoint 2: the checkpoint does not verify with the pinned key/);
  t.equal(statuses(report.checks)['checkpoint signature'], 'failed');
  t.notOk(report.checks.some((c) => c.name === 'entries'), 'nothing is downloaded against an unverified checkpoint');

  const state = tempDir(t);
  t.ok((await verify(service, { stateDir: state })).ok);
  await t.rejects(verify(service, { stateDir: state, publicKey: other }), { kind: 'usage', message: /is not the key pinned in/ }, 'a --public-key contradicting the pinned one is refused');
});

t.test('a state dir pins the origin: a checkpoint of another log signed with the same key fails', async (t) => {
  const { signerKey } = generateSigner('shared-key');
  const state = tempDir(t);
  const first = await serve(t, { SIGNING_KEY: signerKey, LOG_ORIGIN: 'ledger.example.org/a' });
  await grow(first, 0, 2);
  t.ok((await verify(first, { stateDir: state })).ok);
  const other = await serve(t, { SIGNING_KEY: signerKey, LOG_ORIGIN: 'ledger.example.org/b' });
  await grow(other, 0, 2);
  const report = await verify(other, { stateDir: state });
  t.notOk(report.ok);
  t.match(report.failures, [{ kind: 'origin', checkpoint: 2, message: /ledger\.example\.org\/b.*pins.*ledger\.example\.org\/a/ }]);
});

t.test('usage and connection problems throw a VerifierError (exit 2), not a verdict', async (t) => {
  const service = await serve(t);
  await grow(service, 0, 1);
  await t.rejects(verify(service, { key: 'wrong-key-wrong-key-wrong-key-0123' }), { kind: 'connection', message: /401/ });
  await t.rejects(verify(service, { url: 'not a url' }), { name: 'VerifierError', kind: 'usage' });
  await t.rejects(verify(service, { publicKey: 'not-a-key' }), { kind: 'usage', message: /--public-key/ });
  await t.rejects(verify(service, { url: 'http://127.0.0.1:1' }), { name: 'VerifierError', kind: 'connection', message: /failed/ });
});

t.test('scripts/verify.ts: exit 0 on a clean log, 1 on a tampered one, 2 on bad usage', async (t) => {
  const service = await serve(t);
  await grow(service, 0, 3);
  const run = async (args: string[]) => {
    const lines: string[] = [];
    const { code, stderr } = await collectLines(spawnTs('scripts/verify.ts', args), (line) => lines.push(line));
    return { code, stdout: lines.join('\n'), stderr };
  };
  const args = ['--url', service.url, '--key', ADMIN_TOKEN, '--public-key', service.transparency.publicKey];
  const clean = await run(args);
  t.equal(clean.code, 0, clean.stderr);
  t.match(clean.stdout, /OK: the log verifies up to its checkpoint of size 3/);
  t.equal(clean.stderr, '', 'no progress bar when stderr is not a terminal');

  tamperOneByte(service.dataDir, 1);
  const tampered = await run([...args, '--json']);
  t.equal(tampered.code, 1);
  t.match(JSON.parse(tampered.stdout), { ok: false, firstBadSeq: 1, headline: /^FAILED at seq 1/ });

  const usage = await run(['--key', ADMIN_TOKEN]);
  t.equal(usage.code, 2);
  t.match(usage.stderr, /--url is required/);
  t.notOk(existsSync(join(process.cwd(), 'leaves.bin')));
});

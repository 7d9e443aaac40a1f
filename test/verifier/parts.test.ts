import t from 'tap';
import { emptyRoot, toHex } from '../../src/transparency/hashing.js';
import { eventLeafHash, type LogEntry } from '../../src/transparency/leaf.js';
import { createTreeBuilder } from '../../src/transparency/tree-builder.js';
import { checkEntry } from '../../src/verifier/check-entry.js';
import { checkProjectionDigests, type ProjectionReplay } from '../../src/verifier/digests.js';
import { formatReport } from '../../src/verifier/format-report.js';
import { createProgressBar } from '../../src/verifier/progress.js';
import { createReportBuilder, MAX_LISTED_FAILURES } from '../../src/verifier/report.js';
import { rootsAt } from '../../src/verifier/roots.js';
import type { TreeContext } from '../../src/verifier/tree-check.js';

const event = (seq: number): LogEntry => ({
  seq,
  id: `00000000-0000-4000-8000-00000000000${seq}`,
  stream: 'initiative-1',
  revision: seq,
  type: 'InitiativeLaunched',
  data: { name: `Initiative ${seq}` },
  metadata: { actor: { keyId: 'admin', role: 'admin' } },
});
const entry = (seq: number) => ({ seq, leafHash: toHex(eventLeafHash(event(seq))), event: event(seq) });

t.test('checkEntry: what a served entry must be', async (t) => {
  t.match(checkEntry(entry(3), 3), { seq: 3, status: 'ok', hash: eventLeafHash(event(3)) });
  t.match(checkEntry({ ...entry(3), event: { ...event(3), data: { name: 'Initiative 4' } } }, 3), {
    status: 'bad',
    failure: { kind: 'leaf-hash', seq: 3 },
  });
  t.match(checkEntry(entry(4), 3), { status: 'bad', failure: { kind: 'seq', seq: 3, message: /seq 4 in the place of seq 3/ } });
  t.match(checkEntry({ ...entry(3), event: event(4) }, 3), { status: 'bad', failure: { kind: 'seq', message: /says it is seq 4/ } });
  t.match(checkEntry({ ...entry(3), event: { ...event(3), extra: 1 } }, 3), { status: 'bad', failure: { kind: 'malformed', message: /extra/ } });
  t.match(checkEntry({ ...entry(3), leafHash: 'ABC' }, 3), { status: 'bad', failure: { kind: 'malformed', message: /leafHash/ } });
  t.match(checkEntry({ ...entry(3), event: { ...event(3), revision: -1 } }, 3), { status: 'bad', failure: { kind: 'malformed', message: /cannot be hashed/ } });
  t.match(checkEntry('nonsense', 3), { status: 'bad', failure: { kind: 'malformed' } });
  const redacted = checkEntry({ seq: 3, leafHash: entry(3).leafHash }, 3);
  t.match(redacted, { status: 'redacted', hash: eventLeafHash(event(3)) }, 'an entry out of scope keeps its leaf hash');
  t.equal(redacted.failure, undefined);
});

t.test('rootsAt: the roots of the recomputed tree at several sizes in one pass', async (t) => {
  const leaves = [0, 1, 2, 3, 4].map((seq) => eventLeafHash(event(seq)));
  const builder = createTreeBuilder();
  const expected = [toHex(builder.root())];
  for (const leaf of leaves) {
    builder.append(leaf);
    expected.push(toHex(builder.root()));
  }
  const roots = rootsAt(Buffer.concat(leaves), [0, 2, 5]);
  t.same([0, 2, 5].map((size) => toHex(roots.get(size)!)), [expected[0], expected[2], expected[5]]);
  t.equal(toHex(roots.get(0)!), toHex(emptyRoot()));
  t.throws(() => rootsAt(Buffer.concat(leaves), [6]), RangeError);
});

t.test('the report names the first bad seq, else the first bad checkpoint, and caps the list', async (t) => {
  const report = createReportBuilder('http://x/');
  report.fail({ kind: 'shrank', checkpoint: 9, message: 'shrank' });
  report.fail({ kind: 'leaf-hash', seq: 7, message: 'seven' });
  report.fail({ kind: 'leaf-hash', seq: 4, message: 'four' });
  for (let i = 0; i < MAX_LISTED_FAILURES; i++) report.fail({ kind: 'missing', seq: 100 + i, message: 'later' });
  const done = report.finish();
  t.notOk(done.ok);
  t.equal(done.firstBadSeq, 4);
  t.equal(done.firstBadCheckpoint, 9);
  t.equal(done.headline, 'FAILED at seq 4: four');
  t.equal(done.failures.length, MAX_LISTED_FAILURES);
  t.equal(done.omittedFailures, 3);
  t.match(formatReport(done), /… and 3 more/);

  const onlyCheckpoint = createReportBuilder('http://x/');
  onlyCheckpoint.fail({ kind: 'inconsistent', checkpoint: 12, message: 'not a prefix' });
  onlyCheckpoint.fail({ kind: 'shrank', checkpoint: 5, message: 'smaller' });
  t.equal(onlyCheckpoint.finish().headline, 'FAILED at checkpoint 5: smaller');
});

t.test('projection digests: 404 is "not available", served digests need replays', async (t) => {
  const context = (served: unknown) => {
    const report = createReportBuilder('http://x/');
    return { report, checkpoint: { size: 5 }, client: { digests: async () => served } } as unknown as TreeContext & { report: typeof report };
  };
  const none = context(undefined);
  await checkProjectionDigests([])(none);
  t.match(none.report.report.checks, [{ name: 'projection digests', status: 'skipped', summary: 'projection digests: not available from this server' }]);
  t.ok(none.report.finish().ok);

  const unchecked = context({ initiatives: 'abc' });
  await checkProjectionDigests([])(unchecked);
  t.match(unchecked.report.report.checks, [{ status: 'warning' }]);
  t.ok(unchecked.report.finish().ok, 'digests this verifier cannot replay are reported, not failed');

  const differs: ProjectionReplay = { name: 'initiatives', check: async () => ({ ok: false, summary: 'digest differs' }) };
  const bad = context({ initiatives: 'abc' });
  await checkProjectionDigests([differs])(bad);
  const report = bad.report.finish();
  t.notOk(report.ok);
  t.match(report.failures, [{ kind: 'digest', message: 'initiatives: digest differs' }]);
});

t.test('the progress bar draws only on a terminal', async (t) => {
  const written: string[] = [];
  const tty = createProgressBar({ isTTY: true, write: (chunk: string) => written.push(chunk) > 0 }, 0);
  tty.update({ phase: 'download', done: 5, total: 10 });
  tty.clear();
  t.match(written[0], /^\rdownloading \[#{15}-{15}\] 50% 5\/10 entries/);
  t.equal(written.at(-1), '\r\u001b[K');

  const quiet: string[] = [];
  const pipe = createProgressBar({ isTTY: false, write: (chunk: string) => quiet.push(chunk) > 0 }, 0);
  pipe.update({ phase: 'download', done: 5, total: 10 });
  pipe.clear();
  t.same(quiet, []);
});

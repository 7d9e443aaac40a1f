import t from 'tap';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { defineProjection } from '../../projections/projection.js';
import { createFollower } from '../../src/follower/follower.js';
import { createSeqIndex, openLocalDatabase } from '../../src/follower/local-state.js';
import { createSqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';
import { BACKGROUND_DEFLATE_CHARS, createSnapshotStore, layoutChunkRefs } from '../../src/views/snapshot-store.js';
import { createViews } from '../../src/views/views.js';
import { sampleMetadata, samples } from '../fixtures/events/samples.js';
import { tempDir } from '../helpers/temp-dir.js';

const until = async (check: () => boolean) => {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timeout');
    await new Promise((r) => setTimeout(r, 5));
  }
};

type Log = { views: Record<string, string[]> };
/** Keeps a long line per event, so its snapshots grow past the size deflated in the background. */
const lines = defineProjection<Log>({
  name: 'lines',
  version: 1,
  init: () => ({ views: {} }),
  apply: (state, event) => {
    (state.views.all ??= []).push(`${event.seq}:${'x'.repeat(4000)}`);
    return state;
  },
  initiatives: (state) => Object.keys(state.views),
  viewOf: (state, id) => state.views[id],
});

t.test('large snapshots are deflated off the event loop, and snapshotNow writes every one still pending', async (t) => {
  const dir = tempDir(t);
  const store = createSqliteEventStore({ file: join(dir, 'events.sqlite') });
  const db = openLocalDatabase(join(dir, 'local.sqlite'));
  const snapshotEvery = 10;
  const views = createViews({ db, store, seqIndex: createSeqIndex(db), projections: [lines] as never, snapshotEvery });
  const follower = createFollower({ store, localDb: db, consumers: [views.consumer] });
  const total = 200;
  for (let i = 0; i < total; i += 50) {
    await store.append(`s-${randomUUID()}`, Array.from({ length: 50 }, () => ({ id: randomUUID(), type: 'LessonRecorded', data: samples.LessonRecorded, metadata: sampleMetadata() })));
  }
  await follower.start();
  await until(() => views.head() === total - 1);
  t.ok(4000 * total > BACKGROUND_DEFLATE_CHARS, 'the last snapshots are large enough to go to the thread pool');

  for (const seq of [0, 9, 10, 77, 150, 199]) {
    const count = await views.query<Log, number>('lines', seq, (s, at) => (t.equal(at, seq), s.views.all?.length ?? 0));
    t.equal(count, seq + 1, `as of seq ${seq}: ${seq + 1} lines, whether its snapshot is written yet or not`);
  }
  await follower.stop();
  views.snapshotNow();
  const rows = db.prepare<[], { seq: number; layout: Buffer }>("SELECT seq, layout FROM snapshot_points WHERE projection = 'lines' ORDER BY seq").all();
  t.same(rows.map((r) => r.seq), Array.from({ length: total / snapshotEvery }, (_, i) => (i + 1) * snapshotEvery - 1), 'one snapshot every 10 events, none missing');
  const stored = createSnapshotStore(db).load<Log>('lines', 1, rows.at(-1)!.seq);
  t.equal(stored?.state.views.all?.length, total, 'the last one holds every line');
  t.equal(await views.query<Log, string | undefined>('lines', 189, (s) => s.views.all?.at(-1)?.slice(0, 4)), '189:', 'and is read back');
  // Lines are only ever appended: each snapshot adds the chunks of its new lines, never the old ones again.
  const chunks = db.prepare<[], { n: number; chars: number }>("SELECT count(*) AS n, sum(length(text)) AS chars FROM snapshot_chunks WHERE projection = 'lines'").get()!;
  const everyChunkOfTheLast = new Set(layoutChunkRefs(rows.at(-1)!.layout));
  t.ok(chunks.n <= everyChunkOfTheLast.size + rows.length, `${chunks.n} chunks stored for ${rows.length} snapshots whose last one names ${everyChunkOfTheLast.size}`);
  db.close();
  await store.close();
});

t.test('a background snapshot finishing after the file was closed is dropped, not thrown', async (t) => {
  const dir = tempDir(t);
  const db = openLocalDatabase(join(dir, 'local.sqlite'));
  const snapshots = createSnapshotStore(db);
  snapshots.saveInBackground('big', 1, 0, { text: 'y'.repeat(BACKGROUND_DEFLATE_CHARS * 2) });
  t.equal(snapshots.pendingWrites(), 1, 'pending while it is deflated');
  db.close();
  await snapshots.oldestWritten();
  t.equal(snapshots.pendingWrites(), 0);

  const again = openLocalDatabase(join(dir, 'local.sqlite'));
  const reopened = createSnapshotStore(again);
  t.equal(reopened.load('big', 1, 0), undefined, 'nothing was written');
  reopened.saveInBackground('big', 1, 5, { text: 'z'.repeat(BACKGROUND_DEFLATE_CHARS * 2) });
  reopened.flush();
  t.equal(reopened.pendingWrites(), 0, 'flush writes what is pending at once');
  t.equal(reopened.load<{ text: string }>('big', 1, 5)?.state.text.length, BACKGROUND_DEFLATE_CHARS * 2);
  await reopened.oldestWritten();
  again.close();
});

/** A state shaped like the projections' (views → initiative → section → entries), with `n` entries of ~300 characters. */
const register = (n: number, changed: Record<string, string> = {}) => {
  const decisions: Record<string, { title: string; status: string }> = {};
  for (let i = 0; i < n; i++) decisions[`d-${i}`] = { title: `decision ${i} ${'t'.repeat(280)}`, status: changed[`d-${i}`] ?? 'open' };
  return { views: { 'init-1': { order: Object.keys(decisions), decisions } } };
};

t.test('a snapshot stores only the chunks that changed; every point still loads whole, in key order', async (t) => {
  const dir = tempDir(t);
  const db = openLocalDatabase(join(dir, 'local.sqlite'));
  const snapshots = createSnapshotStore(db);
  const states = [register(2000), register(2000, { 'd-500': 'closed' }), register(2000, { 'd-500': 'closed' }), register(2100, { 'd-500': 'closed', 'd-1999': 'closed' })];
  const grew: number[] = [];
  states.forEach((state, i) => {
    const before = snapshots.stats();
    snapshots.save('register', 1, (i + 1) * 100, state);
    const after = snapshots.stats();
    grew.push(after.chunks - before.chunks);
  });
  const firstChunks = grew[0]!;
  t.ok(firstChunks > 10, `the first snapshot writes every chunk (${firstChunks})`);
  t.ok(grew[1]! >= 1 && grew[1]! <= 2, `one decision closed: ${grew[1]} new chunk(s)`);
  t.equal(grew[2], 0, 'nothing changed: no new chunk');
  t.ok(grew[3]! <= 6, `100 decisions added, one closed: ${grew[3]} new chunks (the order list's last run, the decisions' last runs)`);
  t.equal(snapshots.stats().points, 4);
  states.forEach((state, i) => {
    const loaded = snapshots.load<unknown>('register', 1, (i + 1) * 100 + 50);
    t.equal(loaded?.seq, (i + 1) * 100);
    t.equal(JSON.stringify(loaded?.state), JSON.stringify(state), `point ${(i + 1) * 100} loads the state it saved`);
  });
  t.equal(snapshots.load('register', 1, 99), undefined, 'nothing before the first point');

  // A new store on the same file (a restart) recognises the chunks already there and writes none of them again.
  const reopened = createSnapshotStore(db);
  const before = reopened.stats();
  reopened.save('register', 1, 500, states[3]);
  t.equal(reopened.stats().chunks, before.chunks, 'after a restart, the same state writes no chunk');
  t.equal(JSON.stringify(reopened.load('register', 1, 500)?.state), JSON.stringify(states[3]));

  reopened.dropOtherVersions('register', 2);
  t.same(reopened.stats(), { points: 0, chunks: 0, bytes: 0 }, 'a new version drops the old snapshots and their chunks');
  db.close();
});

t.test('snapshots deflated in the background are written in order, even when a later one is ready first', async (t) => {
  const dir = tempDir(t);
  const db = openLocalDatabase(join(dir, 'local.sqlite'));
  const snapshots = createSnapshotStore(db);
  const big = register(4000);
  snapshots.saveInBackground('register', 1, 10, big); // large: deflated on the thread pool
  const same = register(4000, { 'd-1': 'closed' });
  snapshots.saveInBackground('register', 1, 20, same); // one small new chunk, naming chunks the first is still writing
  t.equal(snapshots.pendingWrites(), 2, 'the second waits behind the first');
  t.equal(snapshots.load('register', 1, 20), undefined, 'neither is readable before it is written');
  while (snapshots.pendingWrites() > 0) await snapshots.oldestWritten();
  t.equal(JSON.stringify(snapshots.load('register', 1, 10)?.state), JSON.stringify(big));
  t.equal(JSON.stringify(snapshots.load('register', 1, 20)?.state), JSON.stringify(same));

  // Two projections holding the same text each store it (their chunks are their own: one may be dropped alone).
  const twin = register(3000);
  snapshots.saveInBackground('twin', 1, 20, twin);
  snapshots.saveInBackground('triplet', 1, 20, twin); // the same chunks, while the twin's are still being deflated
  snapshots.flush();
  t.equal(JSON.stringify(snapshots.load('triplet', 1, 20)?.state), JSON.stringify(twin), 'a projection whose chunks another one also holds loads');
  snapshots.dropOtherVersions('twin', 2);
  t.equal(JSON.stringify(snapshots.load('triplet', 1, 20)?.state), JSON.stringify(twin), 'and still loads once the other dropped its own');

  snapshots.saveInBackground('twin', 1, 30, register(4500));
  snapshots.clear();
  t.same(snapshots.stats(), { points: 0, chunks: 0, bytes: 0 }, 'clear forgets every snapshot, pending ones too');
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.same(snapshots.stats(), { points: 0, chunks: 0, bytes: 0 }, 'and a deflate finishing later writes nothing');
  db.close();
});

t.test('a local file holding whole-state snapshots of an earlier release has them dropped: the views rebuild from the log', async (t) => {
  const dir = tempDir(t);
  const db = openLocalDatabase(join(dir, 'local.sqlite'));
  db.exec('CREATE TABLE projection_snapshots (projection TEXT, version INTEGER, seq INTEGER, state BLOB)');
  db.prepare("INSERT INTO projection_snapshots VALUES ('lines', 1, 9, x'00')").run();
  const snapshots = createSnapshotStore(db);
  t.equal(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'projection_snapshots'").pluck().get(), 0, 'the old table is gone');
  t.equal(snapshots.load('lines', 1, 100), undefined, 'no snapshot: the projection starts from init and replays the log');
  db.close();
});

t.test('a snapshot point that cannot be read back is dropped and the one before it used; the next save repairs the chunks', async (t) => {
  const dir = tempDir(t);
  const db = openLocalDatabase(join(dir, 'local.sqlite'));
  const problems: Array<{ seq: number; reason: string }> = [];
  const snapshots = createSnapshotStore(db, { onUnreadable: (problem) => problems.push(problem) });
  const first = register(2000);
  const second = register(2000, { 'd-700': 'closed' });
  const third = register(2000, { 'd-700': 'closed', 'd-1500': 'closed' });
  snapshots.save('register', 1, 100, first);
  snapshots.save('register', 1, 200, second);
  snapshots.save('register', 1, 300, third);

  // The chunk only the point at 300 has (d-1500 closed) goes missing from the file.
  const chunkOf = (seq: number) => new Set(layoutChunkRefs(db.prepare<[number], Buffer>("SELECT layout FROM snapshot_points WHERE projection = 'register' AND seq = ?").pluck().get(seq)!));
  const onlyAt300 = [...chunkOf(300)].filter((name) => !chunkOf(200).has(name));
  t.equal(onlyAt300.length, 1);
  db.prepare("DELETE FROM snapshot_chunks WHERE projection = 'register' AND hash = ?").run(onlyAt300[0]);
  const loaded = snapshots.load<unknown>('register', 1, 350);
  t.equal(loaded?.seq, 200, 'the point before it is used');
  t.equal(JSON.stringify(loaded?.state), JSON.stringify(second));
  t.same(problems.map((p) => p.seq), [300], 'the unreadable point is reported');
  t.match(problems[0]!.reason, /names a chunk the file does not hold/);
  t.equal(snapshots.stats().points, 2, 'and dropped');

  // The point at 200 has a damaged chunk (bytes that do not inflate): dropped too, and the chunk with it.
  const onlyAt200 = [...chunkOf(200)].filter((name) => !chunkOf(100).has(name));
  db.prepare("UPDATE snapshot_chunks SET text = x'ffffffff' WHERE projection = 'register' AND hash = ?").run(onlyAt200[0]);
  t.equal(snapshots.load('register', 1, 350)?.seq, 100, 'back to the first point');
  t.equal(db.prepare("SELECT count(*) FROM snapshot_chunks WHERE projection = 'register' AND hash = ?").pluck().get(onlyAt200[0]), 0, 'the damaged chunk is gone');

  // The process saves the same state again: the chunks it had taken as stored are written again.
  snapshots.save('register', 1, 400, third);
  t.equal(JSON.stringify(snapshots.load('register', 1, 400)?.state), JSON.stringify(third), 'a new point reads back whole');
  t.equal(problems.length, 2);
  db.close();
});

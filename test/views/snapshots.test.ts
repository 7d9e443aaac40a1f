import t from 'tap';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { defineProjection } from '../../projections/projection.js';
import { createFollower } from '../../src/follower/follower.js';
import { createSeqIndex, openLocalDatabase } from '../../src/follower/local-state.js';
import { createSqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';
import { BACKGROUND_DEFLATE_CHARS, createSnapshotStore } from '../../src/views/snapshot-store.js';
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
  const rows = db.prepare<[], { seq: number; state: Buffer }>("SELECT seq, state FROM projection_snapshots WHERE projection = 'lines' ORDER BY seq").all();
  t.same(rows.map((r) => r.seq), Array.from({ length: total / snapshotEvery }, (_, i) => (i + 1) * snapshotEvery - 1), 'one snapshot every 10 events, none missing');
  const stored = JSON.parse(inflateRawSync(rows.at(-1)!.state).toString('utf8')) as Log;
  t.equal(stored.views.all?.length, total, 'the last one holds every line');
  t.equal(await views.query<Log, string | undefined>('lines', 189, (s) => s.views.all?.at(-1)?.slice(0, 4)), '189:', 'and is read back');
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

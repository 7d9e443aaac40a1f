import t from 'tap';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { agendaQuery, commonAgenda, type AgendaState } from '../../projections/common-agenda.js';
import { defineProjection } from '../../projections/projection.js';
import { createFollower } from '../../src/follower/follower.js';
import { createSeqIndex, openLocalDatabase } from '../../src/follower/local-state.js';
import { createSqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';
import { layoutChunkRefs } from '../../src/views/snapshot-store.js';
import { createViews } from '../../src/views/views.js';
import { ids, sampleMetadata, samples } from '../fixtures/events/samples.js';
import { tempDir } from '../helpers/temp-dir.js';

const until = async (check: () => boolean) => {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timeout');
    await new Promise((r) => setTimeout(r, 5));
  }
};

/** Counts events per type: a projection whose state is easy to predict at any seq. */
const counter = (version: number) =>
  defineProjection<{ views: Record<string, Record<string, number>> }>({
    name: 'counter',
    version,
    init: () => ({ views: {} }),
    apply: (state, event) => {
      const view = (state.views.all ??= {});
      view[event.type] = (view[event.type] ?? 0) + 1;
      return state;
    },
    initiatives: (state) => Object.keys(state.views),
    viewOf: (state, id) => state.views[id],
  });

const setup = (dir: string, version = 1, snapshotEvery = 3) => {
  const store = createSqliteEventStore({ file: join(dir, 'events.sqlite') });
  const db = openLocalDatabase(join(dir, 'local.sqlite'));
  const views = createViews({ db, store, seqIndex: createSeqIndex(db), projections: [commonAgenda, counter(version)] as never, snapshotEvery });
  const follower = createFollower({ store, localDb: db, consumers: [views.consumer] });
  const stop = async () => {
    await follower.stop();
    db.close();
    await store.close();
  };
  return { store, views, follower, db, stop };
};

const append = (store: ReturnType<typeof createSqliteEventStore>, type: keyof typeof samples, data: unknown = samples[type]) =>
  store.append(`s-${randomUUID()}`, [{ id: randomUUID(), type, data, metadata: sampleMetadata() }]);

t.test('views answer now and as of any earlier seq, from snapshots plus a bounded replay', async (t) => {
  const dir = tempDir(t);
  const { store, views, follower, stop } = setup(dir);
  await follower.start();
  await append(store, 'InitiativeLaunched');
  await append(store, 'PartnerJoined');
  await until(() => views.head() === 1);
  const early = await views.query<AgendaState, unknown>('common-agenda', undefined, (s) => agendaQuery(s.views[ids.initiative]!));
  for (let i = 0; i < 5; i++) await append(store, 'GoalAdopted', { ...samples.GoalAdopted, goalId: randomUUID(), title: `Goal ${i}` });
  await until(() => views.head() === 6);
  const now = await views.query<AgendaState, number>('common-agenda', undefined, (s) => Object.keys(s.views[ids.initiative]!.goals).length);
  t.equal(now, 5);
  const then = await views.query<AgendaState, unknown>('common-agenda', 1, (s) => agendaQuery(s.views[ids.initiative]!));
  t.same(then, early, 'asOf the first point answers exactly what the view showed then');
  for (let seq = 0; seq <= 6; seq++) {
    const count = await views.query<{ views: Record<string, Record<string, number>> }, number>('counter', seq, (s) => Object.values(s.views.all ?? {}).reduce((a, b) => a + b, 0));
    t.equal(count, seq + 1, `state at seq ${seq} has seen ${seq + 1} events`);
  }
  await t.rejects(views.query('counter', 99, () => 0), RangeError, 'a point beyond the log is refused');
  await stop();
});

t.test('a restart resumes from the last snapshot; a version bump rebuilds from the log', async (t) => {
  const dir = tempDir(t);
  let run = setup(dir);
  await run.follower.start();
  for (let i = 0; i < 7; i++) await append(run.store, 'LessonRecorded', { ...samples.LessonRecorded, lessonId: randomUUID() });
  await until(() => run.views.head() === 6);
  await run.stop();

  run = setup(dir);
  t.equal(run.views.consumer.resumeAfter?.(), 5, 'resumes after the last snapshot (every 3 events: seq 2 and 5)');
  await run.follower.start();
  await until(() => run.views.head() === 6);
  t.equal(await run.views.query<{ views: Record<string, Record<string, number>> }, number | undefined>('counter', undefined, (s) => s.views.all?.LessonRecorded), 7);
  await run.stop();

  run = setup(dir, 2);
  t.equal(run.views.consumer.resumeAfter?.(), -1, 'a new version of a projection starts from the beginning');
  await run.follower.start();
  await until(() => run.views.head() === 6);
  t.equal(await run.views.query<{ views: Record<string, Record<string, number>> }, number | undefined>('counter', 3, (s) => s.views.all?.LessonRecorded), 4, 'and its history is queryable again');
  await run.stop();
});

t.test('a stream as of a point: whole, or only given revisions, each event with its seq, nothing beyond the point', async (t) => {
  const dir = tempDir(t);
  const { store, views, follower, stop } = setup(dir);
  await follower.start();
  await append(store, 'InitiativeLaunched'); // seq 0, another stream
  const stream = `indicator-${ids.indicator}`;
  for (let i = 0; i < 6; i++) {
    await store.append(stream, [{ id: randomUUID(), type: 'GoalAdopted', data: { ...samples.GoalAdopted, title: `Goal ${i}` }, metadata: sampleMetadata() }]);
  }
  await until(() => views.head() === 6);
  const read = async (upTo: number, revisions?: number[]) => {
    const seen: Array<[number, string]> = [];
    for await (const event of views.streamAsOf(stream, upTo, revisions)) seen.push([event.seq, (event.data as { title: string }).title]);
    return seen;
  };
  t.same(await read(6), [1, 2, 3, 4, 5, 6].map((seq) => [seq, `Goal ${seq - 1}`]), 'the whole stream, revision r at seq r + 1');
  t.same(await read(6, [1, 4]), [[2, 'Goal 1'], [5, 'Goal 4']], 'only the given revisions');
  t.same(await read(4, [1, 4]), [[2, 'Goal 1']], 'a revision recorded after the point is left out');
  t.same(await read(6, [2, 9]), [[3, 'Goal 2']], 'a revision the stream does not have ends it');
  await stop();
});

t.test('an asOf point whose snapshot cannot be read back is answered from the snapshot before it, with a warning', async (t) => {
  const dir = tempDir(t);
  const store = createSqliteEventStore({ file: join(dir, 'events.sqlite') });
  const db = openLocalDatabase(join(dir, 'local.sqlite'));
  const warnings: object[] = [];
  const logger = { info: () => undefined, warn: (problem: object) => warnings.push(problem) };
  const views = createViews({ db, store, seqIndex: createSeqIndex(db), projections: [counter(1)] as never, snapshotEvery: 3, logger });
  const follower = createFollower({ store, localDb: db, consumers: [views.consumer] });
  await follower.start();
  for (let i = 0; i < 8; i++) await append(store, 'LessonRecorded', { ...samples.LessonRecorded, lessonId: randomUUID() });
  await until(() => views.head() === 7);
  // Snapshots at seq 2 and 5; every chunk of the one at 5 is damaged.
  const layout = db.prepare("SELECT layout FROM snapshot_points WHERE projection = 'counter' AND seq = 5").pluck().get() as Buffer;
  const refsAt2 = new Set(layoutChunkRefs(db.prepare("SELECT layout FROM snapshot_points WHERE projection = 'counter' AND seq = 2").pluck().get() as Buffer));
  const damaged = layoutChunkRefs(layout).filter((ref) => !refsAt2.has(ref));
  t.ok(damaged.length > 0);
  for (const ref of damaged) db.prepare("UPDATE snapshot_chunks SET text = x'ffffffff' WHERE projection = 'counter' AND hash = ?").run(ref);

  const total = (s: { views: Record<string, Record<string, number>> }) => Object.values(s.views.all ?? {}).reduce((a, b) => a + b, 0);
  t.equal(await views.query('counter', 6, total), 7, 'the state at seq 6 is the snapshot at 2 plus four events');
  t.match(warnings, [{ projection: 'counter', seq: 5 }], 'the unreadable point is reported');
  t.equal(await views.query('counter', 5, total), 6, 'and dropped: the next query goes to the point at 2 at once');
  t.equal(warnings.length, 1);
  await follower.stop();
  db.close();
  await store.close();
});

import t from 'tap';
import { join } from 'node:path';
import { ConcurrencyConflictError } from '../../../src/errors.js';
import { createSqliteEventStore } from '../../../src/store/sqlite/sqlite-event-store.js';
import { openStoreDatabase } from '../../../src/store/sqlite/schema.js';
import { testEvent } from '../../conformance/event-store.conformance.js';
import { tempDir } from '../../helpers/temp-dir.js';

t.test('concurrent appends share one durable commit, each with its own outcome', async (t) => {
  const store = createSqliteEventStore({ file: join(tempDir(t), 'events.sqlite') });
  t.teardown(() => store.close());
  await store.append('contested', [testEvent()]);
  const before = store.stats();

  const distinct = Array.from({ length: 63 }, (_, i) => store.append(`writer-${i}`, [testEvent(), testEvent()], { expectedRevision: 'no_stream' }));
  const stale = store.append('contested', [testEvent()], { expectedRevision: 'no_stream' });
  const fresh = store.append('contested', [testEvent()], { expectedRevision: 0 });
  const results = await Promise.allSettled([...distinct, stale, fresh]);

  const after = store.stats();
  t.equal(after.commits - before.commits, 1, '65 concurrent appends were made durable by one commit');
  t.equal(after.appends - before.appends, 64, 'all but the stale one were acknowledged');
  t.ok(results.slice(0, 63).every((r) => r.status === 'fulfilled' && r.value.nextRevision === 1), 'distinct streams all succeed');
  const staleResult = results[63]!;
  t.ok(staleResult.status === 'rejected' && staleResult.reason instanceof ConcurrencyConflictError, 'the stale append alone conflicts');
  const freshResult = results[64]!;
  t.ok(freshResult.status === 'fulfilled' && freshResult.value.nextRevision === 1, 'its neighbour in the same commit succeeds');
  t.equal((await store.readStream('contested')).length, 2, 'the conflicting append left nothing behind');
});

t.test('one-event appends in one commit: a clashing id fails alone and leaves nothing, a retry answers the first result', async (t) => {
  const store = createSqliteEventStore({ file: join(tempDir(t), 'events.sqlite') });
  t.teardown(() => store.close());
  const stored = testEvent();
  const first = await store.append('a', [stored]);
  const before = store.stats();

  const clash = store.append('b', [stored]); // the same id in another stream
  const retry = store.append('a', [stored], { expectedRevision: 'no_stream' }); // the same append again
  const neighbours = Array.from({ length: 10 }, (_, i) => store.append(`n-${i}`, [testEvent()], { expectedRevision: 'no_stream' }));
  const [clashResult, retryResult, ...others] = await Promise.allSettled([clash, retry, ...neighbours]);

  t.equal(store.stats().commits - before.commits, 1, 'all in one commit');
  t.equal(clashResult!.status, 'rejected', 'the clashing id is refused');
  t.same(retryResult!.status === 'fulfilled' && retryResult.value, first, 'the retry answers the first result');
  t.ok(others.every((r) => r.status === 'fulfilled' && r.value.nextRevision === 0), 'their neighbours succeed');
  t.equal((await store.readStream('b')).length, 0, 'the refused append stored nothing');
  t.equal((await store.readAll()).length, 11, 'the log holds the first event and the ten neighbours, nothing else');
});

t.test('a group is split when it exceeds the per-commit event bound', async (t) => {
  const store = createSqliteEventStore({ file: join(tempDir(t), 'events.sqlite'), maxEventsPerCommit: 10 });
  t.teardown(() => store.close());
  await Promise.all(Array.from({ length: 25 }, (_, i) => store.append(`s-${i}`, [testEvent()])));
  t.equal(store.stats().commits, 3, '25 events with at most 10 per commit take 3 commits');
});

t.test('the store file is durable on acknowledge: WAL with synchronous=FULL', async (t) => {
  const file = join(tempDir(t), 'events.sqlite');
  const db = openStoreDatabase(file);
  t.teardown(() => db.close());
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  t.equal(db.pragma('synchronous', { simple: true }), 2, 'synchronous = FULL (2)');
});

import t from 'tap';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { ConcurrencyConflictError, DuplicateEventError } from '../../../src/errors.js';
import { createSqliteEventStore } from '../../../src/store/sqlite/sqlite-event-store.js';
import { writerThreadId } from '../../../src/store/sqlite/writer-client.js';
import { testEvent } from '../../conformance/event-store.conformance.js';
import { tempDir } from '../../helpers/temp-dir.js';

const until = async (check: () => boolean, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

t.test('one writer thread per process: started by the first append, shared by every store, ended after the last closes', async (t) => {
  const dir = tempDir(t);
  await until(() => writerThreadId() === undefined); // none left by an earlier test of this file
  const a = createSqliteEventStore({ file: join(dir, 'a.sqlite') });
  const b = createSqliteEventStore({ file: join(dir, 'b.sqlite') });
  await a.readAll();
  t.equal(writerThreadId(), undefined, 'a store that only reads starts no thread');
  await a.append('s-1', [testEvent()]);
  const first = writerThreadId();
  t.ok(first !== undefined && first !== threadId, 'appends are committed on another thread');
  await b.append('s-1', [testEvent()]);
  t.equal(writerThreadId(), first, 'the second store uses the same thread');
  await a.close();
  t.equal(writerThreadId(), first, 'still running while a store is open');
  await b.close();
  await until(() => writerThreadId() === undefined);
  t.pass('the thread ends once no store is open');
  const c = createSqliteEventStore({ file: join(dir, 'a.sqlite') });
  t.teardown(() => c.close());
  t.equal((await c.append('s-1', [testEvent()], { expectedRevision: 0 })).nextRevision, 1, 'and a new one starts for the next store');
});

t.test("the store's errors cross the thread with their class and fields", async (t) => {
  const store = createSqliteEventStore({ file: join(tempDir(t), 'events.sqlite') });
  t.teardown(() => store.close());
  await store.append('s-1', [testEvent(), testEvent()]);
  const conflict = await store.append('s-1', [testEvent()], { expectedRevision: 0 }).catch((e: unknown) => e);
  t.type(conflict, ConcurrencyConflictError);
  t.match(conflict, { stream: 's-1', expected: '0', actual: 1, status: 409 });
  const none = await store.append('s-2', [testEvent()], { expectedRevision: 'exists' }).catch((e: unknown) => e);
  t.match(none, { expected: 'exists', actual: null });

  const taken = testEvent();
  await store.append('s-3', [taken]);
  const duplicate = await store.append('s-4', [testEvent(), taken]).catch((e: unknown) => e);
  t.type(duplicate, DuplicateEventError);
  t.match(duplicate, { eventId: taken.id, status: 409, detail: `${taken.id}: already stored as part of a different append` });

  const unstorable = await store.append('s-5', [testEvent('TestHappened', { n: 1n })]).catch((e: unknown) => e);
  t.type(unstorable, TypeError, 'data that is not JSON is refused before it reaches the thread');
  t.equal((await store.append('s-5', [testEvent()], { expectedRevision: 'no_stream' })).nextRevision, 0, 'and the store goes on');
});

t.test('close waits for every submitted append; nothing is accepted after it', async (t) => {
  const file = join(tempDir(t), 'events.sqlite');
  const store = createSqliteEventStore({ file });
  const appends = Array.from({ length: 50 }, (_, i) => store.append(`s-${i}`, [testEvent()]));
  const closed = store.close();
  const results = await Promise.allSettled(appends);
  await closed;
  t.ok(results.every((r) => r.status === 'fulfilled'), 'appends submitted before close were all acknowledged');
  await t.rejects(store.append('s-x', [testEvent()]), /closed/);
  const reopened = createSqliteEventStore({ file });
  t.teardown(() => reopened.close());
  t.equal((await reopened.readAll()).length, 50, 'and are in the file');
});

t.test('a live follower wakes on a local commit at once, not on the cross-process poll', async (t) => {
  const store = createSqliteEventStore({ file: join(tempDir(t), 'events.sqlite'), pollIntervalMs: 60_000 });
  t.teardown(() => store.close());
  await store.append('warm-up', [testEvent()]);
  const controller = new AbortController();
  const seen: string[] = [];
  const following = (async () => {
    for await (const batch of store.follow({ signal: controller.signal })) {
      seen.push(...batch.map((e) => e.id));
      if (seen.length === 3) controller.abort();
    }
  })();
  await until(() => seen.length === 1);
  const events = [testEvent(), testEvent()];
  const started = Date.now();
  await store.append('s-1', events);
  await following;
  t.ok(Date.now() - started < 10_000, 'woken by the commit (the poll interval is a minute)');
  t.same(seen.slice(1), events.map((e) => e.id));
});

t.test('a follow keeps the global order when this store, another store on the file and retries interleave', async (t) => {
  const file = join(tempDir(t), 'events.sqlite');
  const a = createSqliteEventStore({ file });
  const b = createSqliteEventStore({ file, pollIntervalMs: 5 });
  t.teardown(async () => {
    await a.close();
    await b.close();
  });
  const controller = new AbortController();
  const seen: Array<{ id: string; data: unknown; position: string }> = [];
  const last = testEvent(); // appended after every other one: the follow stops once it saw it
  const following = (async () => {
    for await (const batch of a.follow({ signal: controller.signal, batchSize: 7 })) {
      seen.push(...batch.map((e) => ({ id: e.id, data: e.data, position: e.position })));
      if (batch.some((e) => e.id === last.id)) controller.abort();
    }
  })();
  // A retry of an append, with other data under the same ids: the store keeps (and the follow must show) the first.
  const first = [testEvent('TestHappened', { n: 'first' })];
  await a.append('retried', first);
  const retry = await a.append('retried', [{ ...first[0]!, data: { n: 'retry' } }], { expectedRevision: 'no_stream' });
  t.equal(retry.nextRevision, 0, 'the retry answered with the first result');
  const writers = Array.from({ length: 8 }, (_, w) => (async () => {
    for (let i = 0; i < 50; i++) {
      const store = (w + i) % 3 === 0 ? b : a;
      await store.append(`s-${w}`, [testEvent()]);
    }
  })());
  await Promise.all(writers);
  await a.append('last', [last]);
  await following;
  const stored = [];
  for (let page = await b.readAll({ maxCount: 100 }); page.length > 0; page = await b.readAll({ after: page[page.length - 1]!.position, maxCount: 100 })) {
    stored.push(...page);
  }
  t.equal(stored.length, 402);
  t.equal(seen.length, stored.length, 'every event, once');
  t.same(seen.map((e) => e.position), stored.map((e) => e.position), 'in the global order');
  t.same(seen.map((e) => e.data), stored.map((e) => e.data), 'each with the data stored');
  t.same(seen[0]!.data, { n: 'first' }, 'the retried append shows the first data');
});

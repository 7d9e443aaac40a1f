import t, { type Test } from 'tap';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalPayloadOf } from '../../src/canonical/stored-text.js';
import { createFollower, FollowerMismatchError } from '../../src/follower/follower.js';
import type { Consumer, SequencedEvent } from '../../src/follower/consumer.js';
import { openLocalDatabase } from '../../src/follower/local-state.js';
import { createSqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';
import { testEvent } from '../conformance/event-store.conformance.js';
import { tempDir } from '../helpers/temp-dir.js';

/** A consumer that records what it was handed, and can claim a durable checkpoint. */
const recorder = (name: string, resumeAfter?: number) => {
  const seen: SequencedEvent[] = [];
  const consumer: Consumer = {
    name,
    ...(resumeAfter === undefined ? {} : { resumeAfter: () => resumeAfter }),
    apply: (events) => {
      seen.push(...events);
    },
  };
  return { consumer, seen };
};

const until = async (check: () => boolean, timeoutMs = 5000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

const setup = (t: Test) => {
  const dir = tempDir(t);
  const store = createSqliteEventStore({ file: join(dir, 'events.sqlite') });
  t.teardown(() => store.close());
  const localFile = join(dir, 'local.sqlite');
  const appendMany = async (stream: string, n: number) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const event = testEvent();
      await store.append(stream, [event]);
      ids.push(event.id);
    }
    return ids;
  };
  return { dir, store, localFile, appendMany };
};

t.test('numbers the global order densely from 0 and feeds consumers in order', async (t) => {
  const { store, localFile, appendMany } = setup(t);
  const ids = [...(await appendMany('a', 5)), ...(await appendMany('b', 5))];
  const db = openLocalDatabase(localFile);
  const { consumer, seen } = recorder('rec');
  const follower = createFollower({ store, localDb: db, consumers: [consumer] });
  await follower.start();
  ids.push(...(await appendMany('a', 5)));
  await until(() => seen.length === 15);
  await follower.stop();
  db.close();
  t.same(seen.map((e) => e.seq), [...Array(15).keys()], 'seq is 0..14 with no gap');
  t.same(seen.map((e) => e.id), ids, 'in the store global order');
  t.equal(follower.head(), 14);
});

t.test('restart resumes exactly; a deleted checkpoint file replays to the same numbering', async (t) => {
  const { store, localFile, appendMany } = setup(t);
  await appendMany('s', 10);
  let db = openLocalDatabase(localFile);
  const first = recorder('first');
  let follower = createFollower({ store, localDb: db, consumers: [first.consumer] });
  await follower.start();
  await until(() => first.seen.length === 10);
  await follower.stop();
  db.close();

  await appendMany('s', 7);
  db = openLocalDatabase(localFile);
  const second = recorder('second');
  follower = createFollower({ store, localDb: db, consumers: [second.consumer] });
  t.equal(follower.head(), 9, 'the checkpoint survived the restart');
  await follower.start();
  await until(() => second.seen.length === 7);
  await follower.stop();
  db.close();
  t.same(second.seen.map((e) => e.seq), [10, 11, 12, 13, 14, 15, 16], 'only new events, numbered on from the checkpoint');

  rmSync(localFile);
  rmSync(`${localFile}-wal`, { force: true });
  rmSync(`${localFile}-shm`, { force: true });
  db = openLocalDatabase(localFile);
  const rebuilt = recorder('rebuilt');
  follower = createFollower({ store, localDb: db, consumers: [rebuilt.consumer] });
  await follower.start();
  await until(() => rebuilt.seen.length === 17);
  await follower.stop();
  db.close();
  const numbering = [...first.seen, ...second.seen].map((e) => [e.seq, e.id]);
  t.same(rebuilt.seen.map((e) => [e.seq, e.id]), numbering, 'same seq for every event after a rebuild');
});

t.test('a consumer behind the checkpoint is replayed the missing range, then goes live', async (t) => {
  const { store, localFile, appendMany } = setup(t);
  await appendMany('s', 6);
  const db = openLocalDatabase(localFile);
  t.teardown(() => db.close());
  const warmup = createFollower({ store, localDb: db, consumers: [] });
  await warmup.start();
  await until(() => warmup.head() === 5);
  await warmup.stop();

  const live = recorder('live');
  const lagging = recorder('lagging', 2);
  const fresh = recorder('fresh', -1);
  const follower = createFollower({ store, localDb: db, consumers: [live.consumer, lagging.consumer, fresh.consumer] });
  await follower.start();
  await appendMany('s', 2);
  await until(() => live.seen.length === 2 && lagging.seen.length === 5 && fresh.seen.length === 8);
  await follower.stop();
  t.same(live.seen.map((e) => e.seq), [6, 7], 'a live-only consumer sees only new events');
  t.same(lagging.seen.map((e) => e.seq), [3, 4, 5, 6, 7], 'a lagging consumer resumes after its own checkpoint');
  t.same(fresh.seen.map((e) => e.seq), [0, 1, 2, 3, 4, 5, 6, 7], 'a fresh consumer replays everything');
  t.equal(follower.head(), 7);
});

t.test('after a consumer failed, the follower replays to it from what it says it has durably applied', async (t) => {
  const { store, localFile, appendMany } = setup(t);
  await appendMany('a', 6);
  const db = openLocalDatabase(localFile);
  t.teardown(() => db.close());
  // Durable up to `kept`; the batch after the first is "lost" (as a save failing off-thread would lose it), and the
  // loss surfaces as the next apply's error.
  let kept = -1;
  let lost = false;
  let failNext = false;
  const seen: number[] = [];
  const flaky: Consumer = {
    name: 'flaky',
    resumeAfter: () => kept,
    apply: (events) => {
      if (failNext) {
        failNext = false;
        throw new Error('the previous batch was not saved');
      }
      seen.push(...events.map((e) => e.seq));
      if (kept >= 0 && !lost) {
        lost = true; // the second batch: handed, not kept
        failNext = true;
      } else {
        kept = events[events.length - 1]!.seq;
      }
    },
  };
  const follower = createFollower({ store, localDb: db, consumers: [flaky], batchSize: 3 });
  await follower.start();
  await appendMany('a', 3);
  await until(() => kept === 8);
  await follower.stop();
  t.ok(seen.indexOf(3) !== seen.lastIndexOf(3), `the lost batch was handed again: ${seen.join(', ')}`);
  t.same([...new Set(seen)].sort((a, b) => a - b), [...Array(9).keys()], 'nothing was skipped');
});

t.test('a writer awaits "applied up to my event"', async (t) => {
  const { store, localFile } = setup(t);
  const db = openLocalDatabase(localFile);
  t.teardown(() => db.close());
  let applying = false;
  const slow: Consumer = {
    name: 'slow',
    apply: async () => {
      applying = true;
      await new Promise((r) => setTimeout(r, 30));
    },
  };
  const follower = createFollower({ store, localDb: db, consumers: [slow] });
  await follower.start();
  t.teardown(() => follower.stop());
  const event = testEvent();
  await store.append('w', [event]);
  const seq = await follower.waitFor(event.id, 2000);
  t.equal(seq, 0, 'resolves with the seq of the event');
  t.ok(applying, 'only after the consumer applied it');
  t.equal(await follower.waitFor(event.id, 10), 0, 'an already applied event resolves at once');
  t.equal(await follower.waitFor(testEvent().id, 20), undefined, 'an unknown event times out with undefined');
});

t.test('a checkpoint file from another store is refused', async (t) => {
  const a = setup(t);
  const b = setup(t);
  await a.appendMany('s', 3);
  await b.appendMany('s', 3);
  const db = openLocalDatabase(a.localFile);
  t.teardown(() => db.close());
  const follower = createFollower({ store: a.store, localDb: db });
  await follower.start();
  await until(() => follower.head() === 2);
  await follower.stop();
  await t.rejects(createFollower({ store: b.store, localDb: db }).start(), FollowerMismatchError);
});

t.test('a catch-up leaves turns of the event loop to timers and requests between batches', async (t) => {
  const { store, localFile } = setup(t);
  await store.append('a', Array.from({ length: 200 }, () => testEvent()));
  const db = openLocalDatabase(localFile);
  // Finishes every batch on a promise alone, as the transparency log does when its hashing thread's replies are
  // already queued: nothing in the consumer gives the event loop a turn.
  let applied = -1;
  const consumer: Consumer = {
    name: 'promised',
    apply: (events) => Promise.resolve().then(() => void (applied = events[events.length - 1]!.seq)),
  };
  const follower = createFollower({ store, localDb: db, consumers: [consumer], batchSize: 10 });
  let appliedWhenTimerFired: number | undefined;
  setTimeout(() => (appliedWhenTimerFired = applied), 0);
  await follower.start();
  await until(() => applied === 199);
  await follower.stop();
  db.close();
  t.ok(appliedWhenTimerFired !== undefined && appliedWhenTimerFired < 199, `a timer set before the catch-up fired during it (at seq ${appliedWhenTimerFired})`);
});

t.test('the events read from the store carry their stored canonical text only when a consumer reads it', async (t) => {
  const { store, localFile, appendMany } = setup(t);
  await appendMany('a', 3); // before any follow: the catch-up reads them from the file
  for (const readsCanonicalText of [false, true]) {
    const db = openLocalDatabase(`${localFile}-${readsCanonicalText}`);
    const { consumer, seen } = recorder('rec');
    const follower = createFollower({ store, localDb: db, consumers: [{ ...consumer, readsCanonicalText }] });
    await follower.start();
    await until(() => seen.length === 3);
    await follower.stop();
    db.close();
    const carrying = seen.filter((event) => canonicalPayloadOf(event) !== undefined).length;
    t.equal(carrying, readsCanonicalText ? 3 : 0, readsCanonicalText ? 'a consumer that reads it gets it' : 'no consumer reads it: none attached');
  }
});

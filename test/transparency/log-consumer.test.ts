/**
 * The log consumer: every event becomes leaf `seq`; large batches hash on the hashing thread and must build
 * exactly the tree the calling thread builds, without ever showing a size whose nodes are not stored.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { SequencedEvent } from '../../src/follower/consumer.js';
import { openLocalDatabase } from '../../src/follower/local-state.js';
import type { Position } from '../../src/store/event-store.js';
import { eventLeafHash } from '../../src/transparency/leaf.js';
import { stopHashingThread } from '../../src/transparency/hashing-thread-client.js';
import { createLogConsumer } from '../../src/transparency/log-consumer.js';
import { createNodeStore } from '../../src/transparency/node-store.js';
import { tempDir } from '../helpers/temp-dir.js';
import { mth } from './reference.js';

const dir = tempDir(t);
t.teardown(stopHashingThread);

const events = (from: number, count: number): SequencedEvent[] =>
  Array.from({ length: count }, (_, i) => {
    const seq = from + i;
    return {
      seq,
      id: randomUUID(),
      type: 'ReadingRecorded',
      stream: `indicator-${seq % 7}`,
      revision: Math.floor(seq / 7),
      data: { value: seq, note: seq % 3 === 0 ? 'Réunion ✓' : 'plain', nested: { z: 1, a: [seq, null] } },
      metadata: { recordedAt: new Date(1_700_000_000_000 + seq).toISOString(), actor: { role: 'admin', keyId: 'admin' } },
      position: String(seq + 1) as Position,
    } as SequencedEvent;
  });

const openLog = (name: string, hashingThread: boolean) => {
  const db = openLocalDatabase(join(dir, `${name}.sqlite`));
  t.teardown(() => db.close());
  const nodes = createNodeStore(db);
  return { db, nodes, log: createLogConsumer(nodes, { hashingThread }) };
};

t.test('given batches large and small, the hashing thread and this thread build the same tree', async (t) => {
  const all = events(0, 1500);
  const threaded = openLog('threaded', true);
  const here = openLog('here', false);
  // 1000 (threaded), 3 (here), 497 (threaded): sizes cross chunk boundaries.
  for (const [from, to] of [[0, 1000], [1000, 1003], [1003, 1500]] as const) {
    await threaded.log.consumer.apply(all.slice(from, to));
    await here.log.consumer.apply(all.slice(from, to));
  }
  await threaded.log.settled();
  const expected = mth(all.map((event) => eventLeafHash(event)));
  t.equal(threaded.log.size(), 1500);
  t.same(threaded.log.root(), expected, 'the root is RFC 9162 MTH of the leaves');
  t.same(here.log.root(), expected);
  t.equal(threaded.nodes.size(), 1500, 'the size is stored');
  t.same(threaded.nodes.read(0, 1234), eventLeafHash(all[1234]!), 'and every leaf');
});

t.test('given a large batch in progress, size and root still answer for the stored tree', async (t) => {
  const { log, nodes } = openLog('progress', true);
  await log.consumer.apply(events(0, 10));
  const rootBefore = log.root();
  const applying = log.consumer.apply(events(10, 2000));
  t.ok(applying instanceof Promise, 'a large batch is hashed off this thread');
  t.equal(log.size(), 10, 'while it hashes, the size is the stored size');
  t.same(log.root(), rootBefore);
  t.equal(nodes.size(), 10);
  await applying;
  t.ok([10, 2010].includes(log.size()), 'apply may return before the tail is stored; the size never stops inside a batch');
  t.equal(nodes.size(), log.size(), 'and it is the stored size');
  await log.settled();
  t.equal(log.size(), 2010);
  t.equal(nodes.size(), 2010);
});

t.test('given large batches back to back, they share one flight; a small batch after them waits for their tail', async (t) => {
  const { log, nodes } = openLog('flight', true);
  const all = events(0, 3005);
  const sizes: number[] = [];
  for (const [from, to] of [[0, 1000], [1000, 2000], [2000, 3000]] as const) {
    await log.consumer.apply(all.slice(from, to));
    sizes.push(log.size());
  }
  t.ok(sizes.every((size) => [0, 1000, 2000, 3000].includes(size)), `sizes after each apply are batch ends: ${sizes.join(', ')}`);
  await log.consumer.apply(all.slice(3000, 3005));
  t.equal(log.size(), 3005, 'the small batch grew the tree after the tail was stored');
  t.equal(nodes.size(), 3005);
  t.same(log.root(), mth(all.map((event) => eventLeafHash(event))));
  t.throws(() => log.consumer.apply(events(3006, 300)), /expected seq 3005, got 3006/, 'a gap is refused against what was accepted');
});

t.test('given events handed again while earlier ones are in flight, only the new ones are appended', async (t) => {
  const { log } = openLog('in-flight-replay', true);
  const all = events(0, 1600);
  await log.consumer.apply(all.slice(0, 1000));
  await log.consumer.apply(all.slice(500, 1600)); // 500 … 999 were accepted already, maybe not stored yet
  await log.settled();
  t.equal(log.size(), 1600);
  t.same(log.root(), mth(all.map((event) => eventLeafHash(event))));
});

t.test('given the hashing thread dies mid-batch, the batch is hashed here and nothing is lost', async (t) => {
  const { log } = openLog('lost-thread', true);
  const all = events(0, 3000);
  const applying = log.consumer.apply(all);
  await stopHashingThread();
  await applying;
  await log.settled();
  t.equal(log.size(), 3000);
  t.same(log.root(), mth(all.map((event) => eventLeafHash(event))));
  await log.consumer.apply(events(3000, 300));
  await log.settled();
  t.equal(log.size(), 3300, 'the next large batch starts a new thread');
});

t.test('given a replayed batch, leaves already in the tree are skipped; a gap is refused', async (t) => {
  const { log } = openLog('replay', true);
  const all = events(0, 600);
  await log.consumer.apply(all.slice(0, 400));
  await log.consumer.apply(all.slice(100, 600));
  await log.settled();
  t.equal(log.size(), 600);
  t.same(log.root(), mth(all.map((event) => eventLeafHash(event))));
  t.throws(() => log.consumer.apply(events(601, 5)), /expected seq 600, got 601/);
});

t.test('given the same events, the threaded and the local log store identical nodes', async (t) => {
  const all = events(0, 2222);
  const threaded = openLog('nodes-threaded', true);
  const here = openLog('nodes-here', false);
  for (const [from, to] of [[0, 700], [700, 701], [701, 2222]] as const) {
    await threaded.log.consumer.apply(all.slice(from, to));
    await here.log.consumer.apply(all.slice(from, to));
  }
  await threaded.log.settled();
  // Runs are cut differently (a row per chunk on the thread, per batch here); their nodes in post-order are the same.
  const stored = (db: ReturnType<typeof openLocalDatabase>) =>
    Buffer.concat(db.prepare<[], Buffer>('SELECT hashes FROM tlog_node_runs ORDER BY first').pluck().all());
  const a = stored(threaded.db);
  t.equal(a.length, 32 * (2 * 2222 - 6), 'every complete node: 2n − popcount(n)');
  t.ok(a.equals(stored(here.db)));
});

t.test('given the log file is deleted and made again at the same path, the thread writes to the new one', async (t) => {
  const file = join(dir, 'recreated.sqlite');
  const first = openLocalDatabase(file);
  const firstLog = createLogConsumer(createNodeStore(first));
  await firstLog.consumer.apply(events(0, 300));
  await firstLog.settled();
  first.close();
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });

  const again = openLocalDatabase(file);
  t.teardown(() => again.close());
  const nodes = createNodeStore(again);
  const log = createLogConsumer(nodes);
  const all = events(0, 400);
  await log.consumer.apply(all);
  await log.settled();
  t.equal(nodes.size(), 400, 'the new file holds the batch');
  t.same(log.root(), mth(all.map((event) => eventLeafHash(event))));
});

t.test('given a batch that died after saving some runs beyond the size, the log continues over them correctly', async (t) => {
  const all = events(0, 1300);
  const { db, nodes, log } = openLog('stale-runs', true);
  await log.consumer.apply(all.slice(0, 500));
  await log.settled();
  // What a crash mid-batch leaves: runs past the stored size, here deliberately wrong, starting inside later batches.
  const garbage = new Uint8Array(32 * 40).fill(0xee);
  nodes.saveRun(nodes.firstNodeOf(520), garbage);
  nodes.saveRun(nodes.firstNodeOf(900), garbage);
  t.equal(nodes.size(), 500, 'the size did not move');

  const again = createLogConsumer(nodes);
  await again.consumer.apply(all.slice(500, 510)); // here: a small batch
  await again.consumer.apply(all.slice(510, 1300)); // on the thread
  await again.settled();
  t.same(again.root(), mth(all.map((event) => eventLeafHash(event))));
  const leaves = all.map((event) => eventLeafHash(event));
  t.ok([520, 521, 900, 919].every((i) => nodes.read(0, i).equals(leaves[i]!)), 'no stale hash is read back');
  const stored = Buffer.concat(db.prepare<[], Buffer>('SELECT hashes FROM tlog_node_runs ORDER BY first').pluck().all());
  t.equal(stored.length, 32 * (2 * 1300 - 4), 'the runs hold every node once, nothing more: 2n − popcount(n), 1300 = 0b10100010100');
});

t.test('leaf hashes read by range are the leaves read one by one, whatever the runs they span', async (t) => {
  const all = events(0, 1400);
  const { nodes, log } = openLog('leaf-range', true);
  for (const [from, to] of [[0, 3], [3, 700], [700, 701], [701, 1400]] as const) await log.consumer.apply(all.slice(from, to));
  await log.settled();
  const leaves = all.map((event) => eventLeafHash(event));
  for (const [from, count] of [[0, 1], [0, 1400], [2, 5], [699, 3], [1000, 400], [1399, 1]] as const) {
    const got = nodes.leafHashes(from, count);
    t.ok(got.length === count && got.every((hash, i) => hash.equals(leaves[from + i]!)), `leaves ${from}..${from + count - 1}`);
  }
  t.same(nodes.leafHashes(5, 0), []);
  t.throws(() => nodes.leafHashes(1399, 2), RangeError, 'a leaf not in the log is refused');
});

t.test('given a save that fails after apply returned, the next apply throws and the log resumes from the stored size', async (t) => {
  const { db, nodes, log } = openLog('failed-save', true);
  const all = events(0, 1400);
  await log.consumer.apply(all.slice(0, 300));
  await log.settled();
  db.pragma('query_only = ON'); // a real write failure of the file: SQLITE_READONLY
  await log.consumer.apply(all.slice(300, 1300));
  await log.settled();
  db.pragma('query_only = OFF');
  t.equal(log.size(), 300, 'nothing of the failed batch counts');
  t.equal(nodes.size(), 300);
  t.throws(() => log.consumer.apply(all.slice(1300, 1310)), /readonly/i, 'the next apply reports the failure');
  t.equal(log.consumer.resumeAfter?.(), 299, 'and the follower resumes after the stored size');
  await log.consumer.apply(all.slice(300, 1400));
  await log.settled();
  t.equal(log.size(), 1400);
  t.same(log.root(), mth(all.map((event) => eventLeafHash(event))));
});

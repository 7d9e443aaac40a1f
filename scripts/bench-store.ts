/**
 * npm run bench:store — the embedded store against the raw better-sqlite3 ceiling for the same rows at the
 * same durability (WAL, synchronous=FULL), measured in the same run (issue 2 §8):
 *   (a) one writer, single-event appends          vs raw 1-row transactions     target ≥ 60 %
 *   (b) 64 concurrent writers, distinct streams   vs raw 100-row transactions   target ≥ 50 %
 *   (c) global read (readAll pages) and the follower numbering the log          target ≥ 100,000 events/s
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createFollower } from '../src/follower/follower.js';
import { openLocalDatabase } from '../src/follower/local-state.js';
import type { NewEvent } from '../src/store/event-store.js';
import { openStoreDatabase } from '../src/store/sqlite/schema.js';
import { createSqliteEventStore } from '../src/store/sqlite/sqlite-event-store.js';
import { machine, perSecond, ratio, writeResult } from './bench/machine.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const READ_EVENTS = Number(process.env.BENCH_READ_EVENTS ?? 300_000);
const dir = mkdtempSync(join(tmpdir(), 'bench-store-'));

const event = (n: number): NewEvent => ({
  id: randomUUID(),
  type: 'ReadingRecorded',
  data: { readingId: randomUUID(), indicatorId: randomUUID(), partnerId: randomUUID(), period: { start: '2026-01-01', end: '2026-03-31' }, value: n, disaggregation: { district: 'north', sex: 'f' } },
  metadata: { actor: { keyId: 'bench', role: 'partner' }, recordedAt: new Date().toISOString(), correlationId: 'bench', causationId: 'bench', schemaVersion: 1 },
});

/** Raw better-sqlite3 ceiling: prepared INSERTs of pre-serialized rows, `rowsPerTx` per transaction. */
const rawCeiling = (rowsPerTx: number): number => {
  const file = join(dir, `raw-${rowsPerTx}.sqlite`);
  const db = openStoreDatabase(file);
  const insert = db.prepare('INSERT INTO events (id, stream, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)');
  const sample = event(0);
  const data = JSON.stringify(sample.data);
  const metadata = JSON.stringify(sample.metadata);
  const tx = db.transaction((base: number) => {
    for (let i = 0; i < rowsPerTx; i++) insert.run(randomUUID(), `s-${(base + i) % 64}`, base + i, sample.type, data, metadata);
  });
  let rows = 0;
  const start = performance.now();
  while (performance.now() - start < SECONDS * 1000) {
    tx(rows);
    rows += rowsPerTx;
  }
  const elapsed = performance.now() - start;
  db.close();
  return perSecond(rows, elapsed);
};

const singleWriter = async (): Promise<number> => {
  const store = createSqliteEventStore({ file: join(dir, 'single.sqlite') });
  let revision = -1;
  const start = performance.now();
  while (performance.now() - start < SECONDS * 1000) {
    const result = await store.append('single', [event(revision)], { expectedRevision: revision < 0 ? 'no_stream' : revision });
    revision = result.nextRevision;
  }
  const elapsed = performance.now() - start;
  await store.close();
  return perSecond(revision + 1, elapsed);
};

const concurrentWriters = async (writers: number) => {
  const store = createSqliteEventStore({ file: join(dir, 'concurrent.sqlite') });
  let total = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      let revision = -1;
      while (performance.now() < deadline) {
        const result = await store.append(`writer-${w}`, [event(revision)], { expectedRevision: revision < 0 ? 'no_stream' : revision });
        revision = result.nextRevision;
        total += 1;
      }
    }),
  );
  const elapsed = performance.now() - start;
  const stats = store.stats();
  await store.close();
  return { eventsPerSecond: perSecond(total, elapsed), eventsPerCommit: Math.round((stats.events / stats.commits) * 10) / 10 };
};

const readAndFollow = async () => {
  const file = join(dir, 'read.sqlite');
  const store = createSqliteEventStore({ file, synchronous: 'NORMAL' });
  for (let written = 0; written < READ_EVENTS; written += 1000) {
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.append(`read-${(written / 1000 + i) % 500}`, Array.from({ length: 100 }, (_, j) => event(j)))));
  }
  let start = performance.now();
  let read = 0;
  for (let page = await store.readAll({ maxCount: 1000 }); page.length > 0; ) {
    read += page.length;
    page = await store.readAll({ after: page[page.length - 1]!.position, maxCount: 1000 });
  }
  const readPerSecond = perSecond(read, performance.now() - start);

  const localDb = openLocalDatabase(join(dir, 'local.sqlite'));
  let applied = 0;
  const follower = createFollower({ store, localDb, consumers: [{ name: 'count', apply: (events) => void (applied += events.length) }] });
  start = performance.now();
  await follower.start();
  while (follower.head() < read - 1) await new Promise((r) => setImmediate(r));
  const followPerSecond = perSecond(read, performance.now() - start);
  await follower.stop();
  localDb.close();
  await store.close();
  return { events: read, readPerSecond, followPerSecond, applied };
};

const main = async () => {
  console.log(`bench:store — ${SECONDS} s per figure, ${READ_EVENTS} events for reads; ${JSON.stringify(machine())}\n`);
  const raw1 = rawCeiling(1);
  const single = await singleWriter();
  console.log(`(a) one writer, 1-event appends   ${single.toLocaleString()} ev/s   raw 1-row tx ${raw1.toLocaleString()} ev/s   ratio ${ratio(single, raw1)} % (target ≥ 60 %)`);
  const raw100 = rawCeiling(100);
  const concurrent = await concurrentWriters(64);
  console.log(
    `(b) 64 writers, distinct streams   ${concurrent.eventsPerSecond.toLocaleString()} ev/s   raw 100-row tx ${raw100.toLocaleString()} ev/s   ratio ${ratio(concurrent.eventsPerSecond, raw100)} % (target ≥ 50 %), ${concurrent.eventsPerCommit} events/commit`,
  );
  const reads = await readAndFollow();
  console.log(`(c) global read ${reads.readPerSecond.toLocaleString()} ev/s, follower ${reads.followPerSecond.toLocaleString()} ev/s over ${reads.events.toLocaleString()} events (target ≥ 100,000)`);

  writeResult('bench/results/store.json', {
    benchmark: 'bench:store',
    date: new Date().toISOString(),
    machine: machine(),
    secondsPerFigure: SECONDS,
    singleWriter: { eventsPerSecond: single, rawOneRowTxPerSecond: raw1, ratioPercent: ratio(single, raw1), targetPercent: 60 },
    concurrentWriters: {
      writers: 64,
      eventsPerSecond: concurrent.eventsPerSecond,
      eventsPerCommit: concurrent.eventsPerCommit,
      rawHundredRowTxPerSecond: raw100,
      ratioPercent: ratio(concurrent.eventsPerSecond, raw100),
      targetPercent: 50,
    },
    globalRead: { events: reads.events, eventsPerSecond: reads.readPerSecond, target: 100_000 },
    follower: { events: reads.events, eventsPerSecond: reads.followPerSecond, target: 100_000 },
  });
  rmSync(dir, { recursive: true, force: true });
};

await main();

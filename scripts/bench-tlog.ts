/**
 * npm run bench:tlog — the transparency log at 1,000,000 leaves (issue 5 §6):
 *   append-to-log    the log consumer as the follower drives it in production: `createLogConsumer` over
 *                    `createNodeStore` on a fresh local SQLite file, fed batches of 1000 sequenced events
 *                    (leaf hashing = RFC 8785 + SHA-256, interior nodes, node persistence)  target ≥ 200,000 leaves/s
 *   breakdown        the same work in parts (leaf hashing only; tree in memory only; persistence only), so a
 *                    reader sees where the time goes
 *   inclusion proof  10,000 random proofs at tree size 1,000,000, as `GET /audit/proof/inclusion` computes them
 *                    (transparency.ts `inclusion`: node reads from the local file + hex)            target p99 < 2 ms
 *   consistency      10,000 random proofs from a random size to 1,000,000 (`consistency`)          target p99 < 2 ms
 * Events are built outside the timing, one batch at a time, the way the sqlite store hands them to the follower
 * (`data` and `metadata` parsed from JSON text), so memory stays flat and the objects are as fresh as in production.
 * Env: BENCH_LEAVES (default 1,000,000), BENCH_PROOFS (default 10,000).
 * The result goes to bench/results/tlog.json under `figures`; a `figures.verify` entry already in the file (the
 * verify CLI's benchmark) is kept.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { canonicalJson } from '../src/canonical/canonical-json.js';
import { attachCanonicalPayload } from '../src/canonical/stored-text.js';
import type { SequencedEvent } from '../src/follower/consumer.js';
import { openLocalDatabase } from '../src/follower/local-state.js';
import type { Position } from '../src/store/event-store.js';
import { eventLeafHash, leafBytes } from '../src/transparency/leaf.js';
import { createLogConsumer } from '../src/transparency/log-consumer.js';
import { createNodeStore } from '../src/transparency/node-store.js';
import { generateSigner } from '../src/transparency/signed-note.js';
import { createTransparency } from '../src/transparency/transparency.js';
import { createTreeBuilder, type StoredNode } from '../src/transparency/tree-builder.js';
import { machine, perSecond, writeResult } from './bench/machine.js';

const LEAVES = Number(process.env.BENCH_LEAVES ?? 1_000_000);
const PROOFS = Number(process.env.BENCH_PROOFS ?? 10_000);
const BATCH = 1000;
const RESULT_FILE = 'bench/results/tlog.json';
const dir = mkdtempSync(join(tmpdir(), 'bench-tlog-'));

// ---------------------------------------------------------------------------------------------------------------
// Realistic events: the shapes of the catalog's busiest types, fresh ids and values in each.

const initiatives = Array.from({ length: 20 }, () => randomUUID());
const partners = Array.from({ length: 200 }, () => randomUUID());
const indicators = Array.from({ length: 100 }, () => randomUUID());
const pick = <T>(list: readonly T[], n: number): T => list[n % list.length]!;

const templates: Array<(n: number) => { type: string; stream: string; data: unknown }> = [
  (n) => ({
    type: 'ReadingRecorded',
    stream: `indicator-${pick(indicators, n)}`,
    data: {
      readingId: randomUUID(),
      indicatorId: pick(indicators, n),
      initiativeId: pick(initiatives, n),
      partnerId: pick(partners, n * 7),
      period: { start: '2026-01-01', end: '2026-03-31' },
      value: Math.round(Math.random() * 1e6) / 100,
      disaggregation: { district: pick(['North', 'South', 'East', 'West'], n), sex: pick(['f', 'm', 'x'], n) },
      source: 'District assessment 2026',
      status: 'submitted',
    },
  }),
  (n) => ({
    type: 'ContributionRecorded',
    stream: `commitment-${pick(partners, n)}`,
    data: {
      contributionId: randomUUID(),
      initiativeId: pick(initiatives, n),
      partnerId: pick(partners, n),
      commitmentId: randomUUID(),
      money: { amount: (Math.random() * 100000).toFixed(2), currency: 'EUR' },
      date: '2026-05-02',
      evidence: { url: `https://example.org/receipts/${n}.pdf`, sha256: createHash('sha256').update(String(n)).digest('hex') },
    },
  }),
  (n) => ({
    type: 'ActivityLogged',
    stream: `initiative-${pick(initiatives, n)}`,
    data: {
      initiativeId: pick(initiatives, n),
      activityId: randomUUID(),
      strategyId: randomUUID(),
      title: 'Réunion trimestrielle du comité de pilotage',
      kind: 'meeting',
      date: '2026-03-14',
      partnerIds: [pick(partners, n), pick(partners, n + 1), pick(partners, n + 2)],
      minutes: 'Agreed the home-visiting pilot districts; next review in Q3. Budget “on track” ✓',
      outputs: ['Pilot district list', 'Revised timeline'],
    },
  }),
  (n) => ({
    type: 'CommitmentMade',
    stream: `commitment-${randomUUID()}`,
    data: {
      commitmentId: randomUUID(),
      initiativeId: pick(initiatives, n),
      partnerId: pick(partners, n),
      goalId: randomUUID(),
      kind: 'funding',
      money: { amount: '250000.00', currency: 'USD' },
      dueDate: '2026-12-31',
    },
  }),
];

/**
 * One batch of sequenced events, built as the sqlite store hands them to the follower: `data` and `metadata`
 * parsed from the rows' RFC 8785 text, with that text attached (stored-text.ts). The text is made outside the
 * timing because the store makes it when the event is written (the write path, counted in bench:http); with
 * `withStoredText` false the events are bare objects, as the EventStoreDB adapter hands them out.
 */
const makeBatch = (firstSeq: number, count: number, withStoredText = true): SequencedEvent[] =>
  Array.from({ length: count }, (_, i) => {
    const seq = firstSeq + i;
    const { type, stream, data } = templates[seq % templates.length]!(seq);
    const metadata = {
      actor: { keyId: pick(partners, seq), role: 'partner', partnerId: pick(partners, seq) },
      recordedAt: new Date(1_780_000_000_000 + seq * 1000).toISOString(),
      correlationId: randomUUID(),
      causationId: randomUUID(),
      schemaVersion: 1,
    };
    const stored = { data: canonicalJson(data), metadata: canonicalJson(metadata) };
    const event: SequencedEvent = {
      id: randomUUID(),
      type,
      stream,
      revision: Math.floor(seq / 100),
      data: JSON.parse(stored.data) as unknown,
      metadata: JSON.parse(stored.metadata) as SequencedEvent['metadata'],
      position: String(seq + 1) as Position,
      seq,
    };
    return withStoredText ? attachCanonicalPayload(event, stored) : event;
  });

/**
 * Wall time and CPU time (user + system of this process, which does the work on one thread) of the sections between
 * `start` and `stop`. On a shared machine the wall clock also counts time the scheduler gave to other processes;
 * the CPU time does not, so both are reported.
 */
const createStopwatch = () => {
  let wallMs = 0;
  let cpuMs = 0;
  let wallStart = 0;
  let cpuStart = process.cpuUsage();
  return {
    start(): void {
      cpuStart = process.cpuUsage();
      wallStart = performance.now();
    },
    /** Stops and returns this section's { wallMs, cpuMs }. */
    stop(): { wallMs: number; cpuMs: number } {
      const wall = performance.now() - wallStart;
      const cpu = process.cpuUsage(cpuStart);
      const section = { wallMs: wall, cpuMs: (cpu.user + cpu.system) / 1000 };
      wallMs += section.wallMs;
      cpuMs += section.cpuMs;
      return section;
    },
    /** Throughput figures for `leaves` leaves over all sections. */
    figures: (leaves: number) => ({
      leavesPerSecond: perSecond(leaves, wallMs),
      seconds: Math.round(wallMs) / 1000,
      leavesPerCpuSecond: perSecond(leaves, cpuMs),
      cpuSeconds: Math.round(cpuMs) / 1000,
    }),
  };
};

/** Runs `work` on each batch of `leaves` events, timing only `work`. */
const timedOverBatches = async (
  leaves: number,
  work: (batch: SequencedEvent[]) => void | Promise<void>,
  withStoredText = true,
  /** Timed after the last batch: waits for work still in flight (the log's tail being hashed and stored). */
  finish?: () => Promise<void>,
) => {
  const watch = createStopwatch();
  const building = createStopwatch();
  const wallStart = performance.now();
  for (let seq = 0; seq < leaves; seq += BATCH) {
    building.start();
    const batch = makeBatch(seq, Math.min(BATCH, leaves - seq), withStoredText);
    building.stop();
    watch.start();
    await work(batch);
    watch.stop();
  }
  if (finish) {
    watch.start();
    await finish();
    watch.stop();
  }
  const wallSeconds = (performance.now() - wallStart) / 1000;
  return {
    ...watch.figures(leaves),
    // The whole loop, building the events included: what a reader should compare when work overlaps the building.
    withBatchBuilding: { seconds: Math.round(wallSeconds * 1000) / 1000, batchBuildingSeconds: building.figures(leaves).seconds },
  };
};

const progress = (label: string) => {
  if (process.stderr.isTTY) process.stderr.write(`  ${label}…\n`);
};

// ---------------------------------------------------------------------------------------------------------------

/** (1) The production path: log consumer + node store on a fresh local file. Leaves the file for the proofs. */
const appendToLog = async (file: string) => {
  progress(`append-to-log, ${LEAVES.toLocaleString()} leaves`);
  const db = openLocalDatabase(file);
  const nodes = createNodeStore(db);
  const log = createLogConsumer(nodes);
  // As the follower drives it: the next batch once `apply` returned (the batch's tail may still be hashing on the
  // hashing thread while the next one is built, as the follower reads its next page then), and at the end until
  // every leaf is stored.
  const figures = await timedOverBatches(LEAVES, (batch) => log.consumer.apply(batch), true, () => log.settled());
  const size = log.size();
  db.close();
  if (size !== LEAVES) throw new Error(`the log has ${size} leaves, expected ${LEAVES}`);
  return figures;
};

/**
 * (2a) Leaf hashing only: leaf bytes + SHA-256 of each event — from the stored canonical text (the embedded
 * store), or, with `withStoredText` false, RFC 8785 canonicalization of the objects first (EventStoreDB).
 */
const hashingOnly = async (withStoredText: boolean) => {
  progress(`leaf hashing only, ${withStoredText ? 'from stored canonical text' : 'canonicalizing objects'}`);
  let bytes = 0;
  const figures = await timedOverBatches(
    LEAVES,
    (batch) => {
      for (const event of batch) eventLeafHash(event);
    },
    withStoredText,
  );
  // Average leaf size, measured outside the timing on a sample.
  const sample = makeBatch(0, 4000);
  for (const event of sample) bytes += leafBytes(event).length;
  return { ...figures, averageLeafBytes: Math.round(bytes / sample.length) };
};

/** Deterministic stand-in leaf hashes, so the tree and persistence figures exclude leaf hashing. */
const fakeLeaves = (firstSeq: number, count: number): Buffer[] =>
  Array.from({ length: count }, (_, i) => {
    const hash = Buffer.alloc(32);
    hash.writeUInt32BE(firstSeq + i);
    return hash;
  });

/** (2b) Interior nodes in memory only: the tree builder over precomputed leaf hashes. */
const treeOnly = () => {
  progress('tree in memory only');
  const builder = createTreeBuilder();
  const watch = createStopwatch();
  let nodes = 0;
  for (let seq = 0; seq < LEAVES; seq += BATCH) {
    const leaves = fakeLeaves(seq, Math.min(BATCH, LEAVES - seq));
    watch.start();
    for (const leaf of leaves) nodes += builder.append(leaf).length;
    watch.stop();
  }
  return { ...watch.figures(LEAVES), nodesPerLeaf: Math.round((nodes / LEAVES) * 1000) / 1000 };
};

/** (2c) Persistence only: `nodes.save` of each batch's completed nodes (computed outside the timing). */
const persistenceOnly = (file: string) => {
  progress('persistence only');
  const db = openLocalDatabase(file);
  const store = createNodeStore(db);
  const builder = createTreeBuilder();
  const watch = createStopwatch();
  for (let seq = 0; seq < LEAVES; seq += BATCH) {
    const completed: StoredNode[] = [];
    for (const leaf of fakeLeaves(seq, Math.min(BATCH, LEAVES - seq))) completed.push(...builder.append(leaf));
    watch.start();
    store.save(completed, builder.size);
    watch.stop();
  }
  db.close();
  return watch.figures(LEAVES);
};

// ---------------------------------------------------------------------------------------------------------------

const percentiles = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  const round = (ms: number) => Math.round(ms * 1000) / 1000;
  return { p50Ms: round(at(50)), p99Ms: round(at(99)), maxMs: round(sorted[sorted.length - 1]!) };
};

const randomInt = (below: number) => Math.floor(Math.random() * below);

/**
 * (3) Proofs through the same node store, reopened as a restarted service would (the route's own code path:
 * `createTransparency(...).inclusion / .consistency`, which read nodes from the file and hex-encode).
 */
const proofs = (file: string) => {
  progress(`${PROOFS.toLocaleString()} inclusion and ${PROOFS.toLocaleString()} consistency proofs`);
  const db = openLocalDatabase(file);
  const transparency = createTransparency({
    db,
    store: { readAll: () => Promise.reject(new Error('not used by proofs')) },
    seqIndex: { get: () => undefined },
    signer: generateSigner('bench.example').signer,
    origin: 'bench.example',
    checkpointEvery: { events: Number.MAX_SAFE_INTEGER, seconds: 3600 },
  });
  const size = transparency.size();
  if (size !== LEAVES) throw new Error(`the reopened log has ${size} leaves, expected ${LEAVES}`);

  // Warm-up, as a running service would be: a few hundred proofs, not timed.
  for (let i = 0; i < 200; i++) {
    transparency.inclusion(randomInt(size), size);
    transparency.consistency(1 + randomInt(size), size);
  }
  const watch = createStopwatch();
  const inclusion = { wall: [] as number[], cpu: [] as number[] };
  let hashes = 0;
  for (let i = 0; i < PROOFS; i++) {
    const seq = randomInt(size);
    watch.start();
    const proof = transparency.inclusion(seq, size);
    const { wallMs, cpuMs } = watch.stop();
    inclusion.wall.push(wallMs);
    inclusion.cpu.push(cpuMs);
    hashes += proof.hashes.length;
  }
  const inclusionHashes = hashes / PROOFS;
  const consistency = { wall: [] as number[], cpu: [] as number[] };
  hashes = 0;
  for (let i = 0; i < PROOFS; i++) {
    const from = 1 + randomInt(size);
    watch.start();
    const proof = transparency.consistency(from, size);
    const { wallMs, cpuMs } = watch.stop();
    consistency.wall.push(wallMs);
    consistency.cpu.push(cpuMs);
    hashes += proof.hashes.length;
  }
  transparency.checkpointer.stop();
  db.close();
  return {
    inclusion: { samples: PROOFS, treeSize: size, averageHashes: Math.round(inclusionHashes * 10) / 10, ...percentiles(inclusion.wall), cpu: percentiles(inclusion.cpu) },
    consistency: { samples: PROOFS, treeSize: size, averageHashes: Math.round((hashes / PROOFS) * 10) / 10, ...percentiles(consistency.wall), cpu: percentiles(consistency.cpu) },
  };
};

/** The verify CLI's benchmark adds `figures.verify`; keep it when this benchmark rewrites the file. */
const existingVerifyFigure = (): unknown => {
  if (!existsSync(RESULT_FILE)) return undefined;
  try {
    return (JSON.parse(readFileSync(RESULT_FILE, 'utf8')) as { figures?: { verify?: unknown } }).figures?.verify;
  } catch {
    return undefined;
  }
};

const loadAverage = () => loadavg().map((load) => Math.round(load * 100) / 100);

const main = async () => {
  const loadAtStart = loadAverage();
  console.log(`bench:tlog — ${LEAVES.toLocaleString()} leaves in batches of ${BATCH}, ${PROOFS.toLocaleString()} proofs of each kind; ${JSON.stringify(machine())}\n`);
  const logFile = join(dir, 'local.sqlite');
  const append = await appendToLog(logFile);
  const rate = (f: { leavesPerSecond: number; leavesPerCpuSecond: number; seconds: number }) =>
    `${f.leavesPerSecond.toLocaleString()} leaves/s (${f.seconds} s; per CPU-second ${f.leavesPerCpuSecond.toLocaleString()})`;
  console.log(`append-to-log        ${rate(append)}; target ≥ 200,000`);
  const hashing = await hashingOnly(true);
  console.log(`  leaf hashing only  ${rate(hashing)}; stored RFC 8785 text + SHA-256, ${hashing.averageLeafBytes} bytes/leaf`);
  const canonicalizing = await hashingOnly(false);
  console.log(`    from objects     ${rate(canonicalizing)}; RFC 8785 of parsed objects + SHA-256 (EventStoreDB adapter)`);
  const tree = treeOnly();
  console.log(`  tree in memory     ${rate(tree)}; ${tree.nodesPerLeaf} nodes stored per leaf`);
  const persistence = persistenceOnly(join(dir, 'persistence.sqlite'));
  console.log(`  persistence only   ${rate(persistence)}; SQLite, WAL, synchronous=NORMAL`);
  const proof = proofs(logFile);
  const latency = (p: (typeof proof)['inclusion']) =>
    `p50 ${p.p50Ms} ms, p99 ${p.p99Ms} ms, max ${p.maxMs} ms (CPU time: p50 ${p.cpu.p50Ms}, p99 ${p.cpu.p99Ms} ms); ${p.averageHashes} hashes; target p99 < 2 ms`;
  console.log(`inclusion proof      ${latency(proof.inclusion)}`);
  console.log(`consistency proof    ${latency(proof.consistency)}`);

  const loadAtEnd = loadAverage();
  console.log(`\nload average (1, 5, 15 min) ${loadAtStart.join(', ')} at start, ${loadAtEnd.join(', ')} at end (${machine().cores} cores)`);
  const verify = existingVerifyFigure();
  writeResult(RESULT_FILE, {
    benchmark: 'bench:tlog',
    date: new Date().toISOString(),
    machine: machine(),
    leaves: LEAVES,
    batchSize: BATCH,
    averageLeafBytes: hashing.averageLeafBytes,
    /** Other work on the machine during the run: figures taken under load are lower (shared CI machine). */
    loadAverage: { start: loadAtStart, end: loadAtEnd },
    figures: {
      appendToLog: { ...append, target: { leavesPerSecond: 200_000 }, met: append.leavesPerSecond >= 200_000 },
      appendBreakdown: { leafHashing: hashing, leafHashingFromObjects: canonicalizing, treeInMemory: tree, persistence },
      inclusionProof: { ...proof.inclusion, target: { p99Ms: 2 }, met: proof.inclusion.p99Ms < 2 },
      consistencyProof: { ...proof.consistency, target: { p99Ms: 2 }, met: proof.consistency.p99Ms < 2 },
      ...(verify === undefined ? {} : { verify }),
    },
  });
  rmSync(dir, { recursive: true, force: true });
};

await main();

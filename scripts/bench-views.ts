/**
 * npm run bench:views — projections and time travel over a synthetic history (issue 4 §5):
 *   history      1,000,000 catalog events of one initiative (scripts/bench/synthetic-history.ts: 50 partners,
 *                200 indicators with disaggregations, commitments, contributions, decisions with votes,
 *                activities, risks; ≈ 97 % reading events), written to a fresh sqlite store by a child process
 *   replay       `npm run rebuild` as it runs: every projection's snapshots dropped, the follower replays the whole
 *                log (its seq index already built) through the views consumer, all projections, a snapshot every
 *                SNAPSHOT_EVERY events (the production default, 5000)                   target ≥ 150,000 events/s
 *                and, beside it, the projections' pure apply cost (events already read and parsed, no snapshots),
 *                per projection, and what the snapshots cost (serializing, deflating)
 *   asOf         GET /initiatives/:id/measurement?asOf=… on the real service over HTTP, in its own process as
 *                `npm start` runs it (sqlite store, follower, every consumer caught up, pino at info to /dev/null; the
 *                client in another child process, one keep-alive connection, one request at a time): random seqs and
 *                random times                                                                 target p99 < 100 ms
 *   latest       GET /initiatives/:id/measurement without asOf, the log unchanged between requests (the route keeps
 *                the serialized answer per seq)                                              target p99 < 20 ms
 *                and, not targets, the same reads with `Accept-Encoding: gzip` (the route's gzip copy, timed until
 *                the client inflated it), and the read right after a write (recorded over HTTP): the view computed
 *                again
 *   peak RSS     the larger of this process (numbering, rebuild, pure apply: sampled every 100 ms and the kernel's
 *                VmHWM) and the service's process (VmHWM); the generator's child process is reported apart
 *                                                                                             target < 2 GiB
 * Env: BENCH_EVENTS (default 1,000,000), BENCH_ASOF (random points of each kind, default 200), BENCH_LATEST
 * (default 1,000), BENCH_AFTER_WRITE (default 50), BENCH_SEED; BENCH_DIR keeps the data directory and reuses a
 * history already generated there with the same size and seed (for development; a measurement run should generate
 * afresh).
 */
import Database from 'better-sqlite3';
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { constants, createGunzip, deflateRawSync } from 'node:zlib';
import { pino } from 'pino';
import { allProjections } from '../projections/index.js';
import type { ProjectedEvent } from '../projections/projection.js';
import { loadConfig } from '../src/config.js';
import type { Consumer } from '../src/follower/consumer.js';
import { createFollower } from '../src/follower/follower.js';
import { createSeqIndex, openLocalDatabase } from '../src/follower/local-state.js';
import { createService, pinoOptions } from '../src/service.js';
import { createSqliteEventStore } from '../src/store/sqlite/sqlite-event-store.js';
import { splitState } from '../src/views/snapshot-chunks.js';
import { createSnapshotStore } from '../src/views/snapshot-store.js';
import { createViews } from '../src/views/views.js';
import { machine, perSecond, writeResult } from './bench/machine.js';
import { createRandom, writeSyntheticHistory, type SyntheticHistory } from './bench/synthetic-history.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const AS_OF_POINTS = Number(process.env.BENCH_ASOF ?? 200);
const LATEST_REQUESTS = Number(process.env.BENCH_LATEST ?? 1000);
const AFTER_WRITE_ROUNDS = Number(process.env.BENCH_AFTER_WRITE ?? 50);
const SEED = Number(process.env.BENCH_SEED ?? 20230102);
const RESULT_FILE = 'bench/results/views.json';
const ADMIN_TOKEN = 'bench-views-admin-token-0123456789abcdef';
const TARGETS = { replayEventsPerSecond: 150_000, asOfP99Ms: 100, latestP99Ms: 20, peakRssGiB: 2 };

const GiB = 2 ** 30;
const MiB = 2 ** 20;
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The kernel's high-water mark of this process's resident set (bytes), from /proc. */
const vmHwm = (): number | undefined => {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
};

// ---------------------------------------------------------------------------------------------------------------
// The generator, in a child process so its bookkeeping does not count toward the views' memory.

const generateInChild = async (dir: string): Promise<SyntheticHistory & { peakRssBytes?: number }> => {
  const child = fork(fileURLToPath(import.meta.url), ['--generate', dir], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    let result: (SyntheticHistory & { peakRssBytes?: number }) | undefined;
    child.on('message', (message) => (result = message as SyntheticHistory & { peakRssBytes?: number }));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 && result ? resolve(result) : reject(new Error(`the generator exited with ${code}`))));
  });
};

const generatorMain = async (dir: string) => {
  // Generating is not measured: NORMAL durability, so fsyncs do not slow it down (the service reopens it FULL).
  const store = createSqliteEventStore({ file: join(dir, 'events.sqlite'), synchronous: 'NORMAL' });
  let shown = 0;
  const history = await writeSyntheticHistory({
    store,
    events: EVENTS,
    seed: SEED,
    onProgress: (written) => {
      if (written - shown >= EVENTS / 10) {
        shown = written;
        console.log(`  generated ${written.toLocaleString()} events`);
      }
    },
  });
  await store.close();
  process.send!({ ...history, peakRssBytes: vmHwm() });
};

// ---------------------------------------------------------------------------------------------------------------
// Memory: peak RSS sampled every 100 ms, per phase.

const createRssSampler = () => {
  let phase = 'start';
  let peak = process.memoryUsage.rss();
  const byPhase: Record<string, number> = {};
  const sample = () => {
    const rss = process.memoryUsage.rss();
    peak = Math.max(peak, rss);
    byPhase[phase] = Math.max(byPhase[phase] ?? 0, rss);
  };
  const timer = setInterval(sample, 100);
  timer.unref();
  return {
    phase(name: string) {
      sample();
      phase = name;
      sample();
    },
    stop() {
      sample();
      clearInterval(timer);
      const hwm = vmHwm();
      return {
        sampledPeakBytes: peak,
        vmHwmBytes: hwm,
        peakBytes: Math.max(peak, hwm ?? 0),
        byPhaseMiB: Object.fromEntries(Object.entries(byPhase).map(([name, bytes]) => [name, Math.round(bytes / MiB)])),
      };
    },
  };
};

// ---------------------------------------------------------------------------------------------------------------

const percentiles = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return { samples: sorted.length, p50Ms: round(at(50), 2), p90Ms: round(at(90), 2), p99Ms: round(at(99), 2), maxMs: round(sorted[sorted.length - 1]!, 2) };
};

const cpuMs = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

const waitUntil = async (done: () => boolean, pollMs = 5) => {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, pollMs));
};

const snapshotEvery = loadConfig({}).snapshotEvery;

/** The follower numbers the log (builds its seq index) with no consumer: what a first start does besides consumers. */
const numbering = async (dir: string, events: number) => {
  const store = createSqliteEventStore({ file: join(dir, 'events.sqlite') });
  const db = openLocalDatabase(join(dir, 'local.sqlite'));
  const follower = createFollower({ store, localDb: db, consumers: [] });
  const cpu = process.cpuUsage();
  const start = performance.now();
  await follower.start();
  await waitUntil(() => follower.head() >= events - 1);
  const ms = performance.now() - start;
  await follower.stop();
  db.close();
  await store.close();
  return { eventsPerSecond: perSecond(events, ms), seconds: round(ms / 1000, 2), cpuSeconds: round(cpuMs(cpu) / 1000, 2) };
};

/**
 * `npm run rebuild`, as scripts/rebuild.ts does it: snapshots dropped, the views consumer replayed the whole log by
 * the follower (whose seq index exists), all projections, snapshots every SNAPSHOT_EVERY. Time in the consumer is
 * measured apart from the rest (reading pages from the store and parsing them).
 */
const rebuild = async (dir: string, events: number) => {
  const store = createSqliteEventStore({ file: join(dir, 'events.sqlite') });
  const db = openLocalDatabase(join(dir, 'local.sqlite'));
  const snapshotStore = createSnapshotStore(db);
  snapshotStore.clear();
  const views = createViews({ db, store, seqIndex: createSeqIndex(db), projections: allProjections, snapshotEvery });
  let consumerMs = 0;
  const timed: Consumer = {
    name: views.consumer.name,
    resumeAfter: () => views.consumer.resumeAfter!(),
    async apply(batch) {
      const start = performance.now();
      await views.consumer.apply(batch);
      consumerMs += performance.now() - start;
    },
  };
  const follower = createFollower({ store, localDb: db, consumers: [timed] });
  const cpu = process.cpuUsage();
  const start = performance.now();
  await follower.start();
  await waitUntil(() => views.head() >= events - 1);
  const ms = performance.now() - start;
  const cpuTotal = cpuMs(cpu);
  await follower.stop();
  views.snapshotNow();
  const snapshots = snapshotStore.stats();
  db.close();
  await store.close();
  return {
    eventsPerSecond: perSecond(events, ms),
    seconds: round(ms / 1000, 2),
    cpuSeconds: round(cpuTotal / 1000, 2),
    viewsConsumerSeconds: round(consumerMs / 1000, 2),
    readAndParseSeconds: round((ms - consumerMs) / 1000, 2),
    snapshotPoints: snapshots.points,
    snapshotChunks: snapshots.chunks,
    snapshotMiB: round(snapshots.bytes / MiB),
  };
};

/**
 * The projections' apply alone: the log read page by page (not timed), each page applied to every projection in
 * turn (timed per projection), no snapshots; and, at every SNAPSHOT_EVERY, the snapshot's cost (layout in chunks +
 * JSON + hashing what changed, then deflating the chunks no earlier snapshot held, as snapshot-store.ts does) timed apart.
 */
const pureApply = async (dir: string, events: number) => {
  const store = createSqliteEventStore({ file: join(dir, 'events.sqlite') });
  const states = allProjections.map((projection) => projection.init());
  const applyMs = allProjections.map(() => 0);
  const serializeMs = allProjections.map(() => 0);
  const deflateMs = allProjections.map(() => 0);
  /** Per projection: the last state's JSON size, and over the whole run the new chunks' characters and deflated bytes. */
  const snapshotBytes = allProjections.map(() => ({ json: 0, deflated: 0, newChars: 0 }));
  const lastChunks = allProjections.map(() => new Map<string, { text: string; hash: string }>());
  const storedChunks = allProjections.map(() => new Set<string>());
  let snapshots = 0;
  let seq = 0;
  for (let page = await store.readAll({ maxCount: 1000 }); page.length > 0; ) {
    const batch: ProjectedEvent[] = page.map((e) => ({ seq: seq++, id: e.id, type: e.type, stream: e.stream, data: e.data, metadata: e.metadata }));
    allProjections.forEach((projection, p) => {
      const start = performance.now();
      let state = states[p];
      for (const event of batch) state = projection.apply(state, event);
      states[p] = state;
      applyMs[p]! += performance.now() - start;
    });
    for (const event of batch) {
      if ((event.seq + 1) % snapshotEvery !== 0) continue;
      snapshots += 1;
      allProjections.forEach((_, p) => {
        // As snapshot-store.ts prepares a snapshot: the state laid out in chunks, a chunk hashed only where its text
        // changed, deflated only when no earlier snapshot holds it.
        let start = performance.now();
        const now = new Map<string, { text: string; hash: string }>();
        const fresh: string[] = [];
        let chars = 0;
        splitState(states[p], (identity, text) => {
          chars += text.length;
          const last = lastChunks[p]!.get(identity);
          const name = last !== undefined && last.text === text ? last.hash : createHash('sha256').update(text).digest('base64url');
          now.set(identity, { text, hash: name });
          if (!storedChunks[p]!.has(name)) {
            storedChunks[p]!.add(name);
            fresh.push(text);
          }
          return name;
        }, { watch: true });
        lastChunks[p] = now;
        serializeMs[p]! += performance.now() - start;
        start = performance.now();
        let deflatedBytes = 0;
        for (const text of fresh) deflatedBytes += deflateRawSync(text, { level: constants.Z_BEST_SPEED }).length;
        deflateMs[p]! += performance.now() - start;
        snapshotBytes[p] = { json: chars, deflated: snapshotBytes[p]!.deflated + deflatedBytes, newChars: snapshotBytes[p]!.newChars + fresh.reduce((a, t) => a + t.length, 0) };
      });
    }
    page = await store.readAll({ after: page[page.length - 1]!.position, maxCount: 1000 });
  }
  await store.close();
  if (seq !== events) throw new Error(`read ${seq} events, expected ${events}`);
  const sum = (list: number[]) => list.reduce((a, b) => a + b, 0);
  const totalApply = sum(applyMs);
  const totalSerialize = sum(serializeMs);
  const totalDeflate = sum(deflateMs);
  return {
    eventsPerSecond: perSecond(events, totalApply),
    seconds: round(totalApply / 1000, 2),
    perProjection: Object.fromEntries(
      allProjections.map((projection, p) => [
        projection.name,
        {
          applySeconds: round(applyMs[p]! / 1000, 2),
          snapshotSerializeSeconds: round(serializeMs[p]! / 1000, 2),
          snapshotDeflateSeconds: round(deflateMs[p]! / 1000, 2),
          finalStateJsonMiB: round(snapshotBytes[p]!.json / MiB, 2),
          newChunksJsonMiB: round(snapshotBytes[p]!.newChars / MiB, 1),
          newChunksDeflatedMiB: round(snapshotBytes[p]!.deflated / MiB, 1),
        },
      ]),
    ),
    /** Every projection's snapshot at every SNAPSHOT_EVERY: serialized on the event loop, deflated on the thread pool (in the runner). */
    snapshots: {
      count: snapshots,
      serializeSeconds: round(totalSerialize / 1000, 2),
      deflateSeconds: round(totalDeflate / 1000, 2),
      averageSerializeMs: snapshots === 0 ? 0 : round(totalSerialize / snapshots, 1),
      averageDeflateMs: snapshots === 0 ? 0 : round(totalDeflate / snapshots, 1),
      lastJsonMiB: round(snapshotBytes.reduce((a, b) => a + b.json, 0) / MiB, 2),
      newChunksDeflatedMiB: round(snapshotBytes.reduce((a, b) => a + b.deflated, 0) / MiB, 1),
    },
    /** Apply plus what snapshots cost the event loop (serialization), as the runner spends it. */
    applyAndSerializeEventsPerSecond: perSecond(events, totalApply + totalSerialize),
  };
};

// ---------------------------------------------------------------------------------------------------------------
// The real service over HTTP

interface RequestOptions {
  body?: unknown;
  keep?: boolean;
  /** Sends `Accept-Encoding: gzip` (as browsers, curl --compressed and HTTP libraries do) and inflates what comes gzipped. */
  gzip?: boolean;
}

/**
 * One request over the keep-alive connection; the time is until the client holds the whole answer: its last byte
 * arrived and, for a gzipped answer, inflated (as it arrives, as a client would). `bytes` is the answer's size,
 * `wireBytes` what crossed the connection.
 */
const httpRequest = (agent: Agent, port: number, path: string, options: RequestOptions = {}) =>
  new Promise<{ status: number; bytes: number; wireBytes: number; ms: number; text?: string }>((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = { authorization: `Bearer ${ADMIN_TOKEN}` };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    if (options.gzip) headers['accept-encoding'] = 'gzip';
    const start = performance.now();
    const req = request({ host: '127.0.0.1', port, path, agent, method: payload === undefined ? 'GET' : 'POST', headers }, (response) => {
      let bytes = 0;
      let wireBytes = 0;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => (wireBytes += chunk.length));
      const answer = response.headers['content-encoding'] === 'gzip' ? response.pipe(createGunzip()) : response;
      answer.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (options.keep) chunks.push(chunk);
      });
      answer.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          bytes,
          wireBytes,
          ms: performance.now() - start,
          ...(options.keep ? { text: Buffer.concat(chunks).toString('utf8') } : {}),
        }),
      );
      answer.on('error', reject);
      response.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });

/** What the HTTP client process is told: where the service listens, and the history it asks about. */
interface ClientPlan {
  port: number;
  initiativeId: string;
  events: number;
  firstRecordedAt: string;
  lastRecordedAt: string;
}

/** Every request's time (ms) and size, as the client process measured them. */
interface ClientTimings {
  latest: number[];
  latestBytes: number;
  /** The same reads from a client that accepts gzip (and inflates), and the bytes each answer took on the wire. */
  latestGzip: number[];
  latestGzipWireBytes: number;
  bySeq: number[];
  byTime: number[];
  asOfBytes: number[];
  afterWrite: number[];
  failures: string[];
}

/**
 * The client side, in its own process (as bench:http runs autocannon): receiving and discarding megabyte answers is
 * the client's work, and in the service's process it shared the event loop the measured requests need.
 */
const clientMain = async (plan: ClientPlan): Promise<ClientTimings> => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const base = `/initiatives/${plan.initiativeId}/measurement`;
  const failures: string[] = [];
  const run = async (path: string, options: RequestOptions = {}) => {
    const result = await httpRequest(agent, plan.port, path, options);
    if (result.status !== (options.body === undefined ? 200 : 201)) failures.push(`${path} → ${result.status}`);
    return result;
  };

  // Warm-up (not timed): the routes' first calls compile and fill caches, as on a running service.
  for (let i = 0; i < 20; i++) await run(base);
  const random = createRandom(SEED + 100);
  const first = Date.parse(plan.firstRecordedAt);
  const last = Date.parse(plan.lastRecordedAt);
  for (let i = 0; i < 10; i++) await run(`${base}?asOf=${random.int(0, plan.events - 1)}`);

  const latest: number[] = [];
  let latestBytes = 0;
  for (let i = 0; i < LATEST_REQUESTS; i++) {
    const result = await run(base);
    latest.push(result.ms);
    latestBytes = result.bytes;
  }
  // The second read with Accept-Encoding starts the gzip copy; the warm-up waits for it, the series is timed after.
  for (let i = 0; i < 20; i++) await run(base, { gzip: true });
  const latestGzip: number[] = [];
  let latestGzipWireBytes = 0;
  for (let i = 0; i < LATEST_REQUESTS; i++) {
    const result = await run(base, { gzip: true });
    latestGzip.push(result.ms);
    latestGzipWireBytes = result.wireBytes;
  }
  const bySeq: number[] = [];
  const byTime: number[] = [];
  const asOfBytes: number[] = [];
  for (let i = 0; i < AS_OF_POINTS; i++) {
    const seqResult = await run(`${base}?asOf=${random.int(0, plan.events - 1)}`);
    bySeq.push(seqResult.ms);
    const time = new Date(first + random.float() * (last - first)).toISOString();
    const timeResult = await run(`${base}?asOf=${encodeURIComponent(time)}`);
    byTime.push(timeResult.ms);
    asOfBytes.push(seqResult.bytes, timeResult.bytes);
  }

  // The latest view right after a write: the log moved, so the first read computes and serializes the view again
  // (no answer kept for the new seq). Each round records one reading over HTTP, then reads /measurement.
  const current = JSON.parse((await run(base, { keep: true })).text!) as {
    view: { partners: Array<{ id: string; status: string }>; indicators: Array<{ id: string; measure: string }> };
  };
  const partnerId = current.view.partners.find((p) => p.status === 'active')!.id;
  const indicatorId = current.view.indicators.find((i) => i.measure === 'count')!.id;
  const afterWrite: number[] = [];
  for (let i = 0; i < AFTER_WRITE_ROUNDS; i++) {
    const day = new Date(Date.UTC(2030, 0, 1 + i)).toISOString().slice(0, 10);
    await run(`/indicators/${indicatorId}/readings`, { body: { partnerId, period: { start: day, end: day }, value: 10 + i } });
    afterWrite.push((await run(base)).ms);
  }
  agent.destroy();
  return { latest, latestBytes, latestGzip, latestGzipWireBytes, bySeq, byTime, asOfBytes, afterWrite, failures };
};

/** Runs the client in a child process and waits for its timings. */
const clientInChild = (plan: ClientPlan): Promise<ClientTimings> =>
  new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--client'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let timings: ClientTimings | undefined;
    child.once('message', (message) => (timings = message as ClientTimings));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 && timings ? resolve(timings) : reject(new Error(`the HTTP client exited with ${code}`))));
    child.send(plan);
  });

/**
 * The service, in its own process as `npm start` runs it (the snapshots the rebuild left in its local file; the other
 * consumers, transparency log and directory, catch up on this first start): it reports its port once caught up, and
 * its peak RSS when told to stop. Its memory is then its own, not shared with the heap the benchmark's earlier phases
 * left (which, measured, was not what made the tails: they stayed as they were).
 */
const serviceMain = async (dir: string, events: number): Promise<void> => {
  const config = loadConfig({ DATA_DIR: dir, ADMIN_TOKEN, LOG_LEVEL: 'info', RATE_LIMIT_PER_MINUTE: '1000000000' });
  const startMs = performance.now();
  const service = await createService(config, pino(pinoOptions('info'), pino.destination('/dev/null')));
  await waitUntil(() => service.transparency.size() >= events, 50);
  const catchUpSeconds = round((performance.now() - startMs) / 1000, 1);
  const settleSeconds = await settled();
  await service.app.listen({ port: 0, host: '127.0.0.1' });
  const address = service.app.server.address();
  process.send!({ port: typeof address === 'object' && address ? address.port : 0, catchUpSeconds, settleSeconds });
  process.once('disconnect', () => process.exit(1)); // the benchmark is gone: so is its service
  process.once('message', () => {
    void service.stop().then(() => process.send!({ peakRssBytes: vmHwm() }, () => process.exit(0)));
  });
};

/** What a settled service spends at most, idle: a catch-up's aftermath (collections, the heap shrinking) is over. */
const SETTLED_CPU_SHARE = 0.05;

/**
 * Waits, in steps of 1 s, until this process used less than `SETTLED_CPU_SHARE` of a core in the last one (at most
 * 60 s), and says how long that took: requests are timed against a service with nothing left to do from its catch-up
 * (instead of a fixed second's pause). In the runs of 2026-12-03 it was idle after the first second.
 */
const settled = async (): Promise<number> => {
  const start = performance.now();
  for (let second = 0; second < 60; second++) {
    const before = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const used = process.cpuUsage(before);
    if ((used.user + used.system) / 1e6 < SETTLED_CPU_SHARE) break;
  }
  return round((performance.now() - start) / 1000, 1);
};

/** Starts the service in a child process; resolves once it listens, caught up, with a way to stop it. */
const serviceInChild = (dir: string, events: number) =>
  new Promise<{ port: number; catchUpSeconds: number; settleSeconds: number; stop: () => Promise<number | undefined> }>((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--service', dir, String(events)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let stopped: ((peak: number | undefined) => void) | undefined;
    child.on('message', (message: { port?: number; catchUpSeconds?: number; settleSeconds?: number; peakRssBytes?: number }) => {
      if (message.port !== undefined) {
        resolve({
          port: message.port,
          catchUpSeconds: message.catchUpSeconds!,
          settleSeconds: message.settleSeconds!,
          stop: () => new Promise((done) => ((stopped = done), child.send('stop'))),
        });
      } else stopped?.(message.peakRssBytes);
    });
    child.once('error', reject);
    child.once('exit', (code) => (stopped ? undefined : reject(new Error(`the service exited with ${code}`))));
  });

const overHttp = async (dir: string, history: SyntheticHistory) => {
  const service = await serviceInChild(dir, history.events);
  const timings = await clientInChild({
    port: service.port,
    initiativeId: history.initiativeId,
    events: history.events,
    firstRecordedAt: history.firstRecordedAt,
    lastRecordedAt: history.lastRecordedAt,
  });
  const servicePeakRssBytes = await service.stop();
  const { latest, latestBytes, latestGzip, latestGzipWireBytes, bySeq, byTime, asOfBytes, afterWrite, failures } = timings;
  if (failures.length > 0) throw new Error(`requests failed: ${failures.slice(0, 5).join('; ')}`);
  return {
    serviceStartAndCatchUpSeconds: service.catchUpSeconds,
    /** After the catch-up, until the service idled (below 5 % of a core for a second): requests are timed after. */
    serviceSettleSeconds: service.settleSeconds,
    servicePeakRssBytes,
    latest: { ...percentiles(latest), responseKiB: Math.round(latestBytes / 1024) },
    latestGzip: { ...percentiles(latestGzip), gzippedKiB: Math.round(latestGzipWireBytes / 1024) },
    latestAfterWrite: percentiles(afterWrite),
    asOf: {
      all: percentiles([...bySeq, ...byTime]),
      bySeq: percentiles(bySeq),
      byTime: percentiles(byTime),
      averageResponseKiB: Math.round(asOfBytes.reduce((a, b) => a + b, 0) / asOfBytes.length / 1024),
    },
  };
};

// ---------------------------------------------------------------------------------------------------------------

const loadAverage = () => loadavg().map((load) => round(load, 2));

const progress = (label: string) => console.log(`  ${label}…`);

const main = async () => {
  const rss = createRssSampler();
  const loadAtStart = loadAverage();
  console.log(`bench:views — ${EVENTS.toLocaleString()} events, SNAPSHOT_EVERY ${snapshotEvery}; ${JSON.stringify(machine())}\n`);
  const keep = process.env.BENCH_DIR;
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'bench-views-'));
  const summaryFile = join(dir, 'history.json');

  let history: SyntheticHistory & { peakRssBytes?: number };
  const reusable = keep && existsSync(summaryFile) ? (JSON.parse(readFileSync(summaryFile, 'utf8')) as typeof history & { seed: number }) : undefined;
  if (reusable && reusable.events === EVENTS && reusable.seed === SEED) {
    console.log(`  reusing the history in ${dir}`);
    history = reusable;
    for (const file of ['local.sqlite', 'local.sqlite-wal', 'local.sqlite-shm']) rmSync(join(dir, file), { force: true });
    // The readings an earlier run recorded after the history go, so the log is the history again.
    const db = new Database(join(dir, 'events.sqlite'));
    db.prepare('DELETE FROM events WHERE position > ?').run(history.events);
    db.close();
  } else {
    for (const file of ['events.sqlite', 'events.sqlite-wal', 'events.sqlite-shm', 'local.sqlite', 'local.sqlite-wal', 'local.sqlite-shm']) rmSync(join(dir, file), { force: true });
    progress(`generating the history (child process)`);
    rss.phase('generate (waiting for the child)');
    history = await generateInChild(dir);
    writeFileSync(summaryFile, JSON.stringify({ ...history, seed: SEED }));
  }
  const storeMiB = round(statSync(join(dir, 'events.sqlite')).size / MiB);
  console.log(
    `history: ${history.events.toLocaleString()} events in ${history.appends.toLocaleString()} appends, ${history.firstRecordedAt} … ${history.lastRecordedAt}, ` +
      `${storeMiB} MiB; generated in ${history.generateSeconds} s (generator peak RSS ${history.peakRssBytes ? Math.round(history.peakRssBytes / MiB) : '?'} MiB)`,
  );
  console.log(`  by type: ${JSON.stringify(history.byType)}`);

  progress('follower numbering (seq index)');
  rss.phase('numbering');
  const numbered = await numbering(dir, history.events);
  progress('rebuild: follower → views, all projections, snapshots');
  rss.phase('rebuild');
  const replay = await rebuild(dir, history.events);
  progress('pure projection apply');
  rss.phase('pure apply');
  const pure = await pureApply(dir, history.events);
  progress(`service over HTTP: ${LATEST_REQUESTS} latest, ${AS_OF_POINTS} asOf seqs and ${AS_OF_POINTS} asOf times`);
  rss.phase('service (waiting for its process)');
  const http = await overHttp(dir, history);
  const memory = rss.stop();
  const peakBytes = Math.max(memory.peakBytes, http.servicePeakRssBytes ?? 0);
  const loadAtEnd = loadAverage();

  const met = {
    replay: replay.eventsPerSecond >= TARGETS.replayEventsPerSecond,
    asOf: http.asOf.all.p99Ms < TARGETS.asOfP99Ms,
    latest: http.latest.p99Ms < TARGETS.latestP99Ms,
    rss: peakBytes < TARGETS.peakRssGiB * GiB,
  };
  const mark = (ok: boolean) => (ok ? '✓' : '✗');
  const rows: Array<[string, string, string, string]> = [
    ['replay, follower → views (rebuild)', `${replay.eventsPerSecond.toLocaleString()} ev/s (${replay.seconds} s; consumer ${replay.viewsConsumerSeconds} s, read+parse ${replay.readAndParseSeconds} s)`, `≥ ${TARGETS.replayEventsPerSecond.toLocaleString()} ev/s`, mark(met.replay)],
    ['  pure apply, all projections', `${pure.eventsPerSecond.toLocaleString()} ev/s (${pure.seconds} s)`, '', ''],
    ['  snapshots', `${pure.snapshots.count} × (${pure.snapshots.averageSerializeMs} ms layout + JSON + hashes + ${pure.snapshots.averageDeflateMs} ms deflating new chunks), last state ${pure.snapshots.lastJsonMiB} MiB JSON, ${pure.snapshots.newChunksDeflatedMiB} MiB of chunks written in all`, '', ''],
    ['  follower numbering alone', `${numbered.eventsPerSecond.toLocaleString()} ev/s`, '', ''],
    ['asOf /measurement, p99 (p50)', `${http.asOf.all.p99Ms} ms (${http.asOf.all.p50Ms} ms); seq ${http.asOf.bySeq.p99Ms}, time ${http.asOf.byTime.p99Ms}`, `< ${TARGETS.asOfP99Ms} ms`, mark(met.asOf)],
    ['latest /measurement, p99 (p50)', `${http.latest.p99Ms} ms (${http.latest.p50Ms} ms), ${http.latest.responseKiB} KiB`, `< ${TARGETS.latestP99Ms} ms`, mark(met.latest)],
    ['  the same, client accepting gzip, p99 (p50)', `${http.latestGzip.p99Ms} ms (${http.latestGzip.p50Ms} ms), ${http.latestGzip.gzippedKiB} KiB on the wire, inflated by the client`, '', ''],
    ['  service: start and catch-up, then settling', `${http.serviceStartAndCatchUpSeconds} s, ${http.serviceSettleSeconds} s (requests timed after)`, '', ''],
    ['  latest right after a write, p99 (p50)', `${http.latestAfterWrite.p99Ms} ms (${http.latestAfterWrite.p50Ms} ms): the view computed again`, '', ''],
    ['peak RSS', `${round(peakBytes / GiB, 2)} GiB (${Math.round(peakBytes / MiB)} MiB; benchmark ${Math.round(memory.peakBytes / MiB)}, service ${http.servicePeakRssBytes ? Math.round(http.servicePeakRssBytes / MiB) : '?'})`, `< ${TARGETS.peakRssGiB} GiB`, mark(met.rss)],
  ];
  const width = rows.map((r) => r.map((c) => c.length)).reduce((a, b) => a.map((w, i) => Math.max(w, b[i]!)));
  console.log('');
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(width[i]!)).join('  '));
  console.log(`\nper projection: ${JSON.stringify(pure.perProjection)}`);
  console.log(`RSS by phase (MiB): ${JSON.stringify(memory.byPhaseMiB)}`);
  console.log(`load average (1, 5, 15 min) ${loadAtStart.join(', ')} at start, ${loadAtEnd.join(', ')} at end (${machine().cores} cores)`);

  writeResult(RESULT_FILE, {
    benchmark: 'bench:views',
    date: new Date().toISOString(),
    machine: machine(),
    /** Other work on the machine during the run: figures taken under load are lower (shared machine). */
    loadAverage: { start: loadAtStart, end: loadAtEnd },
    snapshotEvery,
    history: {
      events: history.events,
      appends: history.appends,
      seed: SEED,
      firstRecordedAt: history.firstRecordedAt,
      lastRecordedAt: history.lastRecordedAt,
      partners: history.partners,
      indicators: history.indicators,
      reportingRate: history.reportingRate,
      byType: history.byType,
      storeMiB,
      generateSeconds: history.generateSeconds,
      generatorPeakRssMiB: history.peakRssBytes ? Math.round(history.peakRssBytes / MiB) : null,
    },
    figures: {
      replay: { ...replay, target: { eventsPerSecond: TARGETS.replayEventsPerSecond }, met: met.replay },
      pureApply: pure,
      followerNumbering: numbered,
      asOf: { ...http.asOf, target: { p99Ms: TARGETS.asOfP99Ms }, met: met.asOf },
      latest: { ...http.latest, target: { p99Ms: TARGETS.latestP99Ms }, met: met.latest },
      /** Not a target: the same reads with `Accept-Encoding: gzip`, until the client has inflated the answer. */
      latestGzip: http.latestGzip,
      /** Not a target: the first read after the log moved, which computes and serializes the view again. */
      latestAfterWrite: http.latestAfterWrite,
      serviceStartAndCatchUpSeconds: http.serviceStartAndCatchUpSeconds,
      serviceSettleSeconds: http.serviceSettleSeconds,
      peakRss: {
        peakMiB: Math.round(peakBytes / MiB),
        /** The service's own process (VmHWM), from its start and catch-up to the last request. */
        serviceVmHwmMiB: http.servicePeakRssBytes === undefined ? null : Math.round(http.servicePeakRssBytes / MiB),
        sampledPeakMiB: Math.round(memory.sampledPeakBytes / MiB),
        vmHwmMiB: memory.vmHwmBytes === undefined ? null : Math.round(memory.vmHwmBytes / MiB),
        byPhaseMiB: memory.byPhaseMiB,
        target: { GiB: TARGETS.peakRssGiB },
        met: met.rss,
      },
    },
  });
  if (!keep) rmSync(dir, { recursive: true, force: true });
};

if (process.argv[2] === '--generate') await generatorMain(process.argv[3]!);
else if (process.argv[2] === '--client') {
  process.once('message', (plan) => {
    void clientMain(plan as ClientPlan).then((timings) => process.send!(timings, () => process.exit(0)));
  });
} else if (process.argv[2] === '--service') await serviceMain(process.argv[3]!, Number(process.argv[4]));
else await main();

/**
 * npm run bench:http — the write path over HTTP against the bare-Fastify ceiling, measured in the same run on
 * the same machine (issue 3 §6), with autocannon (50 connections) in a child process so the load generator does
 * not share the server's event loop:
 *   (a) a bare Fastify route answering `{}`, with the service's server options and its logger (info, to /dev/null),
 *       sent the same request bodies
 *   (b) `POST /indicators/:id/readings` on the real service (sqlite store, synchronous=FULL, group commit,
 *       follower, transparency log, directory), valid and distinct readings from valid partner keys:
 *         spread over 200 indicators, then all on one hot indicator (concurrent writers to one stream queue
 *         in-process; none may fail with 412/409)
 * Target: (b) ≥ 35 % of (a) in requests/s, p99 < 50 ms, no non-2xx response.
 */
// @ts-expect-error autocannon ships no type declarations; the part used here is typed below.
import autocannonUntyped from 'autocannon';
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { createService, pinoOptions } from '../src/service.js';
import { machine, ratio, writeResult } from './bench/machine.js';

interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}
interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  requests: Array<AutocannonRequest & { setupRequest?: (request: AutocannonRequest) => AutocannonRequest }>;
}
interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number; max: number };
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}
const autocannon = autocannonUntyped as (options: AutocannonOptions) => Promise<AutocannonResult>;

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const CONNECTIONS = 50;
const INDICATORS = 200;
const PARTNERS = 50;
const TARGET_PERCENT = 35;
const TARGET_P99_MS = 50;

/** What the client process is told: where to send, which indicators, which partner keys, and a day offset. */
interface ClientPlan {
  url: string;
  seconds: number;
  /** `/bare` for (a); otherwise the indicator ids readings go to. */
  path?: string;
  indicators: string[];
  partners: Array<{ id: string; key: string }>;
  /** Periods are one day each, counted from 1950-01-01 + dayBase, so no two requests of any run collide. */
  dayBase: number;
}

interface Figures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** CPU time (user + system) the server process spent per request, and its share of one core. */
  serverCpuMsPerRequest?: number;
  serverCpuPercent?: number;
  /** Share of the run the server's event loop was busy (blocking fsyncs count as busy, waiting as idle). */
  serverEventLoopUtilization?: number;
}

const DAY_MS = 86_400_000;
const EPOCH = Date.UTC(1950, 0, 1);

/**
 * The body generator: request n goes to indicator n mod I and partner ⌊n / I⌋ mod P, for the day ⌊n / (I·P)⌋
 * after the plan's base — so concurrent requests spread over the indicators, (indicator, partner, period) never
 * repeats and no reading is a 409.
 */
const runClient = async (plan: ClientPlan): Promise<Figures> => {
  let n = 0;
  const P = plan.partners.length;
  const I = plan.indicators.length;
  const setupRequest = (request: AutocannonRequest): AutocannonRequest => {
    const i = n++;
    const indicator = plan.indicators[i % I]!;
    const partner = plan.partners[Math.floor(i / I) % P]!;
    const day = new Date(EPOCH + (plan.dayBase + Math.floor(i / (I * P))) * DAY_MS).toISOString().slice(0, 10);
    return {
      ...request,
      method: 'POST',
      path: plan.path ?? `/indicators/${indicator}/readings`,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${partner.key}` },
      body: JSON.stringify({ partnerId: partner.id, period: { start: day, end: day }, value: (i % 997) + 0.5, source: 'bench' }),
    };
  };
  const result = await autocannon({ url: plan.url, connections: CONNECTIONS, duration: plan.seconds, requests: [{ setupRequest }] });
  return {
    requestsPerSecond: Math.round(result.requests.total / result.duration),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
};

/** Runs the load in a child process (its own core), so autocannon does not compete with the server's loop. */
const load = (plan: ClientPlan): Promise<Figures> =>
  new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['client'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const cpu = process.cpuUsage();
    const elu = performance.eventLoopUtilization();
    child.once('message', (message) => {
      const figures = message as Figures;
      const used = process.cpuUsage(cpu);
      const loop = performance.eventLoopUtilization(elu);
      const cpuMs = (used.user + used.system) / 1000;
      resolve({
        ...figures,
        serverCpuMsPerRequest: Math.round((cpuMs / Math.max(1, figures.requests)) * 1000) / 1000,
        serverCpuPercent: Math.round(cpuMs / (plan.seconds * 10)),
        serverEventLoopUtilization: Math.round(loop.utilization * 100) / 100,
      });
    });
    child.once('error', reject);
    child.once('exit', (code) => code === 0 || reject(new Error(`load client exited with ${code}`)));
    child.send(plan);
  });

const logger = () => pino(pinoOptions('info'), pino.destination('/dev/null'));

/** (a) The ceiling: the service's Fastify options and logger, one route, no work. */
const bare = async (): Promise<Figures> => {
  const config = loadConfig({ ADMIN_TOKEN: 'x'.repeat(32) });
  const app = Fastify({
    loggerInstance: logger(),
    bodyLimit: config.bodyLimitBytes,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    ajv: { customOptions: { coerceTypes: false } },
  });
  app.post('/bare', async (_request, reply) => reply.code(201).send({}));
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const partners = Array.from({ length: PARTNERS }, () => ({ id: randomUUID(), key: `il_${'k'.repeat(43)}` }));
  const plan = { url, path: '/bare', indicators: [randomUUID()], partners, dayBase: 0 };
  await load({ ...plan, seconds: WARMUP_SECONDS });
  const figures = await load({ ...plan, seconds: SECONDS });
  await app.close();
  return figures;
};

/** (b) The real service: readings spread over 200 indicators, then all on one hot indicator. */
const service = async (): Promise<{ spread: Figures; hot: Figures; commits: { appends: number; commits: number } }> => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-http-'));
  const adminToken = `bench-admin-${randomUUID()}`;
  const config = loadConfig({ DATA_DIR: dir, ADMIN_TOKEN: adminToken, LOG_LEVEL: 'info', RATE_LIMIT_PER_MINUTE: '1000000000' });
  const svc = await createService(config, logger());
  try {
    const admin = { authorization: `Bearer ${adminToken}` };
    const post = async (url: string, payload: object) => {
      const res = await svc.app.inject({ method: 'POST', url, headers: admin, payload });
      if (res.statusCode !== 201) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
      return res.json() as { id: string; key?: string };
    };
    const { id: initiativeId } = await post('/initiatives', { name: 'Bench Partnership', problemStatement: 'Measured under load.' });
    const { id: goalId } = await post(`/initiatives/${initiativeId}/goals`, { title: 'Throughput' });
    const partners: ClientPlan['partners'] = [];
    for (let p = 0; p < PARTNERS; p++) {
      const { id } = await post(`/initiatives/${initiativeId}/partners`, { name: `Partner ${p}`, sector: 'nonprofit', primaryInterests: [] });
      const { key } = await post('/access-keys', { role: 'partner', initiativeId, partnerId: id, label: `bench partner ${p}` });
      partners.push({ id, key: key! });
    }
    const indicators: string[] = [];
    for (let i = 0; i < INDICATORS; i++) {
      const { id } = await post(`/initiatives/${initiativeId}/indicators`, {
        goalId,
        name: `Indicator ${i}`,
        measure: 'count',
        unit: 'people',
        direction: 'increase',
        baseline: { value: 0, date: '1949-12-31' },
        targets: [],
        frequency: 'adhoc',
      });
      indicators.push(id);
    }
    const url = await svc.app.listen({ host: '127.0.0.1', port: 0 });

    /** Every 2xx must be exactly one new event in the log: the follower's head moves by the 2xx count. */
    const measured = async (plan: ClientPlan): Promise<Figures> => {
      const before = svc.follower.head();
      const figures = await load(plan);
      const recorded = svc.follower.head() - before;
      const ok = figures.requests - figures.non2xx;
      if (recorded < ok) throw new Error(`${ok} writes answered 2xx but the log grew by ${recorded} events`);
      return figures;
    };
    const RUN_DAYS = 20_000; // days between the period ranges of two runs
    await measured({ url, seconds: WARMUP_SECONDS, indicators, partners, dayBase: 0 });
    const spread = await measured({ url, seconds: SECONDS, indicators, partners, dayBase: RUN_DAYS });
    const hotIndicator = [indicators[0]!];
    await measured({ url, seconds: WARMUP_SECONDS, indicators: hotIndicator, partners, dayBase: 2 * RUN_DAYS });
    const hot = await measured({ url, seconds: SECONDS, indicators: hotIndicator, partners, dayBase: 3 * RUN_DAYS });
    const stats = (svc.store as { stats?: () => { appends: number; commits: number } }).stats?.() ?? { appends: 0, commits: 0 };
    return { spread, hot, commits: stats };
  } finally {
    await svc.stop();
    rmSync(dir, { recursive: true, force: true });
  }
};

const row = (name: string, f: Figures, ceiling?: number) =>
  `${name.padEnd(34)} ${String(f.requestsPerSecond).padStart(7)} req/s   p50 ${String(f.p50Ms).padStart(4)} ms   p99 ${String(f.p99Ms).padStart(4)} ms   non-2xx ${f.non2xx + f.errors + f.timeouts}` +
  `   server CPU ${f.serverCpuMsPerRequest} ms/req (${f.serverCpuPercent} % of a core, loop busy ${f.serverEventLoopUtilization})` +
  (ceiling ? `   ${ratio(f.requestsPerSecond, ceiling)} % of (a)` : '');

const main = async () => {
  console.log(`bench:http — ${CONNECTIONS} connections, ${SECONDS} s per figure (after ${WARMUP_SECONDS} s warm-up)`);
  const ceiling = await bare();
  console.log(row('(a) bare Fastify POST → {}', ceiling));
  const real = await service();
  console.log(row('(b) readings, 200 indicators', real.spread, ceiling.requestsPerSecond));
  console.log(row('(b) readings, one hot indicator', real.hot, ceiling.requestsPerSecond));
  const check = (f: Figures) => ({
    ratioPercent: ratio(f.requestsPerSecond, ceiling.requestsPerSecond),
    meetsTarget: ratio(f.requestsPerSecond, ceiling.requestsPerSecond) >= TARGET_PERCENT && f.p99Ms < TARGET_P99_MS && f.non2xx + f.errors + f.timeouts === 0,
  });
  const result = {
    benchmark: 'bench:http',
    date: new Date().toISOString(),
    machine: machine(),
    connections: CONNECTIONS,
    secondsPerFigure: SECONDS,
    warmupSeconds: WARMUP_SECONDS,
    logger: 'pino, level info, to /dev/null (both servers)',
    targets: { ratioPercent: TARGET_PERCENT, p99Ms: TARGET_P99_MS, non2xx: 0 },
    bare: ceiling,
    readingsSpread: { indicators: INDICATORS, partnerKeys: PARTNERS, ...real.spread, ...check(real.spread) },
    readingsHotIndicator: { indicators: 1, partnerKeys: PARTNERS, ...real.hot, ...check(real.hot) },
    /** Over the whole service run (setup and warm-ups included): appends the durable commits acknowledged. */
    groupCommitWholeRun: { ...real.commits, appendsPerCommit: real.commits.commits ? Math.round((real.commits.appends / real.commits.commits) * 10) / 10 : null },
  };
  writeResult(join(process.cwd(), 'bench', 'results', 'http.json'), result);
  const nonOk = [real.spread, real.hot, ceiling].reduce((sum, f) => sum + f.non2xx + f.errors + f.timeouts, 0);
  if (nonOk > 0) {
    console.error(`${nonOk} responses were not 2xx`);
    process.exitCode = 1;
  }
};

if (process.argv[2] === 'client') {
  process.once('message', (plan) => {
    void runClient(plan as ClientPlan).then((figures) => {
      process.send!(figures, () => process.exit(0));
    });
  });
} else {
  await main();
}

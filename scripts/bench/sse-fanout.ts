/**
 * SSE fan-out (issue 6 §6): the service in its own process (durable sqlite store in a temporary DATA_DIR), 1,000
 * concurrent `GET /feeds/events` clients over raw HTTP (one socket each, minimal parsing: the `id:` lines) spread
 * over worker threads, and activities written through the HTTP API at a fixed rate with an admin key from the main
 * thread. Latency is event-to-client: from the moment a write was sent to the moment each client received the
 * message with that event's seq (the write's receipt says which seq it got). Target: p99 < 250 ms at 200 events/s.
 * The server's RSS and CPU are sampled from /proc (Linux).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

export interface SseFanoutOptions {
  clients?: number;
  eventsPerSecond?: number;
  seconds?: number;
  /** Worker threads the clients are spread over (default 2). */
  workers?: number;
  /** Progress lines (default: console.log). */
  log?: (line: string) => void;
}

export interface SseFanoutResult {
  clients: number;
  eventsPerSecond: number;
  seconds: number;
  writes: { sent: number; failed: number; p50Ms: number; p99Ms: number };
  deliveries: { expected: number; received: number; missing: number; outOfOrder: number };
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  serverRssMiB: { idle: number; withClients: number; peak: number; end: number; everySecond: number[] };
  /** CPU time the server used while writing, as a share of one core. */
  serverCpuShare: number;
  /** Busy share of the load generator's event loops while writing (near 1 = the generator was the bottleneck). */
  generatorEventLoopUtilization: { writer: number; clients: number[] };
  targetP99Ms: number;
  met: boolean;
}

const TOKEN = 'bench-admin-token-0123456789abcdef0123456789';
/** Wall-clock milliseconds with sub-millisecond resolution, comparable across worker threads. */
const now = () => performance.timeOrigin + performance.now();

interface ClientsJob {
  role: 'sse-clients';
  url: string;
  clients: number;
  capacity: number;
}
interface ClientsResult {
  seqs: Int32Array;
  ats: Float64Array;
  perClient: Int32Array;
  outOfOrder: number;
  utilization: number;
}

const ID = Buffer.from('\nid: ');

/** In a worker: opens the clients, records (seq, time) of every message, answers when told the expected count. */
const runClients = async (job: ClientsJob) => {
  const seqs = new Int32Array(job.capacity);
  const ats = new Float64Array(job.capacity);
  const perClient = new Int32Array(job.clients);
  let delivered = 0;
  let outOfOrder = 0;
  const requests: Array<{ destroy(): void }> = [];
  const open = (index: number) =>
    new Promise<void>((resolve, reject) => {
      const req = request(job.url, { agent: false, headers: { authorization: `Bearer ${TOKEN}`, accept: 'text/event-stream' } }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`client ${index}: ${res.statusCode}`));
        let last = -1;
        let tail: Buffer | undefined; // the last bytes of the previous chunk, when an id line may straddle chunks
        res.once('data', () => resolve());
        res.on('data', (data: Buffer) => {
          const at = now();
          const chunk = tail ? Buffer.concat([tail, data]) : data;
          let consumed = 0;
          for (let i = chunk.indexOf(ID); i !== -1; i = chunk.indexOf(ID, consumed)) {
            const end = chunk.indexOf(10, i + ID.length);
            // The byte after the id line tells a message (a data line follows) from the stream's resume point (an id
            // alone, then a blank line): wait for it if this chunk ends first.
            if (end === -1 || end + 1 >= chunk.length) break;
            if (chunk[end + 1] === 10) {
              consumed = end;
              continue;
            }
            let seq = 0;
            for (let j = i + ID.length; j < end; j++) seq = seq * 10 + chunk[j]! - 48;
            if (seq <= last) outOfOrder += 1;
            last = seq;
            perClient[index]! += 1;
            if (delivered < job.capacity) {
              seqs[delivered] = seq;
              ats[delivered++] = at;
            }
            consumed = end;
          }
          const keep = Math.max(consumed, chunk.length - 24);
          tail = keep < chunk.length ? Buffer.from(chunk.subarray(keep)) : undefined;
        });
      });
      req.on('error', reject);
      requests.push(req);
      req.end();
    });
  for (let i = 0; i < job.clients; i += 100) await Promise.all(Array.from({ length: Math.min(100, job.clients - i) }, (_, j) => open(i + j)));
  let elu = performance.eventLoopUtilization();
  parentPort!.on('message', async (message: { type: 'start' } | { type: 'collect'; expectedPerClient: number }) => {
    if (message.type === 'start') {
      elu = performance.eventLoopUtilization();
      return;
    }
    const utilization = performance.eventLoopUtilization(elu).utilization;
    for (let i = 0; i < 100 && perClient.some((n) => n < message.expectedPerClient); i++) await sleep(100);
    for (const req of requests) req.destroy();
    const result: ClientsResult = { seqs: seqs.slice(0, delivered), ats: ats.slice(0, delivered), perClient, outOfOrder, utilization };
    parentPort!.postMessage(result);
  });
  parentPort!.postMessage('ready');
};

if (!isMainThread && (workerData as ClientsJob | undefined)?.role === 'sse-clients') void runClients(workerData as ClientsJob);

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const rssMiB = (pid: number): number => {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : NaN;
};

/** CPU seconds (user + system) the process has used so far. */
const cpuSeconds = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

const percentile = (sorted: Float64Array, p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!);
const round = (ms: number) => Math.round(ms * 10) / 10;

export async function benchSseFanout(opts: SseFanoutOptions = {}): Promise<SseFanoutResult> {
  const clients = opts.clients ?? 1000;
  const rate = opts.eventsPerSecond ?? 200;
  const seconds = opts.seconds ?? 20;
  const workerCount = Math.max(1, Math.min(opts.workers ?? 2, clients));
  const log = opts.log ?? ((line: string) => console.log(line));
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-sse-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let child: ChildProcess | undefined;
  const workers: Worker[] = [];

  const call = (method: string, path: string, body?: unknown) =>
    new Promise<{ status: number; json: Record<string, unknown> }>((resolve, reject) => {
      const req = request(`${base}${path}`, { method, agent, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : {} }));
      });
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  const created = async (path: string, body: unknown) => {
    const res = await call('POST', path, body);
    if (res.status !== 201) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(res.json)}`);
    return res.json.id as string;
  };

  try {
    const main = fileURLToPath(new URL('../../src/main.js', import.meta.url));
    child = spawn(process.execPath, [main], {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '1000000' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const pid = child.pid!;
    for (let i = 0; ; i++) {
      if ((await call('GET', '/health').catch(() => ({ status: 0 }))).status === 200) break;
      if (i > 300) throw new Error('the service did not start');
      await sleep(100);
    }
    const I = await created('/initiatives', { name: 'Bench initiative', problemStatement: 'Fan-out under load.' });
    const P = await created(`/initiatives/${I}/partners`, { name: 'Bench partner', sector: 'nonprofit', primaryInterests: [] });
    const G = await created(`/initiatives/${I}/goals`, { title: 'Bench goal' });
    const S = await created(`/initiatives/${I}/strategies`, { goalId: G, title: 'Bench strategy' });
    const idle = rssMiB(pid);

    log(`opening ${clients} SSE clients in ${workerCount} worker threads…`);
    const total = Math.round(rate * seconds);
    const results: Promise<ClientsResult>[] = [];
    for (let w = 0; w < workerCount; w++) {
      const share = Math.floor(clients / workerCount) + (w < clients % workerCount ? 1 : 0);
      const job: ClientsJob = { role: 'sse-clients', url: `${base}/feeds/events?initiative=${I}`, clients: share, capacity: share * (total + 100) };
      const worker = new Worker(fileURLToPath(import.meta.url), { workerData: job });
      workers.push(worker);
      await new Promise<void>((resolve, reject) => {
        worker.once('message', () => resolve());
        worker.once('error', reject);
      });
      results.push(new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      }));
    }
    await sleep(1000);
    const withClients = rssMiB(pid);
    log(`${clients} clients connected (server RSS ${withClients} MiB); writing ${rate} events/s for ${seconds} s…`);

    // Writes at a fixed rate, not waiting for each other: send time by request, seq from the receipt.
    const sentAt = new Float64Array(total);
    const writeMs: number[] = [];
    const seqOf = new Map<number, number>();
    let failed = 0;
    let peak = withClients;
    const everySecond: number[] = [];
    let ticks = 0;
    const sampler = setInterval(() => {
      const rss = rssMiB(pid);
      peak = Math.max(peak, rss);
      if (ticks++ % 4 === 0) everySecond.push(rss);
    }, 250);
    for (const worker of workers) worker.postMessage({ type: 'start' });
    const elu = performance.eventLoopUtilization();
    const cpuBefore = cpuSeconds(pid);
    const started = now();
    const pending: Promise<void>[] = [];
    for (let n = 0; n < total; n++) {
      const due = started + (n * 1000) / rate;
      const wait = due - now();
      if (wait > 1) await sleep(wait);
      sentAt[n] = now();
      pending.push(
        call('POST', `/initiatives/${I}/activities`, { strategyId: S, title: `Bench activity ${n}`, kind: 'meeting', date: '2026-03-01', partnerIds: [P] })
          .then((res) => {
            writeMs.push(now() - sentAt[n]!);
            if (res.status === 201 && typeof res.json.seq === 'number') seqOf.set(res.json.seq, n);
            else failed += 1;
          })
          .catch(() => void (failed += 1)),
      );
    }
    await Promise.all(pending);
    const serverCpuShare = Math.round(((cpuSeconds(pid) - cpuBefore) / ((now() - started) / 1000)) * 100) / 100;
    const writerUtilization = performance.eventLoopUtilization(elu).utilization;
    for (const worker of workers) worker.postMessage({ type: 'collect', expectedPerClient: seqOf.size });
    const collected = await Promise.all(results);
    clearInterval(sampler);
    const end = rssMiB(pid);

    const expected = clients * seqOf.size;
    let received = 0;
    let outOfOrder = 0;
    const latencies: number[] = [];
    for (const r of collected) {
      received += r.perClient.reduce((a, b) => a + b, 0);
      outOfOrder += r.outOfOrder;
      for (let i = 0; i < r.seqs.length; i++) {
        const n = seqOf.get(r.seqs[i]!);
        if (n !== undefined) latencies.push(r.ats[i]! - sentAt[n]!);
      }
    }
    const sorted = Float64Array.from(latencies).sort();
    const writes = Float64Array.from(writeMs).sort();
    const result: SseFanoutResult = {
      clients,
      eventsPerSecond: rate,
      seconds,
      writes: { sent: total, failed, p50Ms: round(percentile(writes, 50)), p99Ms: round(percentile(writes, 99)) },
      deliveries: { expected, received, missing: Math.max(0, expected - received), outOfOrder },
      latencyMs: { p50: round(percentile(sorted, 50)), p90: round(percentile(sorted, 90)), p99: round(percentile(sorted, 99)), max: round(sorted[sorted.length - 1] ?? NaN) },
      serverRssMiB: { idle, withClients, peak, end, everySecond },
      serverCpuShare,
      generatorEventLoopUtilization: { writer: Math.round(writerUtilization * 100) / 100, clients: collected.map((r) => Math.round(r.utilization * 100) / 100) },
      targetP99Ms: 250,
      met: false,
    };
    result.met = result.latencyMs.p99 < result.targetP99Ms && result.deliveries.missing === 0 && failed === 0;
    return result;
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
    agent.destroy();
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(15_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

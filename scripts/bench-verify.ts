/**
 * npm run bench:tlog, second part — the auditor's full `verify` through HTTP at 1,000,000 leaves (issue 5 §6,
 * target < 60 s): a synthetic initiative history (scripts/bench/synthetic-history.ts) is written to a fresh
 * store, the service starts on it (its follower builds the tree, the directory and every projection; timed
 * separately, it is not part of verify), a checkpoint of the whole log is signed, and the verify CLI
 * (dist/scripts/verify.js, a child process with its own core) checks it from nothing: every entry downloaded and
 * re-hashed, the root recomputed, the signature checked against the pinned key, every projection replayed and its
 * digests compared. Writes `figures.verify` into bench/results/tlog.json. Env: BENCH_LEAVES (default 1,000,000).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { createService } from '../src/service.js';
import { createSqliteEventStore } from '../src/store/sqlite/sqlite-event-store.js';
import { machine, writeResult } from './bench/machine.js';
import { writeSyntheticHistory } from './bench/synthetic-history.js';

const LEAVES = Number(process.env.BENCH_LEAVES ?? 1_000_000);
const RESULT_FILE = 'bench/results/tlog.json';
const ADMIN = 'bench-admin-token-0123456789abcdef0123456789';
const TARGET_SECONDS = 60;
const load = () => loadavg().map((l) => Math.round(l * 100) / 100);

const dataDir = mkdtempSync(join(tmpdir(), 'bench-verify-'));
const loadAtStart = load();
try {
  console.log(`bench:tlog verify — ${LEAVES.toLocaleString()} events`);
  const store = createSqliteEventStore({ file: join(dataDir, 'events.sqlite') });
  const history = await writeSyntheticHistory({ store, events: LEAVES });
  await store.close();
  console.log(`  history written      ${history.events.toLocaleString()} events in ${history.generateSeconds} s`);

  const started = performance.now();
  const service = await createService(
    loadConfig({ DATA_DIR: dataDir, ADMIN_TOKEN: ADMIN, LOG_LEVEL: 'warn', CHECKPOINT_EVERY: '100000000', RATE_LIMIT_PER_MINUTE: '100000000' }),
    pino({ level: 'warn' }),
  );
  while (service.transparency.size() < history.events || service.views.head() < history.events - 1) await new Promise((r) => setTimeout(r, 100));
  const catchUpSeconds = Math.round((performance.now() - started) / 100) / 10;
  const checkpoint = service.transparency.checkpointer.sign();
  console.log(`  service caught up    ${catchUpSeconds} s (tree, directory, projections); checkpoint of size ${checkpoint.size}`);
  const url = await service.app.listen({ port: 0, host: '127.0.0.1' });

  const cli = fileURLToPath(new URL('./verify.js', import.meta.url));
  const verifyStarted = performance.now();
  const outcome = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, cli, '--url', url, '--key', ADMIN, '--public-key', service.transparency.publicKey, '--page-size', '5000', '--json'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout }));
  });
  const verifySeconds = Math.round((performance.now() - verifyStarted) / 100) / 10;
  const report = JSON.parse(outcome.stdout) as { ok: boolean; headline: string; leaves: { total: number } };
  console.log(`  verify (CLI, HTTP)   ${verifySeconds} s, exit ${outcome.code}: ${report.headline}; target < ${TARGET_SECONDS} s`);
  await service.stop();

  const loadAtEnd = load();
  console.log(`\nload average ${loadAtStart.join(', ')} at start, ${loadAtEnd.join(', ')} at end (${machine().cores} cores)`);
  const previous = existsSync(RESULT_FILE) ? (JSON.parse(readFileSync(RESULT_FILE, 'utf8')) as { figures?: Record<string, unknown> }) : {};
  writeResult(RESULT_FILE, {
    ...previous,
    figures: {
      ...previous.figures,
      verify: {
        leaves: history.events,
        seconds: verifySeconds,
        exitCode: outcome.code,
        ok: report.ok,
        pageSize: 5000,
        serviceCatchUpSeconds: catchUpSeconds,
        date: new Date().toISOString(),
        loadAverage: { start: loadAtStart, end: loadAtEnd },
        target: { seconds: TARGET_SECONDS },
        met: report.ok && verifySeconds < TARGET_SECONDS,
      },
    },
  });
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}

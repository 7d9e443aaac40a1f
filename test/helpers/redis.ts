import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { Test } from 'tap';
import { tempDir } from './temp-dir.js';

export const REDIS_INSTALL_HINT = 'apt-get install redis-server';

const installed = (): boolean => spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

const freePort = async (): Promise<number> => {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
};

export interface PrivateRedis {
  url: string;
  port: number;
  /** Stops the server (SHUTDOWN-like: its append-only file is complete); `start()` brings it back with its data. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

/**
 * A private redis-server on a free port for one test, persisting to an append-only file in a temporary directory
 * (so it can be stopped and started again with its queue intact), stopped when the test ends. Where redis-server
 * is not installed the test is skipped with the install command — unless REQUIRE_REDIS=1 (CI), where that fails.
 */
export const startRedis = async (t: Test): Promise<PrivateRedis | undefined> => {
  if (!installed()) {
    const message = `redis-server is not installed (${REDIS_INSTALL_HINT})`;
    if (process.env.REQUIRE_REDIS === '1') {
      t.fail(`REQUIRE_REDIS=1 but ${message}`);
    } else {
      t.comment(`SKIPPED: ${message}`);
      t.pass(`skipped: ${message}`, { skip: message });
    }
    return undefined;
  }
  const dir = tempDir(t, 'impact-ledger-redis-');
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir, '--logfile', ''],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      for (let i = 0; ; i++) {
        try {
          await probe.connect();
          await probe.ping();
          return;
        } catch (error) {
          if (i > 200 || child.exitCode !== null) throw new Error(`private redis-server did not start: ${String(error)}`);
          await sleep(25);
        }
      }
    } finally {
      probe.disconnect();
    }
  };
  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  };
  await start();
  t.teardown(stop);
  return { url, port, stop, start };
};

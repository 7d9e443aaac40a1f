import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';

/** A free TCP port on 127.0.0.1 (closed again before it is returned). */
export const freePort = async (): Promise<number> => {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  probe.close();
  await once(probe, 'close');
  return port;
};

/**
 * Starts `redis-server` on `port`, persisting to an append-only file in `dir` (so a restart on the same dir keeps
 * the queue), and resolves once it answers PING. Needs redis-server on the PATH (Debian: apt-get install redis-server).
 */
export const spawnRedisServer = async (options: { port: number; dir: string; fsync: 'always' | 'everysec' }): Promise<ChildProcess> => {
  const child = spawn(
    'redis-server',
    ['--port', String(options.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', options.fsync, '--dir', options.dir, '--logfile', ''],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const failed = once(child, 'error').then(([error]) => {
    throw new Error(`cannot start redis-server (apt-get install redis-server): ${(error as Error).message}`);
  });
  const probe = new Redis(`redis://127.0.0.1:${options.port}`, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  const ready = (async () => {
    for (let i = 0; ; i++) {
      try {
        await probe.connect();
        await probe.ping();
        return child;
      } catch (error) {
        if (i > 200 || child.exitCode !== null) throw new Error(`redis-server did not start: ${String(error)}`);
        await sleep(25);
      }
    }
  })();
  try {
    return await Promise.race([ready, failed]);
  } finally {
    probe.disconnect();
  }
};

/** Stops a redis-server started here (SIGTERM: it completes its append-only file first). */
export const stopRedisServer = async (child: ChildProcess): Promise<void> => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
};

/**
 * A private redis-server for a benchmark, on a free port, with the persistence a production deployment would use
 * (append-only file, fsync every second).
 */
export const startBenchRedis = async (): Promise<{ url: string; stop(): Promise<void> }> => {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'bench-redis-'));
  const child = await spawnRedisServer({ port, dir, fsync: 'everysec' });
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      await stopRedisServer(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

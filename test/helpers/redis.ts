import { spawnSync, type ChildProcess } from 'node:child_process';
import type { Test } from 'tap';
import { freePort, spawnRedisServer, stopRedisServer } from '../../scripts/bench/redis-server.js';
import { tempDir } from './temp-dir.js';

export const REDIS_INSTALL_HINT = 'apt-get install redis-server';

const installed = (): boolean => spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

export interface PrivateRedis {
  url: string;
  port: number;
  /** Stops the server (its append-only file is complete); `start()` brings it back with its data. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

/**
 * A private redis-server on a free port for one test, persisting to an append-only file (fsync always) in a
 * temporary directory, so it can be stopped and started again with its queue intact; stopped when the test ends.
 * Where redis-server is not installed the test is skipped with the install command — unless REQUIRE_REDIS=1 (CI),
 * where that fails.
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
  let child: ChildProcess | undefined;
  const start = async () => {
    child = await spawnRedisServer({ port, dir, fsync: 'always' });
  };
  const stop = async () => {
    if (child) await stopRedisServer(child);
  };
  await start();
  t.teardown(stop);
  return { url: `redis://127.0.0.1:${port}`, port, stop, start };
};

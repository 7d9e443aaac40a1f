import type { Test } from 'tap';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { createService, type Service } from '../../src/service.js';
import { tempDir } from './temp-dir.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef0123456789';

/** A whole service (sqlite store, follower, HTTP app) on a private DATA_DIR; stopped when the test ends. */
export const startService = async (t: Test, env: Record<string, string> = {}): Promise<Service & { dataDir: string }> => {
  const dataDir = env.DATA_DIR ?? tempDir(t);
  const config = loadConfig({ DATA_DIR: dataDir, ADMIN_TOKEN, LOG_LEVEL: 'silent', ...env });
  const service = await createService(config, pino({ level: 'silent' }));
  t.teardown(() => service.stop());
  return Object.assign(service, { dataDir });
};

export const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One server secret (`SERVER_SECRET`, else `DATA_DIR/server-secret`, mode 0600) from which every secret the
 * service hands out is derived: access keys and webhook signing secrets are HMAC(secret, purpose, id). So
 * nothing secret is ever stored, in the event log or anywhere else, and an idempotent retry can show the
 * same key again.
 */
export const loadServerSecret = (dataDir: string, configured?: string): Buffer => {
  if (configured) return Buffer.from(configured, 'utf8');
  const file = join(dataDir, 'server-secret');
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32);
  writeFileSync(file, `${secret.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  return secret;
};

export const createSecretDeriver = (secret: Buffer) => (purpose: string, id: string): string =>
  createHmac('sha256', secret).update(`${purpose}\u0000${id}`).digest('base64url');
export type SecretDeriver = ReturnType<typeof createSecretDeriver>;

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The bootstrap admin key: `ADMIN_TOKEN` when set, otherwise one generated on first start into
 * `DATA_DIR/admin-token` (mode 0600), so `npm start` works on a fresh machine without leaking a
 * default secret. The token itself is never logged; the file path is.
 */
export const resolveAdminToken = (dataDir: string, configured: string | undefined): { token: string; file?: string } => {
  if (configured) return { token: configured };
  const file = join(dataDir, 'admin-token');
  if (existsSync(file)) return { token: readFileSync(file, 'utf8').trim(), file };
  mkdirSync(dataDir, { recursive: true });
  const token = `il_admin_${randomBytes(32).toString('base64url')}`;
  writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return { token, file };
};

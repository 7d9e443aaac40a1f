import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigner, parseSignerKey, type NoteSigner } from './signed-note.js';

/**
 * The checkpoint signing key lives outside the event log (design §6): `SIGNING_KEY` when set, otherwise
 * generated on first start into `DATA_DIR/signing-key` (mode 0600), named after the log's origin.
 */
export const loadSigner = (options: { dataDir: string; signingKey?: string; origin: string }): { signer: NoteSigner; file?: string } => {
  if (options.signingKey) return { signer: parseSignerKey(options.signingKey) };
  const file = join(options.dataDir, 'signing-key');
  if (existsSync(file)) return { signer: parseSignerKey(readFileSync(file, 'utf8').trim()), file };
  mkdirSync(options.dataDir, { recursive: true });
  const { signer, signerKey } = generateSigner(options.origin);
  writeFileSync(file, `${signerKey}\n`, { mode: 0o600, flag: 'wx' });
  return { signer, file };
};

/** The default origin: the public URL without its scheme (`ledger.example.org`, `127.0.0.1:3000/x`). */
export const originFromPublicUrl = (publicUrl: string): string => {
  const url = new URL(publicUrl);
  return `${url.host}${url.pathname.replace(/\/+$/, '')}`;
};

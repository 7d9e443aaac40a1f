import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The embedded store's file. `position` is the rowid and so the global order; it is never reused
 * because nothing is ever deleted. `UNIQUE(id)` makes a retried append detectable, `UNIQUE(stream,
 * revision)` makes a lost revision race impossible even across processes.
 */
const DDL = `
CREATE TABLE IF NOT EXISTS events (
  position  INTEGER PRIMARY KEY,
  id        TEXT    NOT NULL UNIQUE,
  stream    TEXT    NOT NULL,
  revision  INTEGER NOT NULL,
  type      TEXT    NOT NULL,
  data      TEXT    NOT NULL,
  metadata  TEXT    NOT NULL,
  UNIQUE (stream, revision)
) STRICT;
`;

export interface OpenOptions {
  /**
   * FULL (default) fsyncs the WAL on every commit: an acknowledged append survives power loss.
   * NORMAL survives a process crash but not power loss; only benchmarks may choose it, to compare.
   */
  synchronous?: 'FULL' | 'NORMAL';
  busyTimeoutMs?: number;
}

export const openStoreDatabase = (file: string, options: OpenOptions = {}): Database.Database => {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  db.exec(DDL);
  markCanonicalIfNew(db);
  return db;
};

/**
 * `PRAGMA user_version` 1 says every row's `data` and `metadata` is RFC 8785 canonical JSON, as this store has
 * written them since it started doing so; the store then hands the text to the transparency log with each event
 * (src/canonical/stored-text.ts). A file that already held events without the mark keeps 0: its older rows may be
 * plain JSON.stringify text, and their leaves are canonicalized from the parsed objects as before.
 */
const CANONICAL_PAYLOADS = 1;

const markCanonicalIfNew = (db: Database.Database): void => {
  if (db.pragma('user_version', { simple: true }) === CANONICAL_PAYLOADS) return;
  db.transaction(() => {
    const empty = db.prepare('SELECT 1 FROM events LIMIT 1').get() === undefined;
    if (empty && db.pragma('user_version', { simple: true }) === 0) db.pragma(`user_version = ${CANONICAL_PAYLOADS}`);
  }).immediate();
};

/** Whether every row of this file holds canonical payload text (see `markCanonicalIfNew`). */
export const storesCanonicalPayloads = (db: Database.Database): boolean =>
  db.pragma('user_version', { simple: true }) === CANONICAL_PAYLOADS;

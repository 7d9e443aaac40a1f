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
  return db;
};

import type Database from 'better-sqlite3';
import type { Role } from '../events/envelope.js';
import { initiativeIdOf, type ResourceKind } from '../events/subjects.js';

/**
 * The resource directory: a read model in the follower's local file that answers "which stream and which
 * initiative does this id belong to", "who holds this access key" and "what did this idempotency key
 * already produce". Derived from the log like every read model, so it is rebuilt by replay.
 */
const DDL = `
CREATE TABLE IF NOT EXISTS directory_resources (
  id            TEXT PRIMARY KEY,
  kind          TEXT NOT NULL,
  stream        TEXT NOT NULL,
  initiative_id TEXT,
  partner_id    TEXT
) WITHOUT ROWID, STRICT;
CREATE TABLE IF NOT EXISTS directory_streams (
  stream        TEXT PRIMARY KEY,
  initiative_id TEXT
) WITHOUT ROWID, STRICT;
CREATE TABLE IF NOT EXISTS access_keys (
  key_id        TEXT PRIMARY KEY,
  key_hash      TEXT NOT NULL UNIQUE,
  role          TEXT NOT NULL,
  initiative_id TEXT,
  partner_id    TEXT,
  label         TEXT NOT NULL,
  revoked       INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE TABLE IF NOT EXISTS idempotency (
  actor_key_id  TEXT NOT NULL,
  idem_key      TEXT NOT NULL,
  receipt       TEXT NOT NULL,
  PRIMARY KEY (actor_key_id, idem_key)
) WITHOUT ROWID, STRICT;
CREATE TABLE IF NOT EXISTS directory_state (
  id  INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL
) STRICT;
`;

export interface ResourceEntry {
  id: string;
  kind: ResourceKind;
  stream: string;
  initiativeId: string | null;
  partnerId: string | null;
}

export interface AccessKeyEntry {
  keyId: string;
  keyHash: string;
  role: Exclude<Role, 'system'>;
  initiativeId: string | null;
  partnerId: string | null;
  label: string;
  revoked: boolean;
}

export interface StoredReceipt {
  id: string;
  eventId: string;
  stream: string;
  revision: number;
  seq: number;
  kind: ResourceKind;
}

export const createDirectoryStore = (db: Database.Database) => {
  db.exec(DDL);
  const stmts = {
    putResource: db.prepare<[string, string, string, string | null, string | null]>(
      'INSERT OR IGNORE INTO directory_resources (id, kind, stream, initiative_id, partner_id) VALUES (?, ?, ?, ?, ?)',
    ),
    getResource: db.prepare<[string], { id: string; kind: string; stream: string; initiative_id: string | null; partner_id: string | null }>(
      'SELECT * FROM directory_resources WHERE id = ?',
    ),
    putStream: db.prepare<[string, string | null]>('INSERT OR IGNORE INTO directory_streams (stream, initiative_id) VALUES (?, ?)'),
    getStream: db.prepare<[string], string | null>('SELECT initiative_id FROM directory_streams WHERE stream = ?').pluck(),
    putKey: db.prepare<[string, string, string, string | null, string | null, string]>(
      'INSERT OR IGNORE INTO access_keys (key_id, key_hash, role, initiative_id, partner_id, label) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    revokeKey: db.prepare<[string]>('UPDATE access_keys SET revoked = 1 WHERE key_id = ?'),
    keyByHash: db.prepare<[string], { key_id: string; key_hash: string; role: string; initiative_id: string | null; partner_id: string | null; label: string; revoked: number }>(
      'SELECT * FROM access_keys WHERE key_hash = ?',
    ),
    keyById: db.prepare<[string], { key_id: string; key_hash: string; role: string; initiative_id: string | null; partner_id: string | null; label: string; revoked: number }>(
      'SELECT * FROM access_keys WHERE key_id = ?',
    ),
    putReceipt: db.prepare<[string, string, string]>('INSERT OR REPLACE INTO idempotency (actor_key_id, idem_key, receipt) VALUES (?, ?, ?)'),
    getReceipt: db.prepare<[string, string], string>('SELECT receipt FROM idempotency WHERE actor_key_id = ? AND idem_key = ?').pluck(),
    getSeq: db.prepare<[], number>('SELECT seq FROM directory_state WHERE id = 1').pluck(),
    putSeq: db.prepare<[number]>('INSERT INTO directory_state (id, seq) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq'),
  };
  const toKey = (row: ReturnType<typeof stmts.keyByHash.get>): AccessKeyEntry | undefined =>
    row && {
      keyId: row.key_id,
      keyHash: row.key_hash,
      role: row.role as AccessKeyEntry['role'],
      initiativeId: row.initiative_id,
      partnerId: row.partner_id,
      label: row.label,
      revoked: row.revoked === 1,
    };

  return {
    transaction: <T>(work: () => T): T => db.transaction(work)(),
    seq: (): number => stmts.getSeq.get() ?? -1,
    setSeq: (seq: number) => void stmts.putSeq.run(seq),
    putResource: (e: ResourceEntry) => void stmts.putResource.run(e.id, e.kind, e.stream, e.initiativeId, e.partnerId),
    resource: (id: string): ResourceEntry | undefined => {
      const row = stmts.getResource.get(id);
      return row && { id: row.id, kind: row.kind as ResourceKind, stream: row.stream, initiativeId: row.initiative_id, partnerId: row.partner_id };
    },
    putStream: (stream: string, initiativeId: string | null) => void stmts.putStream.run(stream, initiativeId),
    initiativeOfStream: (stream: string): string | null | undefined => stmts.getStream.get(stream),
    /** The initiative an event belongs to: its `data.initiativeId`, else the initiative of its stream. */
    initiativeOfEvent: (event: { data: unknown; stream: string }): string | null | undefined =>
      initiativeIdOf(event.data) ?? stmts.getStream.get(event.stream),
    putKey: (k: Omit<AccessKeyEntry, 'revoked'>) => void stmts.putKey.run(k.keyId, k.keyHash, k.role, k.initiativeId, k.partnerId, k.label),
    revokeKey: (keyId: string) => void stmts.revokeKey.run(keyId),
    keyByHash: (hash: string) => toKey(stmts.keyByHash.get(hash)),
    keyById: (keyId: string) => toKey(stmts.keyById.get(keyId)),
    putReceipt: (actorKeyId: string, idemKey: string, receipt: StoredReceipt) => void stmts.putReceipt.run(actorKeyId, idemKey, JSON.stringify(receipt)),
    receipt: (actorKeyId: string, idemKey: string): StoredReceipt | undefined => {
      const text = stmts.getReceipt.get(actorKeyId, idemKey);
      return text === undefined ? undefined : (JSON.parse(text) as StoredReceipt);
    },
  };
};
export type DirectoryStore = ReturnType<typeof createDirectoryStore>;

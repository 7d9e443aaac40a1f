import type Database from 'better-sqlite3';
import type { Role } from '../events/envelope.js';
import { initiativeIdOf, type ResourceKind } from '../events/subjects.js';

/**
 * The resource directory: a read model in the follower's local file that answers "which stream and which
 * initiative does this id belong to", "who holds this access key" (its role, scope, and when it was issued and
 * revoked) and "what did this idempotency key already produce". Derived from the log like every read model, so it
 * is rebuilt by replay.
 */
const DDL = `
CREATE TABLE IF NOT EXISTS directory_resources (
  id            TEXT PRIMARY KEY,
  kind          TEXT NOT NULL,
  stream        TEXT NOT NULL,
  initiative_id TEXT,
  partner_id    TEXT,
  revisions     TEXT
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
  revoked       INTEGER NOT NULL DEFAULT 0,
  issued_at     TEXT,
  revoked_at    TEXT
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

/** Columns `access_keys` gained after its first release (the `recordedAt` of AccessKeyIssued / AccessKeyRevoked). */
const ADDED_KEY_COLUMNS = ['issued_at', 'revoked_at'] as const;

/**
 * Brings an `access_keys` table made before `issued_at`/`revoked_at` existed up to date; a no-op when it has them
 * (a new file gets them from the DDL). The times are only in the log, so when the table already holds keys the
 * directory's checkpoint goes back to the start: the follower then replays the whole log to the directory at start,
 * as it does for any consumer behind it (a one-time cost at the first start after the upgrade). The rows stay while
 * it replays, so keys keep authenticating and revoked ones stay revoked; every write of the directory is idempotent,
 * and the replay only fills the missing times. Until it has reached a key's events, its times read null.
 * Answers whether the checkpoint was reset.
 */
const migrate = (db: Database.Database): boolean => {
  const columns = new Set((db.pragma('table_info(access_keys)') as Array<{ name: string }>).map((c) => c.name));
  const missing = ADDED_KEY_COLUMNS.filter((column) => !columns.has(column));
  if (missing.length === 0) return false;
  return db.transaction(() => {
    for (const column of missing) db.exec(`ALTER TABLE access_keys ADD COLUMN ${column} TEXT`);
    const hasKeys = db.prepare('SELECT 1 FROM access_keys LIMIT 1').get() !== undefined;
    if (hasKeys) db.prepare('UPDATE directory_state SET seq = -1 WHERE id = 1').run();
    return hasKeys;
  })();
};

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
  /** The `recordedAt` of its AccessKeyIssued; null only while a directory made before this column is rebuilt. */
  issuedAt: string | null;
  /** The `recordedAt` of its AccessKeyRevoked; null while not revoked. */
  revokedAt: string | null;
}

export interface StoredReceipt {
  id: string;
  eventId: string;
  stream: string;
  revision: number;
  seq: number;
  kind: ResourceKind;
}

type KeyRow = {
  key_id: string;
  key_hash: string;
  role: string;
  initiative_id: string | null;
  partner_id: string | null;
  label: string;
  revoked: number;
  issued_at: string | null;
  revoked_at: string | null;
};

/**
 * `directory_resources.revisions` (a reading's events: their revisions in its indicator stream, comma-separated) came
 * after the first release. It lives in the resource's row, which each of those events writes anyway, so indexing
 * costs no other B-tree page (a table keyed by reading id made a catch-up of 1M events ≈ 28 s slower: random
 * inserts). A directory that already followed the log without it goes back to the start, like `migrate`, so that
 * the replay fills it. Answers whether the checkpoint was reset.
 */
const addReadingRevisions = (db: Database.Database): boolean => {
  const columns = new Set((db.pragma('table_info(directory_resources)') as Array<{ name: string }>).map((c) => c.name));
  if (columns.has('revisions')) return false;
  db.exec('ALTER TABLE directory_resources ADD COLUMN revisions TEXT');
  return db.prepare('UPDATE directory_state SET seq = -1 WHERE id = 1 AND seq >= 0').run().changes > 0;
};

export const createDirectoryStore = (db: Database.Database) => {
  db.exec(DDL);
  const readingRevisionsAdded = addReadingRevisions(db);
  const rebuilding = migrate(db) || readingRevisionsAdded;
  const stmts = {
    putResource: db.prepare<[string, string, string, string | null, string | null, string | null]>(
      'INSERT OR IGNORE INTO directory_resources (id, kind, stream, initiative_id, partner_id, revisions) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    getResource: db.prepare<[string], { id: string; kind: string; stream: string; initiative_id: string | null; partner_id: string | null }>(
      'SELECT * FROM directory_resources WHERE id = ?',
    ),
    putStream: db.prepare<[string, string | null]>('INSERT OR IGNORE INTO directory_streams (stream, initiative_id) VALUES (?, ?)'),
    getStream: db.prepare<[string], string | null>('SELECT initiative_id FROM directory_streams WHERE stream = ?').pluck(),
    putKey: db.prepare<[string, string, string, string | null, string | null, string, string]>(
      'INSERT OR IGNORE INTO access_keys (key_id, key_hash, role, initiative_id, partner_id, label, issued_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    /** A key kept from before `issued_at` existed gets its time when its event is replayed. */
    fillIssuedAt: db.prepare<[string, string]>('UPDATE access_keys SET issued_at = ? WHERE key_id = ? AND issued_at IS NULL'),
    revokeKey: db.prepare<[string, string]>('UPDATE access_keys SET revoked = 1, revoked_at = coalesce(revoked_at, ?) WHERE key_id = ?'),
    keyByHash: db.prepare<[string], KeyRow>('SELECT * FROM access_keys WHERE key_hash = ?'),
    keyById: db.prepare<[string], KeyRow>('SELECT * FROM access_keys WHERE key_id = ?'),
    keys: db.prepare<[], KeyRow>('SELECT * FROM access_keys ORDER BY issued_at, key_id'),
    keysOf: db.prepare<[string], KeyRow>('SELECT * FROM access_keys WHERE initiative_id = ? ORDER BY issued_at, key_id'),
    putReceipt: db.prepare<[string, string, string]>('INSERT OR REPLACE INTO idempotency (actor_key_id, idem_key, receipt) VALUES (?, ?, ?)'),
    getReceipt: db.prepare<[string, string], string>('SELECT receipt FROM idempotency WHERE actor_key_id = ? AND idem_key = ?').pluck(),
    // Appends the revision unless the list has it (a replayed event), so the list stays in stream order, once each.
    putReadingEvent: db.prepare<{ id: string; revision: number }>(
      "UPDATE directory_resources SET revisions = coalesce(revisions || ',', '') || @revision WHERE id = @id AND (revisions IS NULL OR instr(',' || revisions || ',', ',' || @revision || ',') = 0)",
    ),
    readingRevisions: db.prepare<[string], string | null>('SELECT revisions FROM directory_resources WHERE id = ?').pluck(),
    getSeq: db.prepare<[], number>('SELECT seq FROM directory_state WHERE id = 1').pluck(),
    putSeq: db.prepare<[number]>('INSERT INTO directory_state (id, seq) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq'),
  };
  /**
   * Streams known to have their row (a stream's row never changes once written), so an event of a known stream costs
   * no insert. Cleared when a transaction fails and when full.
   */
  const knownStreams = new Set<string>();
  const toKey = (row: KeyRow): AccessKeyEntry => ({
    keyId: row.key_id,
    keyHash: row.key_hash,
    role: row.role as AccessKeyEntry['role'],
    initiativeId: row.initiative_id,
    partnerId: row.partner_id,
    label: row.label,
    revoked: row.revoked === 1,
    issuedAt: row.issued_at,
    revokedAt: row.revoked_at,
  });

  return {
    /** Whether opening it reset its checkpoint (see `migrate`): the follower replays the log to it at start. */
    rebuilding,
    transaction: <T>(work: () => T): T => {
      try {
        return db.transaction(work)();
      } catch (error) {
        knownStreams.clear(); // what it remembered may have been rolled back
        throw error;
      }
    },
    seq: (): number => stmts.getSeq.get() ?? -1,
    setSeq: (seq: number) => void stmts.putSeq.run(seq),
    /**
     * Records a resource by its first event (a later one changes nothing) and answers whether it was new. `revision`:
     * for a reading, the revision of that first event in its indicator stream (the start of `readingRevisions`).
     */
    putResource: (e: ResourceEntry, revision?: number): boolean =>
      stmts.putResource.run(e.id, e.kind, e.stream, e.initiativeId, e.partnerId, revision === undefined ? null : String(revision)).changes > 0,
    resource: (id: string): ResourceEntry | undefined => {
      const row = stmts.getResource.get(id);
      return row && { id: row.id, kind: row.kind as ResourceKind, stream: row.stream, initiativeId: row.initiative_id, partnerId: row.partner_id };
    },
    putStream: (stream: string, initiativeId: string | null) => {
      if (knownStreams.has(stream)) return;
      stmts.putStream.run(stream, initiativeId);
      if (knownStreams.size >= 100_000) knownStreams.clear();
      knownStreams.add(stream);
    },
    initiativeOfStream: (stream: string): string | null | undefined => stmts.getStream.get(stream),
    /** The initiative an event belongs to: its `data.initiativeId`, else the initiative of its stream. */
    initiativeOfEvent: (event: { data: unknown; stream: string }): string | null | undefined =>
      initiativeIdOf(event.data) ?? stmts.getStream.get(event.stream),
    putKey: (k: Omit<AccessKeyEntry, 'revoked' | 'revokedAt'> & { issuedAt: string }) => {
      if (stmts.putKey.run(k.keyId, k.keyHash, k.role, k.initiativeId, k.partnerId, k.label, k.issuedAt).changes === 0) stmts.fillIssuedAt.run(k.issuedAt, k.keyId);
    },
    revokeKey: (keyId: string, revokedAt: string) => void stmts.revokeKey.run(revokedAt, keyId),
    keyByHash: (hash: string): AccessKeyEntry | undefined => {
      const row = stmts.keyByHash.get(hash);
      return row && toKey(row);
    },
    keyById: (keyId: string): AccessKeyEntry | undefined => {
      const row = stmts.keyById.get(keyId);
      return row && toKey(row);
    },
    /** Every issued key (revoked ones included), or only those of one initiative; by issue time, then id. */
    keys: (initiativeId?: string): AccessKeyEntry[] => (initiativeId === undefined ? stmts.keys.all() : stmts.keysOf.all(initiativeId)).map(toKey),
    /** Records that revision `revision` of the reading's indicator stream is one of the reading's events (its row must exist). */
    putReadingEvent: (readingId: string, revision: number) => void stmts.putReadingEvent.run({ id: readingId, revision }),
    /** The revisions of the reading's events in its indicator's stream, in order (empty when none is known yet). */
    readingRevisions: (readingId: string): number[] => {
      const list = stmts.readingRevisions.get(readingId);
      return list ? list.split(',').map(Number) : [];
    },
    putReceipt: (actorKeyId: string, idemKey: string, receipt: StoredReceipt) => void stmts.putReceipt.run(actorKeyId, idemKey, JSON.stringify(receipt)),
    receipt: (actorKeyId: string, idemKey: string): StoredReceipt | undefined => {
      const text = stmts.getReceipt.get(actorKeyId, idemKey);
      return text === undefined ? undefined : (JSON.parse(text) as StoredReceipt);
    },
  };
};
export type DirectoryStore = ReturnType<typeof createDirectoryStore>;

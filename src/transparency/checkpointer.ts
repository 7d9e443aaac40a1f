import type Database from 'better-sqlite3';
import { signCheckpoint } from './checkpoint.js';
import type { NoteSigner } from './signed-note.js';

export interface StoredCheckpoint {
  size: number;
  note: string;
  createdAt: string;
}

const DDL = `
CREATE TABLE IF NOT EXISTS tlog_checkpoints (
  size       INTEGER PRIMARY KEY,
  note       TEXT    NOT NULL,
  created_at TEXT    NOT NULL
) STRICT;
`;

export interface CheckpointerOptions {
  db: Database.Database;
  signer: NoteSigner;
  origin: string;
  /** The log's current size and root (always consistent with each other), and the root of any size up to it. */
  log: { size(): number; root(): Buffer; rootAt(size: number): Buffer };
  /** Sign the tree at every multiple of this many leaves… */
  everyEvents: number;
  /** …or every this many seconds when it grew at all. */
  everySeconds: number;
  /** Told about each new checkpoint (the feeds push it to partners). */
  onCheckpoint?: (checkpoint: StoredCheckpoint) => void;
  now?: () => Date;
}

/**
 * Makes, keeps and serves signed checkpoints (C2SP tlog-checkpoint). Ed25519 signatures are
 * deterministic, so a checkpoint of a given size is the same note whenever it is made — and wherever: the
 * checkpoints counted in events are made at the multiples of `everyEvents`, whatever batches the tree grew by, so
 * every instance following the same log (with the same key and origin) signs the same notes, and a witness receives
 * one checkpoint per size however many instances send it (their webhook deliveries collapse into one job).
 */
export const createCheckpointer = (options: CheckpointerOptions) => {
  const { db, log } = options;
  db.exec(DDL);
  const insert = db.prepare<[number, string, string]>('INSERT OR IGNORE INTO tlog_checkpoints (size, note, created_at) VALUES (?, ?, ?)');
  const latestRow = db.prepare<[], { size: number; note: string; created_at: string }>('SELECT * FROM tlog_checkpoints ORDER BY size DESC LIMIT 1');
  const fromRows = db.prepare<[number, number], { size: number; note: string; created_at: string }>(
    'SELECT * FROM tlog_checkpoints WHERE size >= ? ORDER BY size LIMIT ?',
  );
  const atMostRow = db.prepare<[number], { size: number; note: string; created_at: string }>(
    'SELECT * FROM tlog_checkpoints WHERE size <= ? ORDER BY size DESC LIMIT 1',
  );
  const atLeastRow = db.prepare<[number], { size: number; note: string; created_at: string }>(
    'SELECT * FROM tlog_checkpoints WHERE size >= ? ORDER BY size LIMIT 1',
  );
  const toCheckpoint = (row: { size: number; note: string; created_at: string }): StoredCheckpoint => ({ size: row.size, note: row.note, createdAt: row.created_at });
  const now = options.now ?? (() => new Date());
  let timer: NodeJS.Timeout | undefined;

  const latest = (): StoredCheckpoint | undefined => {
    const row = latestRow.get();
    return row && toCheckpoint(row);
  };

  /** Signs the tree at `size` (≤ the log's size) and keeps the checkpoint. */
  const signAt = (size: number, root: Buffer): StoredCheckpoint => {
    const note = signCheckpoint({ origin: options.origin, size, root }, options.signer);
    const checkpoint = { size, note, createdAt: now().toISOString() };
    insert.run(checkpoint.size, checkpoint.note, checkpoint.createdAt);
    options.onCheckpoint?.(checkpoint);
    return checkpoint;
  };

  /** Signs the current tree unless the latest checkpoint already covers it; returns the latest. */
  const sign = (): StoredCheckpoint => {
    const size = log.size();
    const current = latest();
    if (current && current.size >= size) return current;
    return signAt(size, log.root());
  };

  return {
    sign,
    latest,
    /** Checkpoints of size ≥ `from`, oldest first. */
    list: (from: number, limit: number): StoredCheckpoint[] => fromRows.all(from, limit).map(toCheckpoint),
    /** The newest kept checkpoint of at most `size` leaves (what a feed that has passed seq `size − 1` may send). */
    latestWithin: (size: number): StoredCheckpoint | undefined => {
      const row = atMostRow.get(size);
      return row && toCheckpoint(row);
    },
    /** The smallest kept checkpoint that covers `size` leaves, signing one now if none does. */
    covering: (size: number): StoredCheckpoint => {
      const row = atLeastRow.get(size);
      return row ? toCheckpoint(row) : sign();
    },
    /** For the log consumer: sign the tree at each multiple of `everyEvents` it grew past (a catch-up may pass many). */
    onGrow: (size: number): void => {
      const every = options.everyEvents;
      const last = latest()?.size ?? 0;
      for (let at = (Math.floor(last / every) + 1) * every; at <= size; at += every) signAt(at, log.rootAt(at));
    },
    start(): void {
      timer = setInterval(() => {
        if (log.size() > (latest()?.size ?? -1)) sign();
      }, options.everySeconds * 1000);
      timer.unref();
    },
    stop(): void {
      clearInterval(timer);
    },
  };
};
export type Checkpointer = ReturnType<typeof createCheckpointer>;

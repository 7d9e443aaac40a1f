import type Database from 'better-sqlite3';
import { constants, deflateRaw, deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * Projection snapshots in the follower's local file: the whole state of one projection (at one version) as
 * of a seq, as deflated JSON. Derived data, like everything in that file: deleting it means a rebuild.
 */
const DDL = `
CREATE TABLE IF NOT EXISTS projection_snapshots (
  projection TEXT    NOT NULL,
  version    INTEGER NOT NULL,
  seq        INTEGER NOT NULL,
  state      BLOB    NOT NULL,
  PRIMARY KEY (projection, version, seq)
) WITHOUT ROWID, STRICT;
`;

const DEFLATE = { level: constants.Z_BEST_SPEED };

/**
 * Snapshots at least this large (JSON characters) are deflated on the libuv thread pool, off the event loop;
 * smaller ones are written at once.
 */
export const BACKGROUND_DEFLATE_CHARS = 256 * 1024;

interface PendingWrite {
  key: [string, number, number];
  json: string;
  written: boolean;
  done: Promise<void>;
}

export const createSnapshotStore = (db: Database.Database) => {
  db.exec(DDL);
  const put = db.prepare<[string, number, number, Buffer]>('INSERT OR REPLACE INTO projection_snapshots (projection, version, seq, state) VALUES (?, ?, ?, ?)');
  const atOrBefore = db.prepare<[string, number, number], { seq: number; state: Buffer }>(
    'SELECT seq, state FROM projection_snapshots WHERE projection = ? AND version = ? AND seq <= ? ORDER BY seq DESC LIMIT 1',
  );
  const dropOtherVersions = db.prepare<[string, number]>('DELETE FROM projection_snapshots WHERE projection = ? AND version <> ?');
  const dropAfter = db.prepare<[string, number, number]>('DELETE FROM projection_snapshots WHERE projection = ? AND version = ? AND seq > ?');
  /** Snapshots serialized but still being deflated, oldest first. */
  let pending: PendingWrite[] = [];

  const write = (job: PendingWrite, deflated: Buffer): void => {
    if (job.written) return;
    job.written = true;
    pending = pending.filter((p) => p !== job);
    // A snapshot finishing after the file was closed is dropped: the next start replays from the one before it.
    if (db.open) put.run(...job.key, deflated);
  };

  return {
    save(projection: string, version: number, seq: number, state: unknown): void {
      put.run(projection, version, seq, deflateRawSync(JSON.stringify(state), DEFLATE));
    },
    /**
     * Saves a snapshot whose state may change right after this call: the state is serialized now, and a large
     * one is deflated on the thread pool and written when that is done (`flush` writes whatever is still pending,
     * at once). Until then, `load` finds the snapshot before it, which only means a longer replay.
     */
    saveInBackground(projection: string, version: number, seq: number, state: unknown): void {
      const json = JSON.stringify(state);
      if (json.length < BACKGROUND_DEFLATE_CHARS) {
        put.run(projection, version, seq, deflateRawSync(json, DEFLATE));
        return;
      }
      let settle: () => void = () => undefined;
      const job: PendingWrite = { key: [projection, version, seq], json, written: false, done: new Promise((resolve) => (settle = resolve)) };
      pending.push(job);
      deflateRaw(json, DEFLATE, (error, deflated) => {
        try {
          if (error) write(job, deflateRawSync(json, DEFLATE));
          else write(job, deflated);
        } finally {
          settle();
        }
      });
    },
    /** How many snapshots are still being deflated. */
    pendingWrites: (): number => pending.length,
    /** Resolves once the oldest pending snapshot is written (at once if none is pending). */
    oldestWritten: (): Promise<void> => pending[0]?.done ?? Promise.resolve(),
    /** Writes every pending snapshot now, synchronously (before the file is closed). */
    flush(): void {
      for (const job of [...pending]) write(job, deflateRawSync(job.json, DEFLATE));
    },
    /** The latest snapshot at or before `seq`, or undefined. */
    load<S>(projection: string, version: number, seq: number): { seq: number; state: S } | undefined {
      const row = atOrBefore.get(projection, version, seq);
      return row && { seq: row.seq, state: JSON.parse(inflateRawSync(row.state).toString('utf8')) as S };
    },
    /** Snapshots of an older version are useless once the projection changed: a rebuild makes new ones. */
    dropOtherVersions: (projection: string, version: number) => void dropOtherVersions.run(projection, version),
    dropAfter: (projection: string, version: number, seq: number) => void dropAfter.run(projection, version, seq),
  };
};
export type SnapshotStore = ReturnType<typeof createSnapshotStore>;

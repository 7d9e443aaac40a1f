import type Database from 'better-sqlite3';
import * as crypto from 'node:crypto';
import { constants, deflateRaw, deflateRawSync, inflateRawSync } from 'node:zlib';
import { assembleState, chunkRefs, type Layout, splitState } from './snapshot-chunks.js';

/**
 * Projection snapshots in the follower's local file, stored incrementally: a snapshot point (one projection, at one
 * version, as of a seq) is the layout of its state (snapshot-chunks.ts), and the chunks it names are stored once each,
 * by the hash of their text, deflated. A snapshot writes only the chunks no earlier snapshot wrote. Derived data,
 * like everything in that file: deleting it means a rebuild.
 */
const DDL = `
DROP TABLE IF EXISTS projection_snapshots;
CREATE TABLE IF NOT EXISTS snapshot_points (
  projection TEXT    NOT NULL,
  version    INTEGER NOT NULL,
  seq        INTEGER NOT NULL,
  layout     BLOB    NOT NULL,
  PRIMARY KEY (projection, version, seq)
) STRICT;
CREATE TABLE IF NOT EXISTS snapshot_chunks (
  projection TEXT    NOT NULL,
  version    INTEGER NOT NULL,
  hash       TEXT    NOT NULL,
  text       BLOB    NOT NULL,
  PRIMARY KEY (projection, version, hash)
) STRICT;
`;

const DEFLATE = { level: constants.Z_BEST_SPEED };

/**
 * Snapshots whose new chunks hold at least this many characters are deflated on the libuv thread pool, off the event
 * loop; smaller ones are written at once.
 */
export const BACKGROUND_DEFLATE_CHARS = 256 * 1024;

/** A chunk's name: the SHA-256 of its text, base64url (only chunks with the same text share it). */
const chunkHash = (text: string): string =>
  typeof crypto.hash === 'function' ? crypto.hash('sha256', text, 'base64url') : crypto.createHash('sha256').update(text).digest('base64url');

/** One projection at one version: what the in-memory bookkeeping is kept by. */
const slotOf = (projection: string, version: number): string => `${projection}\u0000${version}`;

interface NewChunk {
  hash: string;
  text: string;
  deflated?: Buffer;
}

interface PendingSnapshot {
  key: [projection: string, version: number, seq: number];
  layout: string;
  chunks: NewChunk[];
  /** How many chunks are still being deflated. */
  deflating: number;
  written: boolean;
  done: Promise<void>;
  settle: () => void;
}

export interface SnapshotStoreOptions {
  /**
   * Told of a snapshot point that could not be read back (a chunk missing or damaged in the file). The point is
   * deleted and the one before it used instead: snapshots are derived data, a longer replay repairs the loss.
   */
  onUnreadable?: (problem: { projection: string; version: number; seq: number; reason: string }) => void;
}

export const createSnapshotStore = (db: Database.Database, options: SnapshotStoreOptions = {}) => {
  db.exec(DDL);
  const putPoint = db.prepare<[string, number, number, Buffer]>('INSERT OR REPLACE INTO snapshot_points (projection, version, seq, layout) VALUES (?, ?, ?, ?)');
  const putChunk = db.prepare<[string, number, string, Buffer]>('INSERT OR IGNORE INTO snapshot_chunks (projection, version, hash, text) VALUES (?, ?, ?, ?)');
  const hasChunk = db.prepare<[string, number, string], number>('SELECT 1 FROM snapshot_chunks WHERE projection = ? AND version = ? AND hash = ?').pluck();
  const chunkText = db.prepare<[string, number, string], Buffer>('SELECT text FROM snapshot_chunks WHERE projection = ? AND version = ? AND hash = ?').pluck();
  const pointAtOrBefore = db.prepare<[string, number, number], { seq: number; layout: Buffer }>(
    'SELECT seq, layout FROM snapshot_points WHERE projection = ? AND version = ? AND seq <= ? ORDER BY seq DESC LIMIT 1',
  );
  const dropPoint = db.prepare<[string, number, number]>('DELETE FROM snapshot_points WHERE projection = ? AND version = ? AND seq = ?');
  const dropChunk = db.prepare<[string, number, string]>('DELETE FROM snapshot_chunks WHERE projection = ? AND version = ? AND hash = ?');
  const dropPointsOfOtherVersions = db.prepare<[string, number]>('DELETE FROM snapshot_points WHERE projection = ? AND version <> ?');
  const dropChunksOfOtherVersions = db.prepare<[string, number]>('DELETE FROM snapshot_chunks WHERE projection = ? AND version <> ?');
  const writeSnapshot = db.transaction((job: PendingSnapshot) => {
    const [projection, version] = job.key;
    for (const chunk of job.chunks) putChunk.run(projection, version, chunk.hash, chunk.deflated!);
    putPoint.run(...job.key, deflateRawSync(job.layout, DEFLATE));
  });

  /**
   * Per projection and version, the chunks of its last snapshot by where they sit (their identity): a chunk whose text
   * is the same as there is not hashed again. Holds about one serialized state per projection.
   */
  const lastChunks = new Map<string, Map<string, { text: string; hash: string }>>();
  /**
   * Chunks on their way to the file, by projection, version and hash (a later snapshot naming one does not write it
   * twice; two projections may well hold the same text, and each stores its own).
   */
  const inFlight = new Set<string>();
  /** Snapshots serialized but not written yet, oldest first: they are written in this order. */
  let pending: PendingSnapshot[] = [];

  /**
   * Lays out `state` and lists the chunks the file does not hold yet. The state is a projection's live state: the cut
   * watches it (snapshot-chunks.ts `splitState`), so that the next snapshot of it serializes only what was reached.
   */
  const prepare = (projection: string, version: number, seq: number, state: unknown): PendingSnapshot => {
    const slot = slotOf(projection, version);
    const before = lastChunks.get(slot) ?? new Map<string, { text: string; hash: string }>();
    const now = new Map<string, { text: string; hash: string }>();
    const chunks: NewChunk[] = [];
    const layout = splitState(state, (identity, text) => {
      const last = before.get(identity);
      const name = last !== undefined && last.text === text ? last.hash : chunkHash(text);
      now.set(identity, { text, hash: name });
      if (name !== last?.hash && !inFlight.has(`${slot}\u0000${name}`) && hasChunk.get(projection, version, name) === undefined) {
        inFlight.add(`${slot}\u0000${name}`);
        chunks.push({ hash: name, text });
      }
      return name;
    }, { watch: true });
    lastChunks.set(slot, now);
    let settle: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (settle = resolve));
    return { key: [projection, version, seq], layout: JSON.stringify(layout), chunks, deflating: 0, written: false, done, settle };
  };

  /** Writes the snapshots at the head of the queue that are ready, in order (a later one may name an earlier one's chunks). */
  const writeReady = (): void => {
    while (pending.length > 0 && pending[0]!.deflating === 0) write(pending.shift()!);
  };
  const write = (job: PendingSnapshot): void => {
    if (job.written) return;
    job.written = true;
    try {
      // A snapshot finishing after the file was closed is dropped: the next start replays from the one before it.
      if (db.open) writeSnapshot(job);
    } finally {
      const slot = slotOf(job.key[0], job.key[1]);
      for (const chunk of job.chunks) inFlight.delete(`${slot}\u0000${chunk.hash}`);
      job.settle();
    }
  };

  const store = {
    /** Saves a snapshot now, synchronously (after any still pending, which it writes first). */
    save(projection: string, version: number, seq: number, state: unknown): void {
      store.flush();
      const job = prepare(projection, version, seq, state);
      for (const chunk of job.chunks) chunk.deflated = deflateRawSync(chunk.text, DEFLATE);
      write(job);
    },
    /**
     * Saves a snapshot whose state may change right after this call: the state is laid out and serialized now, and
     * when its new chunks are large they are deflated on the thread pool and written when that is done (`flush` writes
     * whatever is still pending, at once). Until then, `load` finds the snapshot before it, which only means a longer replay.
     */
    saveInBackground(projection: string, version: number, seq: number, state: unknown): void {
      const job = prepare(projection, version, seq, state);
      const chars = job.chunks.reduce((sum, chunk) => sum + chunk.text.length, 0);
      if (chars < BACKGROUND_DEFLATE_CHARS && pending.length === 0) {
        for (const chunk of job.chunks) chunk.deflated = deflateRawSync(chunk.text, DEFLATE);
        write(job);
        return;
      }
      pending.push(job);
      job.deflating = job.chunks.length;
      for (const chunk of job.chunks) {
        deflateRaw(chunk.text, DEFLATE, (error, deflated) => {
          // The sync fallback (or flush) may have got there first.
          chunk.deflated ??= error ? deflateRawSync(chunk.text, DEFLATE) : deflated;
          job.deflating--;
          writeReady();
        });
      }
      writeReady(); // a snapshot with no new chunk at all
    },
    /** How many snapshots are still waiting to be written. */
    pendingWrites: (): number => pending.length,
    /** Resolves once the oldest pending snapshot is written (at once if none is pending). */
    oldestWritten: (): Promise<void> => pending[0]?.done ?? Promise.resolve(),
    /** Writes every pending snapshot now, synchronously (before the file is closed). */
    flush(): void {
      const jobs = pending;
      pending = [];
      for (const job of jobs) {
        for (const chunk of job.chunks) chunk.deflated ??= deflateRawSync(chunk.text, DEFLATE);
        job.deflating = 0;
        write(job);
      }
    },
    /** The latest readable snapshot at or before `seq`, or undefined. */
    load<S>(projection: string, version: number, seq: number): { seq: number; state: S } | undefined {
      for (let upTo = seq; ; ) {
        const point = pointAtOrBefore.get(projection, version, upTo);
        if (!point) return undefined;
        try {
          const layout = JSON.parse(inflateRawSync(point.layout).toString('utf8')) as Layout;
          const state = assembleState(layout, (name) => {
            const deflated = chunkText.get(projection, version, name);
            if (deflated === undefined) throw new Error(`it names a chunk the file does not hold (${name})`);
            try {
              return inflateRawSync(deflated).toString('utf8');
            } catch (error) {
              dropChunk.run(projection, version, name); // damaged: the next snapshot that needs it writes it again
              throw error;
            }
          });
          return { seq: point.seq, state: state as S };
        } catch (error) {
          dropPoint.run(projection, version, point.seq);
          lastChunks.delete(slotOf(projection, version)); // what this process took as stored is checked again
          options.onUnreadable?.({ projection, version, seq: point.seq, reason: error instanceof Error ? error.message : String(error) });
          upTo = point.seq - 1;
        }
      }
    },
    /** Snapshots of an older version are useless once the projection changed: a rebuild makes new ones. */
    dropOtherVersions(projection: string, version: number): void {
      dropPointsOfOtherVersions.run(projection, version);
      dropChunksOfOtherVersions.run(projection, version);
    },
    /** Forgets every snapshot (a rebuild from the log); snapshots still pending are dropped. */
    clear(): void {
      for (const job of pending) {
        job.written = true;
        job.settle();
      }
      pending = [];
      inFlight.clear();
      lastChunks.clear();
      db.exec('DELETE FROM snapshot_points; DELETE FROM snapshot_chunks;');
    },
    /** What the snapshots hold: points, distinct chunks, and their deflated size. */
    stats(): { points: number; chunks: number; bytes: number } {
      const points = db.prepare('SELECT count(*) AS n, coalesce(sum(length(layout)), 0) AS bytes FROM snapshot_points').get() as { n: number; bytes: number };
      const chunks = db.prepare('SELECT count(*) AS n, coalesce(sum(length(text)), 0) AS bytes FROM snapshot_chunks').get() as { n: number; bytes: number };
      return { points: points.n, chunks: chunks.n, bytes: points.bytes + chunks.bytes };
    },
  };
  return store;
};
export type SnapshotStore = ReturnType<typeof createSnapshotStore>;

/** The chunk references of a stored layout (tests). */
export const layoutChunkRefs = (layout: Buffer): string[] => chunkRefs(JSON.parse(inflateRawSync(layout).toString('utf8')) as Layout);

import type Database from 'better-sqlite3';
import { deflateRawSync, inflateRawSync, constants } from 'node:zlib';

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

export const createSnapshotStore = (db: Database.Database) => {
  db.exec(DDL);
  const put = db.prepare<[string, number, number, Buffer]>('INSERT OR REPLACE INTO projection_snapshots (projection, version, seq, state) VALUES (?, ?, ?, ?)');
  const atOrBefore = db.prepare<[string, number, number], { seq: number; state: Buffer }>(
    'SELECT seq, state FROM projection_snapshots WHERE projection = ? AND version = ? AND seq <= ? ORDER BY seq DESC LIMIT 1',
  );
  const dropOtherVersions = db.prepare<[string, number]>('DELETE FROM projection_snapshots WHERE projection = ? AND version <> ?');
  const dropAfter = db.prepare<[string, number, number]>('DELETE FROM projection_snapshots WHERE projection = ? AND version = ? AND seq > ?');

  return {
    save(projection: string, version: number, seq: number, state: unknown): void {
      put.run(projection, version, seq, deflateRawSync(JSON.stringify(state), { level: constants.Z_BEST_SPEED }));
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

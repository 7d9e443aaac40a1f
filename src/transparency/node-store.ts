import type Database from 'better-sqlite3';
import type { StoredNode } from './tree-builder.js';

/**
 * Merkle nodes in the follower's local file: every complete subtree hash, addressed by (level, index).
 * Keys grow monotonically per level, so inserts append to the B-tree; any root or proof reads O(log n) rows.
 * The tree size is the number of leaves, kept beside the nodes in the same transaction.
 */
const DDL = `
CREATE TABLE IF NOT EXISTS tlog_nodes (
  level INTEGER NOT NULL,
  idx   INTEGER NOT NULL,
  hash  BLOB    NOT NULL,
  PRIMARY KEY (level, idx)
) WITHOUT ROWID, STRICT;
CREATE TABLE IF NOT EXISTS tlog_state (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  size INTEGER NOT NULL
) STRICT;
`;

export const createNodeStore = (db: Database.Database) => {
  db.exec(DDL);
  const insert = db.prepare<[number, number, Buffer]>('INSERT OR REPLACE INTO tlog_nodes (level, idx, hash) VALUES (?, ?, ?)');
  const select = db.prepare<[number, number], Buffer>('SELECT hash FROM tlog_nodes WHERE level = ? AND idx = ?').pluck();
  const readSize = db.prepare<[], number>('SELECT size FROM tlog_state WHERE id = 1').pluck();
  const writeSize = db.prepare<[number]>('INSERT INTO tlog_state (id, size) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET size = excluded.size');
  const save = db.transaction((nodes: readonly StoredNode[], size: number) => {
    for (const node of nodes) insert.run(node.level, node.index, node.hash);
    writeSize.run(size);
  });

  return {
    /** Number of leaves durably in the tree. */
    size: (): number => readSize.get() ?? 0,
    /** Persists a batch's nodes and the new size atomically. */
    save: (nodes: readonly StoredNode[], size: number): void => save(nodes, size),
    read: (level: number, index: number): Buffer => {
      const hash = select.get(level, index);
      if (!hash) throw new RangeError(`the log has no node at level ${level}, index ${index}`);
      return hash;
    },
  };
};
export type NodeStore = ReturnType<typeof createNodeStore>;

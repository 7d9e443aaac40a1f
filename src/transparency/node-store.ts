import type Database from 'better-sqlite3';
import { HASH_SIZE } from './hashing.js';
import type { StoredNode } from './tree-builder.js';

/**
 * Merkle nodes in the follower's local file: every complete subtree hash. A node (level, index) is stored under
 * its **post-order number**, the order in which appends complete nodes: leaf k is preceded by the 2k − popcount(k)
 * nodes of the tree of k leaves, and each append emits the leaf, then the ancestors it completes, one level up at a
 * time. So node (level, index), completed by leaf k = (index + 1)·2^level − 1, is number 2k − popcount(k) + level.
 * Every batch therefore appends rows at the end of one rowid B-tree — about 3× cheaper than the (level, idx) key it
 * replaces, whose inserts landed in the middle of the tree (bench:tlog) — and any root or proof reads O(log n) rows
 * by rowid. The tree size is the number of leaves, kept beside the nodes in the same transaction.
 */
const DDL = `
CREATE TABLE IF NOT EXISTS tlog_node_hashes (
  id   INTEGER PRIMARY KEY,
  hash BLOB    NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS tlog_state (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  size INTEGER NOT NULL
) STRICT;
`;

/** Rows per multi-row INSERT: one statement call instead of 64. */
const ROWS_PER_INSERT = 64;
const TWO_32 = 2 ** 32;

const popcount32 = (n: number): number => {
  n -= (n >>> 1) & 0x55555555;
  n = (n & 0x33333333) + ((n >>> 2) & 0x33333333);
  return (Math.imul((n + (n >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
};
/** Set bits of a non-negative safe integer (beyond 32 bits, so no `>>>` on the whole value). */
const popcount = (n: number): number => popcount32(n >>> 0) + popcount32(Math.floor(n / TWO_32) >>> 0);

/** Post-order number of the complete node (level, index); undefined when it does not fit a safe integer. */
export const nodeNumber = (level: number, index: number): number | undefined => {
  const lastLeaf = (index + 1) * 2 ** level - 1;
  const id = 2 * lastLeaf - popcount(lastLeaf) + level;
  return Number.isSafeInteger(id) && Number.isSafeInteger(lastLeaf) && index >= 0 && level >= 0 ? id : undefined;
};

/** Files written before the post-order layout keep their nodes in `tlog_nodes (level, idx)`: move them over once. */
const migrateLevelIndexTable = (db: Database.Database): void => {
  const legacy = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'tlog_nodes'").pluck().get();
  if (legacy === undefined) return;
  db.function('tlog_node_number', { deterministic: true }, (level: unknown, idx: unknown) => {
    const id = typeof level === 'number' && typeof idx === 'number' ? nodeNumber(level, idx) : undefined;
    if (id === undefined) throw new RangeError(`tlog_nodes holds an impossible node (level ${String(level)}, index ${String(idx)})`);
    return id;
  });
  db.transaction(() => {
    db.exec('INSERT OR REPLACE INTO tlog_node_hashes (id, hash) SELECT tlog_node_number(level, idx), hash FROM tlog_nodes');
    db.exec('DROP TABLE tlog_nodes');
  })();
};

export const createNodeStore = (db: Database.Database) => {
  db.exec(DDL);
  migrateLevelIndexTable(db);
  const insert = db.prepare<[number, Buffer]>('INSERT OR REPLACE INTO tlog_node_hashes (id, hash) VALUES (?, ?)');
  const insertMany = db.prepare<Array<number | Buffer>>(
    `INSERT OR REPLACE INTO tlog_node_hashes (id, hash) VALUES ${Array.from({ length: ROWS_PER_INSERT }, () => '(?, ?)').join(', ')}`,
  );
  const params: Array<number | Buffer> = [];
  const select = db.prepare<[number], Buffer>('SELECT hash FROM tlog_node_hashes WHERE id = ?').pluck();
  const readSize = db.prepare<[], number>('SELECT size FROM tlog_state WHERE id = 1').pluck();
  const writeSize = db.prepare<[number]>('INSERT INTO tlog_state (id, size) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET size = excluded.size');

  const idOf = (node: StoredNode): number => {
    const id = nodeNumber(node.level, node.index);
    if (id === undefined) throw new RangeError(`node (level ${node.level}, index ${node.index}) is beyond any storable tree`);
    return id;
  };
  const save = db.transaction((nodes: readonly StoredNode[], size: number) => {
    let i = 0;
    for (; i + ROWS_PER_INSERT <= nodes.length; i += ROWS_PER_INSERT) {
      for (let j = 0; j < ROWS_PER_INSERT; j++) {
        const node = nodes[i + j]!;
        params[2 * j] = idOf(node);
        params[2 * j + 1] = node.hash;
      }
      insertMany.run(...params);
    }
    for (; i < nodes.length; i++) insert.run(idOf(nodes[i]!), nodes[i]!.hash);
    params.fill(0); // drop references to the batch's hashes
    writeSize.run(size);
  });

  /** Consecutive nodes from post-order number `firstId`, packed 32 bytes each in `runs`, in order. */
  const saveRun = db.transaction((firstId: number, runs: readonly Uint8Array[], size: number) => {
    let id = firstId;
    let filled = 0;
    for (const run of runs) {
      const hashes = Buffer.from(run.buffer, run.byteOffset, run.byteLength);
      for (let offset = 0; offset < hashes.length; offset += HASH_SIZE) {
        const hash = hashes.subarray(offset, offset + HASH_SIZE);
        params[2 * filled] = id++;
        params[2 * filled + 1] = hash;
        if (++filled === ROWS_PER_INSERT) {
          insertMany.run(...params);
          filled = 0;
        }
      }
    }
    for (let j = 0; j < filled; j++) insert.run(params[2 * j] as number, params[2 * j + 1] as Buffer);
    params.fill(0);
    writeSize.run(size);
  });

  return {
    /**
     * Persists nodes completed in emission order — a leaf, then the ancestors it completes, leaf after leaf —
     * which are consecutive post-order numbers from the first leaf's: no (level, index) per node needed.
     */
    saveRun: (firstLeaf: number, runs: readonly Uint8Array[], size: number): void => {
      const firstId = nodeNumber(0, firstLeaf);
      if (firstId === undefined) throw new RangeError(`leaf ${firstLeaf} is beyond any storable tree`);
      saveRun(firstId, runs, size);
    },
    /** Number of leaves durably in the tree. */
    size: (): number => readSize.get() ?? 0,
    /** Persists a batch's nodes and the new size atomically. */
    save: (nodes: readonly StoredNode[], size: number): void => save(nodes, size),
    read: (level: number, index: number): Buffer => {
      const id = Number.isSafeInteger(level) && Number.isSafeInteger(index) ? nodeNumber(level, index) : undefined;
      const hash = id === undefined ? undefined : select.get(id);
      if (!hash) throw new RangeError(`the log has no node at level ${level}, index ${index}`);
      return hash;
    },
  };
};
export type NodeStore = ReturnType<typeof createNodeStore>;

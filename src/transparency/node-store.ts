import type Database from 'better-sqlite3';
import { HASH_SIZE } from './hashing.js';
import type { StoredNode } from './tree-builder.js';

/**
 * Merkle nodes in the follower's local file: every complete subtree hash. A node (level, index) is numbered by its
 * **post-order number**, the order in which appends complete nodes: leaf k is preceded by the 2k − popcount(k)
 * nodes of the tree of k leaves, and each append emits the leaf, then the ancestors it completes, one level up at a
 * time. So node (level, index), completed by leaf k = (index + 1)·2^level − 1, is number 2k − popcount(k) + level.
 *
 * A batch of appends therefore completes one run of consecutive numbers, and a run is stored as a few rows: each holds
 * its first number and up to 64 hashes, 32 bytes each (a catch-up chunk of 512 leaves is 16 rows instead of ~1,024;
 * bench:tlog). Node n is in the row with the greatest `first` ≤ n, at offset 32·(n − first); any root or proof reads
 * O(log n) rows by key. The tree size is the number of leaves, kept beside the nodes; nodes beyond it are unused
 * (a batch saves its runs before it moves the size, and a restart writes them again).
 */
const DDL = `
CREATE TABLE IF NOT EXISTS tlog_node_runs (
  first  INTEGER PRIMARY KEY,
  hashes BLOB    NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS tlog_state (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  size INTEGER NOT NULL
) STRICT;
`;

const TWO_32 = 2 ** 32;
/**
 * Nodes per row at most: 2 KiB of hashes stays inside one 4 KiB page, so a node read copies at most 2 KiB and follows
 * no overflow chain (rows of a whole 128-leaf chunk, ~8 KiB, made proofs three times slower; bench:tlog).
 */
const ROW_NODES = 64;

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

/** Files written before the post-order numbering keep their nodes in `tlog_nodes (level, idx)`: each becomes a run of one, once. */
const migrateLevelIndexTable = (db: Database.Database): void => {
  const legacy = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'tlog_nodes'").pluck().get();
  if (legacy === undefined) return;
  db.function('tlog_node_number', { deterministic: true }, (level: unknown, idx: unknown) => {
    const id = typeof level === 'number' && typeof idx === 'number' ? nodeNumber(level, idx) : undefined;
    if (id === undefined) throw new RangeError(`tlog_nodes holds an impossible node (level ${String(level)}, index ${String(idx)})`);
    return id;
  });
  db.transaction(() => {
    db.exec('INSERT OR REPLACE INTO tlog_node_runs (first, hashes) SELECT tlog_node_number(level, idx), hash FROM tlog_nodes');
    db.exec('DROP TABLE tlog_nodes');
  })();
};

/**
 * Files written before runs keep one row per node in `tlog_node_hashes (id, hash)`: each row becomes a run of one
 * node, once (the layout reads them as they are; later batches write whole runs).
 */
const migrateNodeRows = (db: Database.Database): void => {
  const legacy = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'tlog_node_hashes'").pluck().get();
  if (legacy === undefined) return;
  db.transaction(() => {
    db.exec('INSERT OR REPLACE INTO tlog_node_runs (first, hashes) SELECT id, hash FROM tlog_node_hashes');
    db.exec('DROP TABLE tlog_node_hashes');
  })();
};

export const createNodeStore = (db: Database.Database) => {
  db.exec(DDL);
  migrateLevelIndexTable(db);
  migrateNodeRows(db);
  const insertRun = db.prepare<[number, Buffer]>('INSERT OR REPLACE INTO tlog_node_runs (first, hashes) VALUES (?, ?)');
  // Runs left beyond the size by a batch that never finished: a new run replaces what they say about its nodes.
  const dropRunsWithin = db.prepare<[number, number]>('DELETE FROM tlog_node_runs WHERE first > ? AND first < ?');
  const select = db
    .prepare<[number, number], Buffer | null>('SELECT substr(hashes, 32 * (? - first) + 1, 32) FROM tlog_node_runs WHERE first <= ? ORDER BY first DESC LIMIT 1')
    .pluck();
  // The rows holding nodes first..last: the one at or before `first`, then every one up to `last`.
  const rowsBetween = db.prepare<[number, number], { first: number; hashes: Buffer }>(
    'SELECT first, hashes FROM tlog_node_runs WHERE first >= coalesce((SELECT max(first) FROM tlog_node_runs WHERE first <= ?), 0) AND first <= ? ORDER BY first',
  );
  const readSize = db.prepare<[], number>('SELECT size FROM tlog_state WHERE id = 1').pluck();
  const writeSize = db.prepare<[number]>('INSERT INTO tlog_state (id, size) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET size = excluded.size');

  /** `nodeNumber`, throwing for a node beyond any storable tree. */
  const numberOf = (level: number, index: number): number => {
    const id = nodeNumber(level, index);
    if (id === undefined) throw new RangeError(`node (level ${level}, index ${index}) is beyond any storable tree`);
    return id;
  };
  const idOf = (node: StoredNode): number => numberOf(node.level, node.index);

  /**
   * Stores consecutive nodes from post-order number `first`, packed 32 bytes each, in rows of at most `ROW_NODES`;
   * returns the number after the last.
   */
  const saveRun = (first: number, hashes: Uint8Array): number => {
    const count = hashes.byteLength / HASH_SIZE;
    if (count === 0) return first;
    dropRunsWithin.run(first, first + count);
    const bytes = Buffer.from(hashes.buffer, hashes.byteOffset, hashes.byteLength);
    for (let n = 0; n < count; n += ROW_NODES) insertRun.run(first + n, bytes.subarray(HASH_SIZE * n, HASH_SIZE * Math.min(count, n + ROW_NODES)));
    return first + count;
  };

  /** The nodes of one append batch, which are consecutive post-order numbers, as runs (one unless a gap). */
  const save = db.transaction((completed: readonly StoredNode[], size: number) => {
    for (let i = 0; i < completed.length; ) {
      const first = idOf(completed[i]!);
      let end = i + 1;
      while (end < completed.length && idOf(completed[end]!) === first + (end - i)) end++;
      const packed = new Uint8Array(HASH_SIZE * (end - i));
      for (let j = i; j < end; j++) packed.set(completed[j]!.hash, HASH_SIZE * (j - i));
      saveRun(first, packed);
      i = end;
    }
    writeSize.run(size);
  });

  return {
    /** The post-order number of leaf `leaf`: where the nodes a batch starting there completes are stored. */
    firstNodeOf: (leaf: number): number => numberOf(0, leaf),
    /**
     * Writes nodes completed in emission order — a leaf, then the ancestors it completes, leaf after leaf — which are
     * consecutive post-order numbers from `firstId`; returns the number after the last. The size does not move:
     * nodes beyond it are invisible to every reader until `saveSize` (and a restart rewrites them).
     */
    saveRun: db.transaction(saveRun), // one commit per run, not one per statement
    /** Makes the tree `size` leaves long; every node it needs must be saved already. */
    saveSize: (size: number): void => void writeSize.run(size),
    /** Number of leaves durably in the tree. */
    size: (): number => readSize.get() ?? 0,
    /** Persists a batch's nodes and the new size atomically. */
    save: (nodes: readonly StoredNode[], size: number): void => save(nodes, size),
    /**
     * The leaf hashes of leaves `from` .. `from + count − 1`, read with one range query (a page of the audit log reads
     * thousands of them; one query each cost more than the page's events).
     */
    leafHashes: (from: number, count: number): Buffer[] => {
      if (count <= 0) return [];
      const rows = rowsBetween.all(numberOf(0, from), numberOf(0, from + count - 1));
      const hashes: Buffer[] = [];
      let row = 0;
      for (let leaf = from; leaf < from + count; leaf++) {
        const id = nodeNumber(0, leaf)!;
        while (row + 1 < rows.length && rows[row + 1]!.first <= id) row++;
        const run = rows[row];
        const offset = run === undefined ? -1 : HASH_SIZE * (id - run.first);
        if (run === undefined || offset < 0 || offset + HASH_SIZE > run.hashes.length) throw new RangeError(`the log has no node at level 0, index ${leaf}`);
        hashes.push(run.hashes.subarray(offset, offset + HASH_SIZE));
      }
      return hashes;
    },
    read: (level: number, index: number): Buffer => {
      const id = Number.isSafeInteger(level) && Number.isSafeInteger(index) ? nodeNumber(level, index) : undefined;
      const hash = id === undefined ? undefined : select.get(id, id);
      if (!hash || hash.length !== HASH_SIZE) throw new RangeError(`the log has no node at level ${level}, index ${index}`);
      return hash;
    },
  };
};
export type NodeStore = ReturnType<typeof createNodeStore>;

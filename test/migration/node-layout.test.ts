/**
 * The local file's Merkle nodes moved from `tlog_nodes (level, idx)` to `tlog_node_hashes (id)` keyed by post-order
 * number (bench:tlog: appends at the end of one B-tree), then to `tlog_node_runs (first, hashes)`, one row per run of
 * consecutive numbers. A file written with either old layout is converted when the node store opens it, and the log
 * continues from it. (Belongs with test/transparency; kept here with the other
 * migrations of stored data.)
 */
import t from 'tap';
import { createHash } from 'node:crypto';
import { openLocalDatabase } from '../../src/follower/local-state.js';
import { leafHash } from '../../src/transparency/hashing.js';
import { consistencyProof, inclusionProof, rootAt } from '../../src/transparency/merkle.js';
import { createNodeStore, nodeNumber } from '../../src/transparency/node-store.js';
import { createTreeBuilder, type StoredNode } from '../../src/transparency/tree-builder.js';

const leaf = (i: number) => leafHash(createHash('sha256').update(`leaf ${i}`).digest());

t.test('post-order numbers are the order in which appends complete nodes', async (t) => {
  const builder = createTreeBuilder();
  let expected = 0;
  let mismatches = 0;
  for (let i = 0; i < 4099; i++) {
    for (const node of builder.append(leaf(i))) if (nodeNumber(node.level, node.index) !== expected++) mismatches += 1;
  }
  t.equal(mismatches, 0, `${expected} nodes numbered 0, 1, 2, … in completion order`);
  t.equal(nodeNumber(0, 2 ** 52), Number.MAX_SAFE_INTEGER, 'exact up to 2^53');
  t.equal(nodeNumber(0, 2 ** 53), undefined, 'beyond is refused, never rounded');
});

t.test('a file with the level/index layout is converted on open, and the log continues from it', async (t) => {
  const db = openLocalDatabase(':memory:');
  t.teardown(() => db.close());
  db.exec(`
    CREATE TABLE tlog_nodes (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID, STRICT;
    CREATE TABLE tlog_state (id INTEGER PRIMARY KEY CHECK (id = 1), size INTEGER NOT NULL) STRICT;`);
  const builder = createTreeBuilder();
  const legacy: StoredNode[] = [];
  for (let i = 0; i < 1000; i++) legacy.push(...builder.append(leaf(i)));
  const insert = db.prepare('INSERT INTO tlog_nodes (level, idx, hash) VALUES (?, ?, ?)');
  for (const node of legacy) insert.run(node.level, node.index, node.hash);
  db.prepare('INSERT INTO tlog_state (id, size) VALUES (1, 1000)').run();

  const nodes = createNodeStore(db);
  t.equal(nodes.size(), 1000);
  t.same(rootAt(1000, nodes.read), builder.root(), 'the same root');
  t.same(nodes.read(0, 999), leaf(999));
  t.throws(() => nodes.read(0, 1000), RangeError, 'nodes beyond the tree are still absent');
  t.throws(() => nodes.read(1, 500), RangeError);
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
  t.notOk(tables.includes('tlog_nodes'), 'the old table is gone');
  t.ok(tables.includes('tlog_node_runs'));

  const more: StoredNode[] = [];
  for (let i = 1000; i < 1500; i++) more.push(...builder.append(leaf(i)));
  nodes.save(more, 1500);
  t.same(rootAt(1500, nodes.read), builder.root(), 'appends continue the converted tree');
  t.equal(inclusionProof(123, 1500, nodes.read).length, 11);
  t.ok(consistencyProof(1000, 1500, nodes.read).length > 0);
  t.equal(createNodeStore(db).size(), 1500, 'opening again converts nothing twice');
});

t.test('a file with one row per node is converted on open, and the log continues from it', async (t) => {
  const db = openLocalDatabase(':memory:');
  t.teardown(() => db.close());
  db.exec(`
    CREATE TABLE tlog_node_hashes (id INTEGER PRIMARY KEY, hash BLOB NOT NULL) STRICT;
    CREATE TABLE tlog_state (id INTEGER PRIMARY KEY CHECK (id = 1), size INTEGER NOT NULL) STRICT;`);
  const builder = createTreeBuilder();
  const insert = db.prepare('INSERT INTO tlog_node_hashes (id, hash) VALUES (?, ?)');
  for (let i = 0; i < 777; i++) for (const node of builder.append(leaf(i))) insert.run(nodeNumber(node.level, node.index), node.hash);
  db.prepare('INSERT INTO tlog_state (id, size) VALUES (1, 777)').run();

  const nodes = createNodeStore(db);
  t.same(rootAt(777, nodes.read), builder.root(), 'the same root');
  t.throws(() => nodes.read(0, 777), RangeError, 'nodes beyond the tree are still absent');
  const more: StoredNode[] = [];
  for (let i = 777; i < 1200; i++) more.push(...builder.append(leaf(i)));
  nodes.save(more, 1200);
  t.same(rootAt(1200, nodes.read), builder.root(), 'appends continue the converted tree');
  t.equal(inclusionProof(5, 1200, nodes.read).length, 11);
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
  t.notOk(tables.includes('tlog_node_hashes'), 'the old table is gone');
});

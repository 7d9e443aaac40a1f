/**
 * The hashing thread (hashing-thread-client.ts): for a large batch of the log it hashes each leaf text, grows the
 * tree from the batch's starting right edge, and saves the batch's nodes and the new size in the log's own file
 * (`local.sqlite`, through a connection of its own, in one transaction) — then answers once, with the new size and
 * right edge. Chunks of a batch arrive in order; several batches (one per log) may be in progress.
 */
import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { HASH_SIZE, leafHashOfText } from './hashing.js';
import type { FromHashingThread, ToHashingThread } from './hashing-thread-client.js';
import { createNodeStore, type NodeStore } from './node-store.js';
import { createTreeBuilder, restoreTreeBuilder, type StoredNode, type TreeBuilder } from './tree-builder.js';

if (!parentPort) throw new Error('hashing-thread.ts runs as a worker thread');
const port = parentPort;

interface Batch {
  builder: TreeBuilder;
  nodes: NodeStore;
  completed: StoredNode[];
}
const batches = new Map<number, Batch>();
/** Batches that failed: their remaining chunks are dropped, the failure was answered already. */
const failed = new Set<number>();

/**
 * One connection per log file, the most recently used few kept open. A file replaced at the same path (a deleted
 * `local.sqlite` the service recreated) is a new file: the connection to the old one is closed, not written to.
 */
const MAX_FILES = 8;
const files = new Map<string, { db: Database.Database; nodes: NodeStore; inode: number }>();
const nodeStoreOf = (file: string): NodeStore => {
  const inode = statSync(file).ino;
  let entry = files.get(file);
  if (entry) files.delete(file);
  if (entry && entry.inode !== inode) {
    entry.db.close();
    entry = undefined;
  }
  if (!entry) {
    const db = new Database(file, { timeout: 10_000 });
    db.pragma('synchronous = NORMAL'); // as the main thread's connection: derived data, replayed after a power loss
    entry = { db, nodes: createNodeStore(db), inode };
  }
  files.set(file, entry); // most recent last
  for (const [oldest, { db }] of files) {
    if (files.size <= MAX_FILES) break;
    files.delete(oldest);
    db.close();
  }
  return entry.nodes;
};

/** The 32-byte hashes packed in `flat`, in order. */
const unpack = (flat: Uint8Array): Uint8Array[] =>
  Array.from({ length: flat.length / HASH_SIZE }, (_, i) => flat.subarray(HASH_SIZE * i, HASH_SIZE * (i + 1)));

const grow = ({ batch: id, texts, start, last }: ToHashingThread): FromHashingThread | undefined => {
  if (start) {
    const builder = start.size === 0 ? createTreeBuilder() : restoreTreeBuilder(start.size, unpack(start.edge));
    batches.set(id, { builder, nodes: nodeStoreOf(start.file), completed: [] });
  }
  const batch = batches.get(id);
  if (!batch) throw new Error(`batch ${id} has no starting edge here (a restarted thread)`);
  for (const text of texts) for (const node of batch.builder.append(leafHashOfText(text))) batch.completed.push(node);
  if (!last) return undefined;
  batches.delete(id);
  batch.nodes.save(batch.completed, batch.builder.size);
  const edge = batch.builder.edge();
  const packedEdge = new Uint8Array(HASH_SIZE * edge.length);
  edge.forEach((node, i) => packedEdge.set(node.hash, HASH_SIZE * i));
  return { ok: true, size: batch.builder.size, edge: packedEdge };
};

port.on('message', (message: ToHashingThread) => {
  if (failed.has(message.batch)) {
    if (message.last) failed.delete(message.batch);
    return;
  }
  let reply: FromHashingThread | undefined;
  try {
    reply = grow(message);
  } catch (error) {
    batches.delete(message.batch);
    if (!message.last) failed.add(message.batch);
    reply = { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  if (reply) port.postMessage({ batch: message.batch, reply });
});

/**
 * The hashing thread (hashing-thread-client.ts): for the large batches of a log, it hashes each leaf and grows the
 * tree from the starting right edge it was given, answering per chunk with every node the chunk completed (leaves and
 * interior nodes, 32 bytes each, in emission order — which is the node store's post-order numbering) and the new
 * right edge. Leaves arrive as hash inputs packed in one transferred buffer (leaf.ts `packLeafInputs`). Each log's tree
 * is kept by its `log` id.
 */
import { parentPort } from 'node:worker_threads';
import { HASH_SIZE, leafHashOfInput } from './hashing.js';
import type { FromHashingThread, HashingThreadAnswer, ToHashingThread } from './hashing-thread-client.js';
import { createPackedGrower, type PackedGrower } from './tree-builder.js';

if (!parentPort) throw new Error('hashing-thread.ts runs as a worker thread');
const port = parentPort;
const trees = new Map<number, PackedGrower>();

const grow = ({ log, leaves, start }: ToHashingThread): FromHashingThread => {
  let grower = trees.get(log);
  if (start) {
    grower = createPackedGrower(start.size, start.edge);
    trees.set(log, grower);
  }
  if (!grower) throw new Error(`log ${log} has no starting edge here (a restarted thread)`);
  // A leaf completes itself plus as many ancestors as the size's trailing one bits: over n consecutive leaves, at
  // most 2n nodes plus one per level of the tree.
  const nodes = new Uint8Array(HASH_SIZE * (2 * leaves.ends.length + 64));
  let at = 0;
  let from = 0;
  for (const end of leaves.ends) {
    at = grower.appendInto(leafHashOfInput(leaves.bytes.subarray(from, end)), nodes, at);
    from = end;
  }
  return { ok: true, nodes: nodes.subarray(0, at), size: grower.size, edge: grower.packedEdge() };
};

port.on('message', (message: ToHashingThread) => {
  let reply: FromHashingThread;
  try {
    reply = grow(message);
  } catch (error) {
    trees.delete(message.log); // what follows fails too, until the log starts again
    reply = { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  // The leaves' buffer goes back too, for the client to pack later chunks into (leaf.ts `recyclePackedBuffer`).
  const leaves = message.leaves.bytes.buffer as ArrayBuffer;
  port.postMessage({ id: message.id, reply, leaves } satisfies HashingThreadAnswer, reply.ok ? [reply.nodes.buffer as ArrayBuffer, leaves] : [leaves]);
});

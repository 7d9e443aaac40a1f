/**
 * The hashing thread (hashing-thread-client.ts): for a large batch of the log, it hashes each leaf text and grows
 * the tree from the batch's starting right edge, answering per chunk with every node the chunk completed (leaves
 * and interior nodes, 32 bytes each, in emission order — which is the node store's post-order numbering) and the
 * new right edge. Several batches may be in progress (one per log); each is keyed by its `batch` id.
 */
import { parentPort } from 'node:worker_threads';
import { HASH_SIZE, leafHashOfText } from './hashing.js';
import type { FromHashingThread, ToHashingThread } from './hashing-thread-client.js';
import { packedEdge, restoreFromPackedEdge, type TreeBuilder } from './tree-builder.js';

if (!parentPort) throw new Error('hashing-thread.ts runs as a worker thread');
const port = parentPort;
const batches = new Map<number, TreeBuilder>();

const grow = ({ batch, texts, start, last }: ToHashingThread): FromHashingThread => {
  let builder = batches.get(batch);
  if (start) {
    builder = restoreFromPackedEdge(start.size, start.edge);
    batches.set(batch, builder);
  }
  if (!builder) throw new Error(`batch ${batch} has no starting edge here (a restarted thread)`);
  // A leaf completes itself plus at most log2(size) + 1 ancestors; over a chunk, fewer than 2 per leaf plus the edge.
  let nodes = new Uint8Array(HASH_SIZE * (2 * texts.length + 64));
  let count = 0;
  for (const text of texts) {
    for (const node of builder.append(leafHashOfText(text))) {
      if (HASH_SIZE * (count + 1) > nodes.length) {
        const larger = new Uint8Array(nodes.length * 2);
        larger.set(nodes);
        nodes = larger;
      }
      nodes.set(node.hash, HASH_SIZE * count++);
    }
  }
  if (last) batches.delete(batch);
  return { ok: true, nodes: nodes.subarray(0, HASH_SIZE * count), size: builder.size, edge: packedEdge(builder) };
};

port.on('message', (message: ToHashingThread) => {
  let reply: FromHashingThread;
  try {
    reply = grow(message);
  } catch (error) {
    batches.delete(message.batch);
    reply = { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage({ id: message.id, reply }, reply.ok ? [reply.nodes.buffer as ArrayBuffer] : []);
});

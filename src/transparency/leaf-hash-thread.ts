/**
 * The leaf-hashing thread (leaf-hasher.ts): receives leaf texts, answers with their RFC 9162 leaf hashes, 32
 * bytes each, in one transferred buffer.
 */
import { parentPort } from 'node:worker_threads';
import { HASH_SIZE, leafHashOfText } from './hashing.js';
import type { FromLeafHasher, ToLeafHasher } from './leaf-hasher.js';

if (!parentPort) throw new Error('leaf-hash-thread.ts runs as a worker thread');
const port = parentPort;

port.on('message', ({ id, texts }: ToLeafHasher) => {
  let reply: FromLeafHasher;
  try {
    const hashes = new Uint8Array(HASH_SIZE * texts.length);
    for (let i = 0; i < texts.length; i++) hashes.set(leafHashOfText(texts[i]!), HASH_SIZE * i);
    reply = { id, hashes };
  } catch (error) {
    reply = { id, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply, "hashes" in reply ? [reply.hashes.buffer as ArrayBuffer] : []);
});

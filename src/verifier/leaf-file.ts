/**
 * The verifier's own copy of the leaf hashes it recomputed, in seq order: a flat binary file of 32-byte hashes
 * (leaf `seq` at offset 32·seq). It makes a second run download only new entries. A torn last record (a run
 * killed mid-write) is dropped on read.
 */
import { closeSync, existsSync, openSync, readFileSync, statSync, truncateSync, writeSync } from 'node:fs';
import { HASH_SIZE } from '../transparency/hashing.js';

export interface LeafFile {
  /** All complete hashes in the file, as one buffer (count = length / 32). */
  read(): Buffer;
  /** Writes hashes (a multiple of 32 bytes) from leaf index `at` on. */
  write(at: number, hashes: Buffer): void;
  /** Keeps the first `count` hashes. */
  truncate(count: number): void;
}

export const openLeafFile = (file: string): LeafFile => ({
  read() {
    if (!existsSync(file)) return Buffer.alloc(0);
    const bytes = readFileSync(file);
    return bytes.subarray(0, bytes.length - (bytes.length % HASH_SIZE));
  },
  write(at, hashes) {
    if (hashes.length % HASH_SIZE !== 0) throw new RangeError(`leaf hashes must be a multiple of ${HASH_SIZE} bytes`);
    const fd = openSync(file, existsSync(file) ? 'r+' : 'w+');
    try {
      writeSync(fd, hashes, 0, hashes.length, at * HASH_SIZE);
    } finally {
      closeSync(fd);
    }
  },
  truncate(count) {
    if (existsSync(file) && statSync(file).size > count * HASH_SIZE) truncateSync(file, count * HASH_SIZE);
  },
});

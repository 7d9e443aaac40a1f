import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';

const gzip = promisify(gzipCallback);

/** A kept answer: its JSON bytes and, once it was asked for again by a client that accepts gzip, a gzip copy. */
export interface KeptAnswer {
  readonly identity: Buffer;
  gzip?: Buffer;
}

/** Answers smaller than this are not worth a compressed copy (as @fastify/compress's default threshold). */
export const COMPRESS_AT_LEAST_BYTES = 1024;

/**
 * Serialized answers by key, least recently used dropped beyond `maxBytes` in all (both copies count). An answer is
 * compressed only when it is read a second time, off the event loop (zlib runs on libuv's thread pool): a one-off
 * answer (an `asOf` point read once, the latest view of a log that keeps moving) never pays for a compression, and
 * the read that starts one is answered uncompressed at once instead of waiting for it. The reads after it get the
 * gzip copy — a tenth of the bytes for a large view (3.5 MiB of `/measurement` JSON is ≈ 345 KiB gzipped), which is
 * what a client across a network waits for.
 */
export const createAnswerCache = (maxBytes: number) => {
  const entries = new Map<string, KeptAnswer>();
  const compressing = new Map<string, Promise<void>>();
  let size = 0;
  const bytesOf = (answer: KeptAnswer) => answer.identity.byteLength + (answer.gzip?.byteLength ?? 0);
  const dropOldest = () => {
    for (const [oldest, old] of entries) {
      if (size <= maxBytes) break;
      entries.delete(oldest);
      size -= bytesOf(old);
    }
  };
  return {
    get(key: string): KeptAnswer | undefined {
      const answer = entries.get(key);
      if (answer !== undefined) {
        entries.delete(key);
        entries.set(key, answer);
      }
      return answer;
    },
    /** Keeps `identity` under `key` (unless it alone is larger than the cache) and returns it as a kept answer. */
    set(key: string, identity: Buffer): KeptAnswer {
      const answer: KeptAnswer = { identity };
      if (identity.byteLength > maxBytes) return answer;
      const previous = entries.get(key);
      if (previous !== undefined) {
        entries.delete(key);
        size -= bytesOf(previous);
      }
      entries.set(key, answer);
      size += bytesOf(answer);
      dropOldest();
      return answer;
    },
    /**
     * Starts the gzip copy of the answer kept under `key`, once (later calls return the same promise); it is added to
     * the answer when done, if the answer is still kept. Small answers, and answers no longer kept, are not compressed.
     */
    compress(key: string): Promise<void> {
      const pending = compressing.get(key);
      if (pending !== undefined) return pending;
      const answer = entries.get(key);
      if (answer === undefined || answer.gzip !== undefined || answer.identity.byteLength < COMPRESS_AT_LEAST_BYTES) return Promise.resolve();
      const done = gzip(answer.identity)
        .then((compressed) => {
          if (entries.get(key) !== answer) return;
          answer.gzip = compressed;
          size += compressed.byteLength;
          dropOldest();
        })
        // A failed compression keeps nothing: the answer is served uncompressed, and a later read tries again.
        .catch(() => undefined)
        .finally(() => compressing.delete(key));
      compressing.set(key, done);
      return done;
    },
  };
};
export type AnswerCache = ReturnType<typeof createAnswerCache>;

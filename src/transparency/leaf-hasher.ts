/**
 * Leaf hashing on a second thread, for the log's large batches (catch-up, rebuild, imports): the main thread
 * assembles each leaf's text (cheap with the store's canonical text, stored-text.ts) and the thread hashes it while
 * the main thread builds the tree from the chunk before (log-consumer.ts). One thread per process, started on
 * first use, unref'd while idle (it never holds the process up), and restarted if it ever dies.
 */
import { Worker } from 'node:worker_threads';

export interface ToLeafHasher {
  id: number;
  texts: string[];
}
export type FromLeafHasher = { id: number; hashes: Uint8Array } | { id: number; error: string };

const workerUrl = new URL(import.meta.url.endsWith('.ts') ? './leaf-hash-thread.ts' : './leaf-hash-thread.js', import.meta.url);

let thread: Worker | undefined;
let nextId = 1;
const pending = new Map<number, { worker: Worker; resolve: (hashes: Uint8Array) => void; reject: (error: Error) => void }>();

/** A thread that ended (crashed or stopped) answers nothing more: what it was asked fails, and is hashed elsewhere. */
const lost = (worker: Worker, error: Error): void => {
  if (thread === worker) thread = undefined;
  for (const [id, waiting] of pending) {
    if (waiting.worker !== worker) continue;
    pending.delete(id);
    waiting.reject(error);
  }
};

const startThread = (): Worker => {
  const worker = new Worker(workerUrl);
  worker.unref();
  worker.on('message', (message: FromLeafHasher) => {
    const waiting = pending.get(message.id);
    if (!waiting) return;
    pending.delete(message.id);
    if (![...pending.values()].some((other) => other.worker === worker)) worker.unref();
    if ('hashes' in message) waiting.resolve(message.hashes);
    else waiting.reject(new Error(`leaf hashing failed: ${message.error}`));
  });
  worker.on('error', (error) => lost(worker, error));
  worker.on('exit', (code) => lost(worker, new Error(`the leaf-hashing thread exited (code ${code})`)));
  return worker;
};

/** The leaf hashes of `texts` (leaf.ts `leafText`), 32 bytes each, in order, computed on the hashing thread. */
export const hashLeafTexts = (texts: string[]): Promise<Uint8Array> =>
  new Promise((resolve, reject) => {
    const worker = (thread ??= startThread());
    const id = nextId++;
    pending.set(id, { worker, resolve, reject });
    worker.ref();
    worker.postMessage({ id, texts } satisfies ToLeafHasher);
  });

/** Stops the hashing thread if it runs (tests; a process exits without it). */
export const stopLeafHasher = async (): Promise<void> => {
  const worker = thread;
  thread = undefined;
  if (!worker) return;
  await worker.terminate();
  lost(worker, new Error('the leaf-hashing thread was stopped'));
};

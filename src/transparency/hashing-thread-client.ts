/**
 * The log's second thread, for large batches (catch-up, rebuild, imports): this thread assembles each leaf's bytes
 * (cheap with the store's canonical text, stored-text.ts) and persists nodes; the hashing thread (hashing-thread.ts)
 * hashes the leaves and grows the tree. One thread per process, started on first use, unref'd while idle (it never
 * holds the process up), and started again if it ever dies (what it was asked then fails; log-consumer.ts redoes
 * what it had not yet stored here).
 */
import { Worker } from 'node:worker_threads';
import { recyclePackedBuffer, type PackedLeafInputs } from './leaf.js';

export interface ToHashingThread {
  id: number;
  /**
   * The log (log-consumer.ts instance) whose tree the chunk grows. Its chunks arrive in order, across the follower's
   * batches; the first after the log had nothing in flight carries `start`, which (re)starts the log's tree here.
   */
  log: number;
  /** The chunk's leaves, packed as hash inputs; their buffer is transferred, not copied. */
  leaves: PackedLeafInputs;
  /** The tree the log grows from: its size and right edge (tree-builder.ts `edge()`, hashes packed). */
  start?: { size: number; edge: Uint8Array };
}

export type ThreadGrowth = { ok: true; nodes: Uint8Array; size: number; edge: Uint8Array };
export type FromHashingThread = ThreadGrowth | { ok: false; error: string };
/** What the thread posts back for one chunk: the reply and the chunk's leaves buffer, returned for reuse. */
export interface HashingThreadAnswer {
  id: number;
  reply: FromHashingThread;
  leaves: ArrayBuffer;
}

const workerUrl = new URL(import.meta.url.endsWith('.ts') ? './hashing-thread.ts' : './hashing-thread.js', import.meta.url);

let thread: Worker | undefined;
let nextId = 1;
let nextLog = 1;
const pending = new Map<number, { worker: Worker; resolve: (growth: ThreadGrowth) => void; reject: (error: Error) => void }>();

/** A thread that ended (crashed or stopped) answers nothing more: what it was asked fails. */
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
  worker.on('message', ({ id, reply, leaves }: HashingThreadAnswer) => {
    recyclePackedBuffer(leaves);
    const waiting = pending.get(id);
    if (!waiting) return;
    pending.delete(id);
    if (![...pending.values()].some((other) => other.worker === worker)) worker.unref();
    if (reply.ok) waiting.resolve(reply);
    else waiting.reject(new Error(`the hashing thread failed: ${reply.error}`));
  });
  worker.on('error', (error) => lost(worker, error));
  worker.on('exit', (code) => lost(worker, new Error(`the hashing thread exited (code ${code})`)));
  return worker;
};

/** A new log id: the chunks of one log share it. */
export const newThreadLog = (): number => nextLog++;

/** Sends one chunk of a log to the hashing thread; resolves with the nodes it completed and the new edge. */
export const growOnThread = (chunk: Omit<ToHashingThread, 'id'>): Promise<ThreadGrowth> =>
  new Promise((resolve, reject) => {
    const worker = (thread ??= startThread());
    const id = nextId++;
    pending.set(id, { worker, resolve, reject });
    worker.ref();
    worker.postMessage({ ...chunk, id } satisfies ToHashingThread, [chunk.leaves.bytes.buffer as ArrayBuffer]);
  });

/** Stops the hashing thread if it runs (tests; a process exits without it). */
export const stopHashingThread = async (): Promise<void> => {
  const worker = thread;
  thread = undefined;
  if (!worker) return;
  await worker.terminate();
  lost(worker, new Error('the hashing thread was stopped'));
};

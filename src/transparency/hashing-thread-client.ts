/**
 * The log's second thread, for large batches (catch-up, rebuild, imports): this thread assembles each leaf's text
 * (cheap with the store's canonical text, stored-text.ts) and hands it over a chunk at a time; the hashing thread
 * (hashing-thread.ts) hashes the leaves, grows the tree and saves the nodes in the log's file. One thread per
 * process, started on first use, unref'd while idle (it never holds the process up), and started again if it ever
 * dies (a batch in progress then fails; log-consumer.ts finds out from the file whether it was saved).
 */
import { Worker } from 'node:worker_threads';

export interface ToHashingThread {
  /** One batch of one log: its chunks arrive in order; the first carries `start`, the last `last`. */
  batch: number;
  texts: string[];
  /** Where the batch starts: the log's file, the tree's size and right edge (tree-builder.ts `edge()`, packed). */
  start?: { file: string; size: number; edge: Uint8Array };
  last?: boolean;
}

/** The tree once the batch's nodes and size are saved: its size and right edge, packed. */
export interface SavedGrowth {
  size: number;
  edge: Uint8Array;
}
export type FromHashingThread = ({ ok: true } & SavedGrowth) | { ok: false; error: string };

const workerUrl = new URL(import.meta.url.endsWith('.ts') ? './hashing-thread.ts' : './hashing-thread.js', import.meta.url);

let thread: Worker | undefined;
let nextBatch = 1;
const pending = new Map<number, { worker: Worker; resolve: (growth: SavedGrowth) => void; reject: (error: Error) => void }>();

/** A thread that ended (crashed or stopped) answers nothing more: its batches in progress fail. */
const lost = (worker: Worker, error: Error): void => {
  if (thread === worker) thread = undefined;
  for (const [batch, waiting] of pending) {
    if (waiting.worker !== worker) continue;
    pending.delete(batch);
    waiting.reject(error);
  }
};

const startThread = (): Worker => {
  const worker = new Worker(workerUrl);
  worker.unref();
  worker.on('message', ({ batch, reply }: { batch: number; reply: FromHashingThread }) => {
    const waiting = pending.get(batch);
    if (!waiting) return;
    pending.delete(batch);
    if (![...pending.values()].some((other) => other.worker === worker)) worker.unref();
    if (reply.ok) waiting.resolve({ size: reply.size, edge: reply.edge });
    else waiting.reject(new Error(`the hashing thread failed: ${reply.error}`));
  });
  worker.on('error', (error) => lost(worker, error));
  worker.on('exit', (code) => lost(worker, new Error(`the hashing thread exited (code ${code})`)));
  return worker;
};

/**
 * Grows the log stored in `start.file` by the leaves whose texts `chunks` yields (each chunk is posted as soon as
 * it is made, so the thread hashes one while the next is assembled) and resolves once the thread saved them.
 */
export const growOnThread = (start: NonNullable<ToHashingThread['start']>, chunks: Iterable<string[]>): Promise<SavedGrowth> => {
  const worker = (thread ??= startThread());
  const batch = nextBatch++;
  const saved = new Promise<SavedGrowth>((resolve, reject) => pending.set(batch, { worker, resolve, reject }));
  worker.ref();
  let previous: string[] | undefined;
  let first = true;
  const post = (texts: string[], last: boolean) => {
    worker.postMessage({ batch, texts, ...(first ? { start } : {}), ...(last ? { last } : {}) } satisfies ToHashingThread);
    first = false;
  };
  // One chunk behind, so the last one goes out marked as last.
  for (const texts of chunks) {
    if (previous) post(previous, false);
    previous = texts;
  }
  post(previous ?? [], true);
  return saved;
};

/** Stops the hashing thread if it runs (tests; a process exits without it). */
export const stopHashingThread = async (): Promise<void> => {
  const worker = thread;
  thread = undefined;
  if (!worker) return;
  await worker.terminate();
  lost(worker, new Error('the hashing thread was stopped'));
};

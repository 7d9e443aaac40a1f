import { Worker } from 'node:worker_threads';
import type { AppendResult } from '../event-store.js';
import type { AppendRequest } from './append-statements.js';
import type { GroupCommitStats } from './group-commit.js';
import type { OpenOptions } from './schema.js';
import { deserializeError, type FromWriter, type ToWriter } from './writer-protocol.js';

/**
 * The main-thread side of the sqlite writer thread (writer-thread.ts). One thread per process serves every
 * store instance (each with its own write connection there): starting a thread costs far more than a connection,
 * most under the test loader, which compiles the thread's TypeScript again. The thread is started by the first
 * store, keeps the process alive only while it has work in flight, and is terminated once the last store closed
 * and none opened again within `LINGER_MS` (an unref'd timer: it never holds the process up).
 */
const LINGER_MS = 2_000;

export interface WriterOptions extends OpenOptions {
  file: string;
  maxEventsPerCommit?: number;
  /** Called on the main thread after each reply from a commit (in-process followers wake on it). */
  onCommit?: () => void;
}

/** An acknowledged append: its result, and whether that was an earlier append's (a retry stored nothing). */
export interface Committed {
  result: AppendResult;
  retried: boolean;
}

export interface SqliteWriter {
  /** Resolves once the append's COMMIT returned on the writer thread; rejects with the store's own error classes. */
  submit(request: AppendRequest): Promise<Committed>;
  stats(): GroupCommitStats;
  /** Appends submitted through this connection and not yet answered. */
  unanswered(): number;
  /** Waits for every submitted append, closes the write connection and releases the thread. */
  close(): Promise<void>;
}

interface Pending {
  resolve: (committed: Committed) => void;
  reject: (error: unknown) => void;
}

interface Connection {
  pending: Map<number, Pending>;
  /** Appends submitted in this turn, posted together in one message. */
  outbox: Array<{ id: number; request: AppendRequest }>;
  stats: GroupCommitStats;
  onCommit: (() => void) | undefined;
  /** Set when the connection cannot write any more (failed to open, or the thread died). */
  broken: Error | undefined;
  /** Waiting for the thread to confirm the connection closed. */
  closed: ((error?: Error) => void) | undefined;
  idle: Array<() => void>;
}

let thread: Worker | undefined;
/** Requests (opens, appends, closes) the thread has not answered yet: the thread is ref'd while there are any. */
let inFlight = 0;
let lingerTimer: NodeJS.Timeout | undefined;
let nextConn = 1;
let nextAppend = 1;
const connections = new Map<number, Connection>();
const outboxes = new Set<number>();
let flushScheduled = false;

const workerUrl = new URL(import.meta.url.endsWith('.ts') ? './writer-thread.ts' : './writer-thread.js', import.meta.url);

const began = (worker: Worker): void => {
  if (inFlight++ === 0) worker.ref();
};
const ended = (worker: Worker | undefined, count = 1): void => {
  inFlight -= count;
  if (inFlight === 0) worker?.unref();
};

const settleIdle = (connection: Connection): void => {
  if (connection.pending.size > 0 || connection.outbox.length > 0) return;
  const waiters = connection.idle;
  connection.idle = [];
  for (const resolve of waiters) resolve();
};

/** The thread died (a crash, not a deliberate terminate): every connection it served is broken. */
const lost = (worker: Worker, error: Error): void => {
  if (thread !== worker) return;
  thread = undefined;
  inFlight = 0;
  for (const connection of connections.values()) {
    connection.broken = error;
    for (const pending of connection.pending.values()) pending.reject(error);
    connection.pending.clear();
    connection.outbox = [];
    connection.closed?.(error);
    settleIdle(connection);
  }
};

const onMessage = (worker: Worker, message: FromWriter): void => {
  const connection = connections.get(message.conn);
  switch (message.op) {
    case 'opened': {
      ended(worker);
      // The thread answers appends to a connection that failed to open with the same error.
      if (message.error && connection) connection.broken = deserializeError(message.error);
      return;
    }
    case 'appended': {
      ended(worker, message.results.length);
      if (!connection) return;
      connection.stats = message.stats;
      for (const reply of message.results) {
        const pending = connection.pending.get(reply.id);
        if (!pending) continue;
        connection.pending.delete(reply.id);
        if (reply.ok) pending.resolve({ result: reply.result, retried: reply.retried });
        else pending.reject(deserializeError(reply.error));
      }
      connection.onCommit?.();
      settleIdle(connection);
      return;
    }
    case 'closed': {
      ended(worker);
      connection?.closed?.(message.error ? deserializeError(message.error) : undefined);
      return;
    }
  }
};

const startThread = (): Worker => {
  const worker = new Worker(workerUrl);
  worker.unref();
  worker.on('message', (message: FromWriter) => onMessage(worker, message));
  worker.on('error', (error) => lost(worker, error));
  worker.on('exit', (code) => lost(worker, new Error(`the sqlite writer thread exited (code ${code})`)));
  return worker;
};

const acquireThread = (): Worker => {
  if (lingerTimer) {
    clearTimeout(lingerTimer);
    lingerTimer = undefined;
  }
  thread ??= startThread();
  return thread;
};

const releaseThread = (): void => {
  if (connections.size > 0 || !thread || lingerTimer) return;
  lingerTimer = setTimeout(() => {
    lingerTimer = undefined;
    if (connections.size > 0 || !thread) return;
    const worker = thread;
    thread = undefined;
    void worker.terminate();
  }, LINGER_MS);
  lingerTimer.unref();
};

const post = (worker: Worker, message: ToWriter): void => worker.postMessage(message);

/** Posts every store's appends of this turn, one message per store. */
const flushOutboxes = (): void => {
  flushScheduled = false;
  for (const conn of outboxes) {
    const connection = connections.get(conn);
    if (!connection || connection.outbox.length === 0) continue;
    const appends = connection.outbox;
    connection.outbox = [];
    if (!thread || connection.broken) {
      const error = connection.broken ?? new Error('the sqlite writer thread is not running');
      for (const { id } of appends) {
        connection.pending.get(id)?.reject(error);
        connection.pending.delete(id);
      }
      settleIdle(connection);
      continue;
    }
    for (let i = 0; i < appends.length; i++) began(thread);
    post(thread, { op: 'append', conn, appends });
  }
  outboxes.clear();
};

/** The writer thread's id while it runs (for tests and diagnostics), undefined when there is none. */
export const writerThreadId = (): number | undefined => thread?.threadId;

/**
 * A store's write connection on the writer thread. Nothing starts before the first append: a store that only
 * reads (export, verify, rebuild) never starts the thread.
 */
export const openSqliteWriter = (options: WriterOptions): SqliteWriter => {
  const conn = nextConn++;
  const { file, onCommit, ...openOptions } = options;
  const connection: Connection = {
    pending: new Map(),
    outbox: [],
    stats: { commits: 0, appends: 0, events: 0 },
    onCommit,
    broken: undefined,
    closed: undefined,
    idle: [],
  };
  let opened = false;
  let closing: Promise<void> | undefined;
  let closeSent = false;

  return {
    submit(request: AppendRequest): Promise<Committed> {
      if (connection.broken) return Promise.reject(connection.broken);
      if (closeSent) return Promise.reject(new Error('the sqlite event store is closed'));
      if (!opened) {
        opened = true;
        const worker = acquireThread();
        connections.set(conn, connection);
        began(worker);
        post(worker, { op: 'open', conn, file, options: openOptions });
      }
      const id = nextAppend++;
      return new Promise<Committed>((resolve, reject) => {
        connection.pending.set(id, { resolve, reject });
        connection.outbox.push({ id, request });
        outboxes.add(conn);
        if (!flushScheduled) {
          flushScheduled = true;
          // setImmediate runs after the poll phase: every request parsed in this turn joins one message.
          setImmediate(flushOutboxes);
        }
      });
    },

    stats: () => ({ ...connection.stats }),
    unanswered: () => connection.pending.size,

    close(): Promise<void> {
      closing ??= (async () => {
        try {
          // Appends submitted while draining are waited for too: the close goes out only once none is left.
          while (connection.pending.size > 0 || connection.outbox.length > 0) {
            await new Promise<void>((resolve) => {
              connection.idle.push(resolve);
              settleIdle(connection);
            });
          }
          closeSent = true;
          const current = thread;
          if (current && opened) {
            await new Promise<void>((resolve, reject) => {
              connection.closed = (error) => (error ? reject(error) : resolve());
              began(current);
              post(current, { op: 'close', conn });
            });
          }
        } finally {
          if (opened) {
            connections.delete(conn);
            releaseThread();
          }
        }
      })();
      return closing;
    },
  };
};

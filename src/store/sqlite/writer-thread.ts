/**
 * The sqlite writer thread (a `worker_threads` Worker; writer-client.ts starts one per process). It owns the
 * write connection of every store instance of the process (same pragmas as the read side: WAL,
 * synchronous=FULL by default, busy_timeout) and runs the group commit there, so the fsync of each COMMIT
 * blocks this thread and not the service's event loop. Appends that arrive together (one message holds every
 * append a store submitted in one turn of its event loop; messages that queued during a commit are taken
 * together too) share one transaction, each in its own savepoint. A result is posted only after its COMMIT
 * returned.
 */
import { parentPort } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { AppendRequest } from './append-statements.js';
import { createGroupCommit } from './group-commit.js';
import { openStoreDatabase } from './schema.js';
import { serializeError, type FromWriter, type SerializedError, type ToWriter } from './writer-protocol.js';

interface Connection {
  db: Database.Database;
  group: ReturnType<typeof createGroupCommit>;
  queue: Array<{ id: number; request: AppendRequest }>;
}

const port = parentPort;
if (!port) throw new Error('writer-thread.ts runs as a worker thread');

const connections = new Map<number, Connection>();
/** Connections that failed to open: their appends are answered with the error. */
const failed = new Map<number, SerializedError>();
let scheduled = false;

const post = (message: FromWriter): void => port.postMessage(message);

const flushOne = (conn: number, connection: Connection): void => {
  if (connection.queue.length === 0) return;
  const waiting = connection.queue;
  connection.queue = [];
  const outcomes = connection.group.commitAll(waiting.map((w) => w.request));
  post({
    op: 'appended',
    conn,
    results: waiting.map(({ id }, i) => {
      const outcome = outcomes[i]!;
      return outcome.ok
        ? { id, ok: true, result: outcome.result, retried: outcome.retried }
        : { id, ok: false, error: serializeError(outcome.error) };
    }),
    stats: connection.group.stats(),
  });
};

const flush = (): void => {
  scheduled = false;
  for (const [conn, connection] of connections) flushOne(conn, connection);
};

port.on('message', (message: ToWriter) => {
  switch (message.op) {
    case 'open': {
      try {
        const db = openStoreDatabase(message.file, message.options);
        connections.set(message.conn, { db, group: createGroupCommit(db, message.options), queue: [] });
        post({ op: 'opened', conn: message.conn });
      } catch (error) {
        failed.set(message.conn, serializeError(error));
        post({ op: 'opened', conn: message.conn, error: serializeError(error) });
      }
      return;
    }
    case 'append': {
      const connection = connections.get(message.conn);
      if (!connection) {
        const error = failed.get(message.conn) ?? serializeError(new Error('the sqlite event store is closed'));
        post({ op: 'appended', conn: message.conn, results: message.appends.map(({ id }) => ({ id, ok: false, error })), stats: { commits: 0, appends: 0, events: 0 } });
        return;
      }
      connection.queue.push(...message.appends);
      if (!scheduled) {
        scheduled = true;
        // After the messages already queued for this thread: appends that arrived during the last commit join this one.
        setImmediate(flush);
      }
      return;
    }
    case 'close': {
      const connection = connections.get(message.conn);
      failed.delete(message.conn);
      try {
        if (connection) {
          flushOne(message.conn, connection);
          connections.delete(message.conn);
          connection.db.close();
        }
        post({ op: 'closed', conn: message.conn });
      } catch (error) {
        post({ op: 'closed', conn: message.conn, error: serializeError(error) });
      }
      return;
    }
  }
});

import { EventEmitter, once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventMetadata } from '../../events/envelope.js';
import type { AppendResult, EventStore, ExpectedRevision, FollowOptions, NewEvent, RecordedEvent } from '../event-store.js';
import { validateAppend } from '../validate-append.js';
import type { SerializedEvent } from './append-statements.js';
import { fromPosition, toPosition } from './positions.js';
import { openStoreDatabase, type OpenOptions } from './schema.js';
import { openSqliteWriter } from './writer-client.js';

export interface SqliteStoreOptions extends OpenOptions {
  /** Path of the database file (`DATA_DIR/events.sqlite` in the service). */
  file: string;
  /** How often a live follower checks for commits made by other processes. */
  pollIntervalMs?: number;
  maxEventsPerCommit?: number;
}

interface EventRow {
  position: number;
  id: string;
  stream: string;
  revision: number;
  type: string;
  data: string;
  metadata: string;
}

const toRecorded = (row: EventRow): RecordedEvent => ({
  id: row.id,
  type: row.type,
  stream: row.stream,
  revision: row.revision,
  data: JSON.parse(row.data) as unknown,
  metadata: JSON.parse(row.metadata) as EventMetadata,
  position: toPosition(row.position),
});

/**
 * The embedded default store (design §3): one SQLite file in WAL mode, durable on acknowledge. Reads, `follow`
 * and `PRAGMA data_version` use a connection on the calling thread; appends go to the process's writer thread
 * (writer-client.ts), which owns this store's write connection and group-commits there.
 */
export interface SqliteEventStore extends EventStore {
  readonly file: string;
  /** Durable commits made and appends/events they acknowledged (group commit shares one commit). */
  stats(): { commits: number; appends: number; events: number };
}

export const createSqliteEventStore = (options: SqliteStoreOptions): SqliteEventStore => {
  const db = openStoreDatabase(options.file, options);
  const pollIntervalMs = options.pollIntervalMs ?? 20;
  const commits = new EventEmitter();
  commits.setMaxListeners(0);
  const writer = openSqliteWriter({
    file: options.file,
    ...(options.synchronous ? { synchronous: options.synchronous } : {}),
    ...(options.busyTimeoutMs !== undefined ? { busyTimeoutMs: options.busyTimeoutMs } : {}),
    ...(options.maxEventsPerCommit !== undefined ? { maxEventsPerCommit: options.maxEventsPerCommit } : {}),
    onCommit: () => commits.emit('commit'),
  });
  const closing = new AbortController();
  let closed = false;
  let closingDown: Promise<void> | undefined;

  const readStreamStmt = db.prepare<[string, number, number], EventRow>(
    'SELECT * FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?',
  );
  const readAllStmt = db.prepare<[number, number], EventRow>('SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?');
  const dataVersion = db.prepare('PRAGMA data_version').pluck();

  const assertOpen = () => {
    if (closed) throw new Error('the sqlite event store is closed');
  };

  const readPage = (afterRowid: number, maxCount: number): RecordedEvent[] => readAllStmt.all(afterRowid, maxCount).map(toRecorded);

  /**
   * Resolves on the next local commit, on a commit by another connection (seen through
   * `PRAGMA data_version`, polled), or when the follow is stopped.
   */
  const changes = async (signal: AbortSignal): Promise<void> => {
    if (signal.aborted) return;
    const seen = dataVersion.get();
    // Both waits end as soon as either one does: a poller left running after a local commit woke the follower
    // would keep polling (its own commits never change this connection's data_version), one more per wake-up.
    const settled = new AbortController();
    const stop = () => settled.abort();
    signal.addEventListener('abort', stop, { once: true });
    const local = once(commits, 'commit', { signal: settled.signal }).catch(() => undefined);
    const external = (async () => {
      while (!settled.signal.aborted) {
        await sleep(pollIntervalMs, undefined, { signal: settled.signal }).catch(() => undefined);
        if (closed || settled.signal.aborted || dataVersion.get() !== seen) return;
      }
    })();
    try {
      await Promise.race([local, external]);
    } finally {
      signal.removeEventListener('abort', stop);
      settled.abort();
    }
  };

  return {
    kind: 'sqlite',
    file: options.file,
    stats: writer.stats,

    async append(stream: string, events: readonly NewEvent[], appendOptions?: { expectedRevision?: ExpectedRevision }): Promise<AppendResult> {
      assertOpen();
      const expectedRevision = appendOptions?.expectedRevision ?? 'any';
      validateAppend(stream, events, expectedRevision);
      // Serialized here, as they will be stored: the writer thread receives text, cheap to pass between threads.
      const serialized: SerializedEvent[] = events.map((event) => ({
        id: event.id,
        type: event.type,
        data: JSON.stringify(event.data),
        metadata: JSON.stringify(event.metadata),
      }));
      return writer.submit({ stream, events: serialized, expectedRevision });
    },

    async readStream(stream, readOptions = {}) {
      assertOpen();
      return readStreamStmt
        .all(stream, readOptions.fromRevision ?? 0, readOptions.maxCount ?? Number.MAX_SAFE_INTEGER)
        .map(toRecorded);
    },

    async readAll(readOptions = {}) {
      assertOpen();
      return readPage(fromPosition(readOptions.after), readOptions.maxCount ?? 1000);
    },

    async *follow(followOptions: FollowOptions = {}) {
      assertOpen();
      const batchSize = followOptions.batchSize ?? 1000;
      const signal = followOptions.signal ? AbortSignal.any([followOptions.signal, closing.signal]) : closing.signal;
      let after = fromPosition(followOptions.after);
      while (!signal.aborted) {
        const page = readPage(after, batchSize);
        if (page.length > 0) {
          after = fromPosition(page[page.length - 1]!.position);
          yield page;
          continue;
        }
        await changes(signal);
      }
    },

    close() {
      closingDown ??= (async () => {
        try {
          await writer.close();
        } finally {
          closed = true;
          closing.abort();
          db.close();
        }
      })();
      return closingDown;
    },
  };
};

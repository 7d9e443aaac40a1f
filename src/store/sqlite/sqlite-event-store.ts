import { EventEmitter } from 'node:events';
import { canonicalJson } from '../../canonical/canonical-json.js';
import { attachCanonicalPayload } from '../../canonical/stored-text.js';
import type { EventMetadata } from '../../events/envelope.js';
import { UNREAD_METADATA, type AppendResult, type EventStore, type ExpectedRevision, type FollowOptions, type NewEvent, type RecordedEvent } from '../event-store.js';
import { validateAppend } from '../validate-append.js';
import type { SerializedEvent } from './append-statements.js';
import { fromPosition, toPosition } from './positions.js';
import { openStoreDatabase, storesCanonicalPayloads, type OpenOptions } from './schema.js';
import { openSqliteWriter } from './writer-client.js';

export interface SqliteStoreOptions extends OpenOptions {
  /** Path of the database file (`DATA_DIR/events.sqlite` in the service). */
  file: string;
  /** How often a live follower checks for commits made by other processes. */
  pollIntervalMs?: number;
  maxEventsPerCommit?: number;
}

/**
 * A row of `events` as `EVENT_COLUMNS` lists them, read in better-sqlite3's raw mode (an array per row): building an
 * object per row there costs more than the arrays (≈ 1.3 µs an event, 17 % of reading and parsing a page of the log).
 */
type EventRow = [position: number, id: string, stream: string, revision: number, type: string, data: string, metadata: string];
const EVENT_COLUMNS = 'position, id, stream, revision, type, data, metadata';
/** A row of `EVENT_COLUMNS_WITHOUT_METADATA`: `EventRow` without its last column. */
type EventRowWithoutMetadata = [position: number, id: string, stream: string, revision: number, type: string, data: string];
const EVENT_COLUMNS_WITHOUT_METADATA = 'position, id, stream, revision, type, data';

const recordedOf = (row: EventRow | EventRowWithoutMetadata, metadata: EventMetadata): RecordedEvent => ({
  id: row[1],
  type: row[4],
  stream: row[2],
  revision: row[3],
  data: JSON.parse(row[5]) as unknown,
  metadata,
  position: toPosition(row[0]),
});
const toRecorded = (row: EventRow): RecordedEvent => recordedOf(row, JSON.parse(row[6]) as EventMetadata);
const toRecordedWithoutMetadata = (row: EventRowWithoutMetadata): RecordedEvent => recordedOf(row, UNREAD_METADATA);

/** As `toRecorded`, with the row's canonical text attached for the transparency log (stored-text.ts). */
const toRecordedWithText = (row: EventRow): RecordedEvent => attachCanonicalPayload(toRecorded(row), { data: row[5], metadata: row[6] });

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

  const readStreamStmt = db
    .prepare<[string, number, number], EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?`)
    .raw(true);
  const readAllStmt = db.prepare<[number, number], EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`).raw(true);
  const readAllWithoutMetadataStmt = db
    .prepare<[number, number], EventRowWithoutMetadata>(`SELECT ${EVENT_COLUMNS_WITHOUT_METADATA} FROM events WHERE position > ? ORDER BY position LIMIT ?`)
    .raw(true);
  const dataVersion = db.prepare('PRAGMA data_version').pluck();

  const assertOpen = () => {
    if (closed) throw new Error('the sqlite event store is closed');
  };

  /** Read once: a file is marked when created empty (schema.ts), and the mark never goes. */
  const canonicalRows = storesCanonicalPayloads(db);
  const recordedFromRow = canonicalRows ? toRecordedWithText : toRecorded;
  const readPage = (afterRowid: number, maxCount: number, canonicalText = true): RecordedEvent[] =>
    readAllStmt.all(afterRowid, maxCount).map(canonicalText ? recordedFromRow : toRecorded);

  /**
   * Events this store appended, by position, kept only while a `follow` is live: the in-process follower takes
   * them from here instead of reading back and parsing the rows it was just told about. Filled once the commit
   * returned, from the same JSON text the thread stored (parsed, so each is exactly what a read returns). A
   * follow takes position p + 1 after p from here only if it is here; positions are never reused, so that is the
   * next event of the global order whoever wrote it, and any gap (another process's commit, a commit whose
   * results have not arrived yet) is read from the file as before.
   */
  const appended = new Map<number, { event: RecordedEvent; bytes: number }>();
  /** Bounds on what is kept for a follow that fell behind (it reads from the file then). */
  const MAX_APPENDED_EVENTS = 10_000;
  const MAX_APPENDED_BYTES = 16 * 2 ** 20;
  let appendedBytes = 0;
  let liveFollows = 0;
  /** The furthest position a live follow has passed: what lies at or before it is needed by none. */
  let followedUpTo = 0;

  const forget = (position: number): void => {
    const entry = appended.get(position);
    if (!entry) return;
    appended.delete(position);
    appendedBytes -= entry.bytes;
  };

  const remember = (stream: string, serialized: readonly SerializedEvent[], result: AppendResult): void => {
    result.events.forEach(({ revision, position }, i) => {
      const rowid = fromPosition(position);
      if (rowid <= followedUpTo) return; // already read from the file (woken by the poll before this reply came)
      const event = serialized[i]!;
      const bytes = event.data.length + event.metadata.length;
      const recorded: RecordedEvent = {
        id: event.id,
        type: event.type,
        stream,
        revision,
        data: JSON.parse(event.data) as unknown,
        metadata: JSON.parse(event.metadata) as EventMetadata,
        position,
      };
      appended.set(rowid, { event: canonicalRows ? attachCanonicalPayload(recorded, event) : recorded, bytes });
      appendedBytes += bytes;
    });
    for (const rowid of appended.keys()) {
      if (appended.size <= MAX_APPENDED_EVENTS && appendedBytes <= MAX_APPENDED_BYTES) break;
      forget(rowid);
    }
  };

  /** The events right after `afterRowid` this store appended, as far as they run without a gap. */
  const takeAppended = (afterRowid: number, maxCount: number): RecordedEvent[] => {
    const page: RecordedEvent[] = [];
    for (let rowid = afterRowid + 1; page.length < maxCount; rowid++) {
      const entry = appended.get(rowid);
      if (!entry) break;
      forget(rowid);
      page.push(entry.event);
    }
    return page;
  };

  /**
   * Resolves on the next local commit, on a commit by another connection (`PRAGMA data_version` polled until it
   * differs from `seen`, taken before the follow's last read), or when the follow is stopped. Whichever comes
   * first ends the others: a poll left running after a local commit woke the follower would keep going, one more
   * per wake-up.
   */
  const changes = (signal: AbortSignal, seen: unknown): Promise<void> => {
    if (signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(timer);
        commits.off('commit', done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      // While this store's own appends await their answer, a changed data_version is most likely their commit:
      // waiting for the answer lets the follow take those events from memory instead of reading them back from the
      // file. Another process's commit is then read right after the answer (the 'commit' event), a moment later.
      const poll = () => {
        if (closed || (dataVersion.get() !== seen && writer.unanswered() === 0)) done();
        else timer = setTimeout(poll, pollIntervalMs);
      };
      commits.on('commit', done);
      signal.addEventListener('abort', done, { once: true });
      timer = setTimeout(poll, pollIntervalMs);
    });
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
      // RFC 8785 canonical text, so the transparency log hashes it as it is (schema.ts, stored-text.ts).
      const serialized: SerializedEvent[] = events.map((event) => ({
        id: event.id,
        type: event.type,
        data: canonicalJson(event.data),
        metadata: canonicalJson(event.metadata),
      }));
      const { result, retried } = await writer.submit({ stream, events: serialized, expectedRevision });
      // A retry's result names the events stored by the first append, whose content may differ from these.
      if (liveFollows > 0 && !retried) remember(stream, serialized, result);
      return result;
    },

    async readStream(stream, readOptions = {}) {
      assertOpen();
      return readStreamStmt
        .all(stream, readOptions.fromRevision ?? 0, readOptions.maxCount ?? Number.MAX_SAFE_INTEGER)
        .map(toRecorded);
    },

    async readAll(readOptions = {}) {
      assertOpen();
      const after = fromPosition(readOptions.after);
      const maxCount = readOptions.maxCount ?? 1000;
      if (readOptions.metadata === false) return readAllWithoutMetadataStmt.all(after, maxCount).map(toRecordedWithoutMetadata);
      return readPage(after, maxCount, readOptions.canonicalText);
    },

    async *follow(followOptions: FollowOptions = {}) {
      assertOpen();
      const batchSize = followOptions.batchSize ?? 1000;
      const signal = followOptions.signal ? AbortSignal.any([followOptions.signal, closing.signal]) : closing.signal;
      let after = fromPosition(followOptions.after);
      liveFollows += 1;
      /** Whether the last wait was for this store's own answers, entered without reading the file first. */
      let deferred = false;
      try {
        while (!signal.aborted) {
          const local = takeAppended(after, batchSize);
          // Taken before the read: a commit by another connection between the read and the wait still wakes it.
          const version = local.length > 0 ? undefined : dataVersion.get();
          // Nothing here, but this store's appends await their answers: their rows may be in the file already (the
          // writer thread committed them; its answer is on its way), and reading them now would parse back what the
          // answer brings. Wait for it once; after that wait, the file is read as usual (another process's rows, a gap).
          if (local.length === 0 && !deferred && writer.unanswered() > 0) {
            deferred = true;
            await changes(signal, version);
            continue;
          }
          deferred = false;
          const page = local.length > 0 ? local : readPage(after, batchSize, followOptions.canonicalText);
          if (page.length > 0) {
            after = fromPosition(page[page.length - 1]!.position);
            followedUpTo = Math.max(followedUpTo, after);
            yield page;
            continue;
          }
          await changes(signal, version);
        }
      } finally {
        if (--liveFollows === 0) {
          appended.clear();
          appendedBytes = 0;
        }
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

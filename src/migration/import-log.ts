import type { EventStore } from '../store/event-store.js';
import { hashEquals, toHex } from '../transparency/hashing.js';
import { checkLog } from './check-log.js';
import { ImportError } from './import-error.js';
import type { LineSource } from './lines.js';
import { summarizeStore, type LogSummary } from './log-summary.js';
import { writeLog, type WriteOptions } from './write-log.js';

export { ImportError } from './import-error.js';

export interface ImportProgress {
  phase: 'check' | 'write' | 'verify';
  done: number;
  /** Known once the file has been checked. */
  total?: number;
}

export interface ImportOptions extends Omit<WriteOptions, 'onWritten'> {
  onProgress?: (progress: ImportProgress) => void;
}

export interface ImportSummary extends LogSummary {
  /** What the target store holds afterwards, read back from it (equal to the file's summary, or the import fails). */
  store: LogSummary;
}

/** The target store must be empty: an import reproduces seq numbers only from seq 0. */
export const assertEmpty = async (store: Pick<EventStore, 'readAll'>): Promise<void> => {
  const [first] = await store.readAll({ maxCount: 1 });
  if (first) {
    throw new ImportError(
      `the target store is not empty (it holds event ${first.id} of stream ${first.stream}, and maybe more); import only into an empty store`,
      0,
      0,
    );
  }
};

/**
 * Imports an export (see export-log.ts) into an empty store so that the store's global order — and so every seq
 * and the transparency log's root — is the file's. Validate, then write: the whole file is checked first
 * (`checkLog`), nothing is written when any line is bad. Events are appended in seq order, consecutive events of
 * one stream in one append, each append expecting the stream's previous revision (or `no_stream`), so an order
 * the file does not have can never be written silently. The sqlite adapter commits appends in submission order,
 * so a window of appends is kept in flight and group commit batches them; other adapters get one append at a
 * time, since their global order is the order appends arrive. Finally the store is read back and its root must
 * equal the file's.
 */
export const importLog = async (store: EventStore, source: LineSource, options: ImportOptions = {}): Promise<ImportSummary> => {
  const progress = options.onProgress;
  await assertEmpty(store);
  const file = await checkLog(source, { onProgress: ({ done }) => progress?.({ phase: 'check', done }) });
  await assertEmpty(store);
  await writeLog(store, source, { ...options, onWritten: (done) => progress?.({ phase: 'write', done, total: file.count }) });
  const stored = await summarizeStore(store, { onProgress: ({ done }) => progress?.({ phase: 'verify', done, total: file.count }) });
  if (stored.count !== file.count || !hashEquals(stored.root, file.root)) {
    throw new ImportError(
      `the store does not reproduce the file: it holds ${stored.count} events with root ${toHex(stored.root)}, ` +
        `the file ${file.count} with root ${toHex(file.root)} (did something else write to the store, or the file change, during the import?)`,
      stored.count,
      0,
    );
  }
  return { ...file, store: stored };
};

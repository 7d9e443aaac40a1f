import type { EventStore, NewEvent } from '../store/event-store.js';
import { createAppendPipeline, type AppendGroup } from './append-pipeline.js';
import { isBlank } from './check-log.js';
import { ImportError } from './import-error.js';
import { openLines, type LineSource } from './lines.js';
import { createLogValidator, parseLogLine } from './log-line.js';

export interface WriteOptions {
  /** Upper bound on events in one append (consecutive events of one stream share an append). Default 500. */
  maxEventsPerAppend?: number;
  /** Upper bound on JSON characters in one append; a larger single event is appended alone. Default 4 MiB for
   * sqlite, 512 KiB otherwise (EventStoreDB refuses appends above its MaxAppendSize, 1 MiB by default). */
  maxBytesPerAppend?: number;
  /** sqlite only: events submitted at once (one group commit), default 2000, and at most in flight, default 3×. */
  burstEvents?: number;
  maxEventsInFlight?: number;
  onWritten?: (committed: number) => void;
}

/**
 * Writes an already checked export into the store, in seq order (see importLog). The lines are read and checked
 * again as they are written, so that a file changed since its check cannot write anything out of order. Throws an
 * ImportError saying how far it got when an append fails.
 */
export const writeLog = async (store: EventStore, source: LineSource, options: WriteOptions = {}): Promise<number> => {
  const ordered = store.kind === 'sqlite';
  const maxEvents = options.maxEventsPerAppend ?? 500;
  const maxBytes = options.maxBytesPerAppend ?? (ordered ? 4 * 1024 * 1024 : 512 * 1024);
  const burstEvents = ordered ? (options.burstEvents ?? 2000) : 0;
  const pipeline = createAppendPipeline(store, {
    burstEvents,
    windowEvents: ordered ? (options.maxEventsInFlight ?? 3 * burstEvents) : 0,
    onCommitted: options.onWritten,
  });

  const validator = createLogValidator();
  let group: AppendGroup | undefined;
  let line = 0;
  let readError: unknown;
  try {
    for await (const text of openLines(source)) {
      line += 1;
      if (isBlank(text)) continue;
      const entry = parseLogLine(text, line);
      const expectedRevision = validator.accept(entry, line);
      if (group && (group.stream !== entry.stream || group.events.length >= maxEvents || group.bytes + text.length > maxBytes)) {
        await pipeline.add(group);
        group = undefined;
        if (pipeline.failed) break;
      }
      group ??= { stream: entry.stream, events: [], expectedRevision, firstSeq: entry.seq, firstLine: line, bytes: 0 };
      group.events.push({ id: entry.id, type: entry.type, data: entry.data, metadata: entry.metadata as NewEvent['metadata'] });
      group.bytes += text.length;
    }
    if (group) await pipeline.add(group);
  } catch (error) {
    readError = error;
  }
  const { committed, stray, failure } = await pipeline.finish();
  if (failure === undefined && readError === undefined) return committed;

  const where = failure
    ? `appending line ${failure.group.firstLine} (seq ${failure.group.firstSeq}, stream ${failure.group.stream}) failed: ${
        failure.error instanceof Error ? failure.error.message : String(failure.error)
      }`
    : `reading the file again to write it failed (did it change since it was checked?): ${(readError as Error).message}`;
  const holds = committed === 0 ? 'none of the events' : `seq 0…${committed - 1} (${committed} events) in order`;
  throw new ImportError(
    `import stopped: ${where}. The store holds ${holds}${stray > 0 ? `, plus ${stray} events appended after that point concurrently` : ''}. ` +
      'It is not a complete copy: import again into a new, empty store.',
    committed,
    stray,
  );
};

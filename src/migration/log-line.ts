/**
 * One line of an export file: the JSON of `{ seq, id, stream, revision, type, data, metadata }` — exactly the
 * object the transparency log hashes into leaf `seq` (design §6, src/transparency/leaf.ts). Parsing checks the
 * line on its own; `createLogValidator` checks that it continues the lines before it.
 */
import { ValidationError } from '../errors.js';
import type { ExpectedRevision } from '../store/event-store.js';
import { validateAppend } from '../store/validate-append.js';
import type { LogEntry } from '../transparency/leaf.js';

/** A line of an export file that cannot be imported; `line` is 1-based. */
export class LogLineError extends Error {
  override readonly name = 'LogLineError';
  constructor(
    readonly line: number,
    detail: string,
  ) {
    super(`line ${line}: ${detail}`);
  }
}

const FIELDS = ['seq', 'id', 'stream', 'revision', 'type', 'data', 'metadata'] as const;
const FIELD_SET = new Set<string>(FIELDS);

const isIndex = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

const abbreviate = (text: string): string => (text.length > 60 ? `${text.slice(0, 60)}…` : text);

/** The line as an entry, or a LogLineError saying what is wrong with it (JSON, fields, their types). */
export const parseLogLine = (text: string, line: number): LogEntry => {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new LogLineError(line, `not valid JSON (${(error as Error).message}): ${JSON.stringify(abbreviate(text))}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new LogLineError(line, 'not a JSON object');
  const record = value as Record<string, unknown>;
  const unknown = Object.keys(record).find((key) => !FIELD_SET.has(key));
  if (unknown !== undefined) throw new LogLineError(line, `unknown field ${JSON.stringify(unknown)} (an entry has exactly ${FIELDS.join(', ')})`);
  const missing = FIELDS.find((field) => !(field in record));
  if (missing !== undefined) throw new LogLineError(line, `field ${missing} is missing`);
  const { seq, id, stream, revision, type, data, metadata } = record;
  if (!isIndex(seq)) throw new LogLineError(line, `seq must be a non-negative integer, got ${JSON.stringify(seq)}`);
  if (!isIndex(revision)) throw new LogLineError(line, `revision must be a non-negative integer, got ${JSON.stringify(revision)}`);
  if (typeof id !== 'string' || typeof stream !== 'string' || typeof type !== 'string') {
    throw new LogLineError(line, 'id, stream and type must be strings');
  }
  return { seq, id, stream, revision, type, data, metadata };
};

/**
 * Checks that entries continue the log in order: `seq` dense from 0, each stream's `revision` dense from 0, every
 * id used once, and each event acceptable to every store adapter (`validateAppend`) with the
 * `metadata.recordedAt` the follower needs. Data and the rest of the metadata are copied as they are, not judged. `accept`
 * returns the expected revision its append must carry: `no_stream` for a stream's first event, else the previous one.
 */
export const createLogValidator = () => {
  let nextSeq = 0;
  const lastRevision = new Map<string, number>();
  const ids = new Set<string>();

  return {
    /** Number of entries accepted so far. */
    get count(): number {
      return nextSeq;
    },
    accept(entry: LogEntry, line: number): ExpectedRevision {
      if (entry.seq !== nextSeq) {
        throw new LogLineError(line, `seq ${entry.seq} where ${nextSeq} was expected (seq is dense from 0, one entry per line in order)`);
      }
      const previous = lastRevision.get(entry.stream);
      const expectedRevision = previous === undefined ? 0 : previous + 1;
      if (entry.revision !== expectedRevision) {
        throw new LogLineError(
          line,
          `stream ${entry.stream} has revision ${entry.revision} where ${expectedRevision} was expected (revisions are dense from 0 in each stream)`,
        );
      }
      const expected: ExpectedRevision = previous === undefined ? 'no_stream' : previous;
      try {
        validateAppend(entry.stream, [{ id: entry.id, type: entry.type, data: entry.data, metadata: entry.metadata as never }], expected);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        const fields = (error.errors ?? []).map((e) => `${e.path.replace(/^events\.0\./, '')}: ${e.message}`);
        throw new LogLineError(line, `not a storable event (${fields.join('; ')})`);
      }
      const metadata = entry.metadata as { recordedAt?: unknown } | null;
      if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata) || typeof metadata.recordedAt !== 'string') {
        // The follower records `metadata.recordedAt` for every seq (time travel); an event without it stalls the log.
        throw new LogLineError(line, 'metadata must be an object with a recordedAt string');
      }
      if (ids.has(entry.id)) throw new LogLineError(line, `event id ${entry.id} appears on an earlier line too`);
      ids.add(entry.id);
      lastRevision.set(entry.stream, entry.revision);
      nextSeq += 1;
      return expected;
    },
  };
};

import type Database from 'better-sqlite3';
import { ConcurrencyConflictError, DuplicateEventError } from '../../errors.js';
import type { AppendResult, ExpectedRevision } from '../event-store.js';
import { toPosition } from './positions.js';

/** An event as the writer thread receives it: `data` and `metadata` already JSON text, as they are stored. */
export interface SerializedEvent {
  id: string;
  type: string;
  data: string;
  metadata: string;
}

export interface AppendRequest {
  stream: string;
  events: readonly SerializedEvent[];
  expectedRevision: ExpectedRevision;
}

const DIFFERENT_APPEND = 'already stored as part of a different append';

/**
 * The body of one append, run inside a write transaction the caller owns (see group-commit.ts).
 * It either inserts every event of the request or throws, leaving the caller to roll back to its
 * savepoint. A retry of an append that already succeeded (same ids, same stream) returns the
 * original result instead of a conflict, whatever revision it expected.
 */
export const createAppendStatements = (db: Database.Database) => {
  const lastRevision = db.prepare<[string], { revision: number }>(
    'SELECT revision FROM events WHERE stream = ? ORDER BY revision DESC LIMIT 1',
  );
  const insert = db.prepare<[string, string, number, string, string, string]>(
    'INSERT INTO events (id, stream, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const byId = db.prepare<[string], { stream: string; revision: number; position: number }>(
    'SELECT stream, revision, position FROM events WHERE id = ?',
  );

  /** The stored result of an earlier append of exactly these ids, or undefined when none was stored. */
  const previousResult = (request: AppendRequest): AppendResult | undefined => {
    const stored = request.events.map((event) => byId.get(event.id));
    if (stored.every((row) => row === undefined)) return undefined;
    const first = stored[0];
    const sameBatch =
      first !== undefined &&
      stored.every((row, i) => row !== undefined && row.stream === request.stream && row.revision === first.revision + i);
    if (!sameBatch) {
      const clash = request.events.find((_, i) => stored[i] !== undefined);
      throw new DuplicateEventError(clash?.id ?? '?', DIFFERENT_APPEND);
    }
    const rows = stored as Array<{ stream: string; revision: number; position: number }>;
    const last = rows[rows.length - 1]!;
    return {
      stream: request.stream,
      nextRevision: last.revision,
      position: toPosition(last.position),
      events: rows.map((row, i) => ({ id: request.events[i]!.id, revision: row.revision, position: toPosition(row.position) })),
    };
  };

  const meetsExpectation = (expected: ExpectedRevision, actual: number | null): boolean => {
    if (expected === 'any') return true;
    if (expected === 'no_stream') return actual === null;
    if (expected === 'exists') return actual !== null;
    return actual === expected;
  };

  /** The append's result, and whether it was an earlier append's (a retry stores nothing new). */
  return (request: AppendRequest): { result: AppendResult; retried: boolean } => {
    const actual = lastRevision.get(request.stream)?.revision ?? null;
    if (!meetsExpectation(request.expectedRevision, actual)) {
      const retried = previousResult(request);
      if (retried) return { result: retried, retried: true };
      throw new ConcurrencyConflictError(request.stream, String(request.expectedRevision), actual);
    }
    let revision = actual ?? -1;
    const events: Array<{ id: string; revision: number; position: ReturnType<typeof toPosition> }> = [];
    try {
      for (const event of request.events) {
        revision += 1;
        const info = insert.run(event.id, request.stream, revision, event.type, event.data, event.metadata);
        events.push({ id: event.id, revision, position: toPosition(info.lastInsertRowid) });
      }
    } catch (error) {
      // Only the id can clash: the revision was read under the write lock this transaction holds.
      if ((error as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE') throw error;
      // Events of this request went in before the clash: not a retry (that clashes on its first event), and the
      // rows just inserted must not be taken for stored ones. The clash is the event that failed.
      if (events.length > 0) throw new DuplicateEventError(request.events[events.length]!.id, DIFFERENT_APPEND);
      const retried = previousResult(request);
      if (retried) {
        // The caller rolls back to its savepoint only on a throw: undo the partial inserts here.
        throw new RetriedAppend(retried);
      }
      throw error;
    }
    const last = events[events.length - 1]!;
    return { result: { stream: request.stream, nextRevision: last.revision, position: last.position, events }, retried: false };
  };
};

/** Thrown out of a savepoint so that partial inserts roll back, then turned into a success by the caller. */
export class RetriedAppend extends Error {
  constructor(readonly result: AppendResult) {
    super('append already stored');
  }
}

import { ConcurrencyConflictError, DuplicateEventError } from '../../errors.js';
import type { AppendResult } from '../event-store.js';
import type { AppendRequest } from './append-statements.js';
import type { GroupCommitStats } from './group-commit.js';
import type { OpenOptions } from './schema.js';

/**
 * Messages between a process's sqlite stores and their writer thread (writer-thread.ts). Each store instance
 * has its own write connection in the thread, named by `conn`; each append its `id`.
 */
export type ToWriter =
  | { op: 'open'; conn: number; file: string; options: OpenOptions & { maxEventsPerCommit?: number } }
  | { op: 'append'; conn: number; appends: Array<{ id: number; request: AppendRequest }> }
  | { op: 'close'; conn: number };

export type FromWriter =
  | { op: 'opened'; conn: number; error?: SerializedError }
  | { op: 'appended'; conn: number; results: AppendReply[]; stats: GroupCommitStats }
  | { op: 'closed'; conn: number; error?: SerializedError };

export type AppendReply = { id: number; ok: true; result: AppendResult; retried: boolean } | { id: number; ok: false; error: SerializedError };

/** An error crossing the thread boundary: the store's own errors keep their class and fields. */
export type SerializedError =
  | { kind: 'conflict'; stream: string; expected: string; actual: number | null }
  | { kind: 'duplicate'; eventId: string; reason: string }
  | { kind: 'error'; name: string; message: string; code?: string; stack?: string };

export const serializeError = (error: unknown): SerializedError => {
  if (error instanceof ConcurrencyConflictError) {
    return { kind: 'conflict', stream: error.stream, expected: error.expected, actual: error.actual };
  }
  if (error instanceof DuplicateEventError) return { kind: 'duplicate', eventId: error.eventId, reason: error.reason };
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { kind: 'error', name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}), ...(error.stack ? { stack: error.stack } : {}) };
  }
  return { kind: 'error', name: 'Error', message: String(error) };
};

export const deserializeError = (error: SerializedError): Error => {
  if (error.kind === 'conflict') return new ConcurrencyConflictError(error.stream, error.expected, error.actual);
  if (error.kind === 'duplicate') return new DuplicateEventError(error.eventId, error.reason);
  const revived = new Error(error.message) as Error & { code?: string };
  revived.name = error.name;
  if (error.code !== undefined) revived.code = error.code;
  if (error.stack !== undefined) revived.stack = `${error.stack}\n    at (the sqlite writer thread)`;
  return revived;
};

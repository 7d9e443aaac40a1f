import { ErrorType, isCommandError, type CommandError } from '@eventstore/db-client';
import { ConcurrencyConflictError } from '../../errors.js';
import type { ExpectedRevision } from '../event-store.js';
import { UnmappableRecordError, toRevisionNumber } from './mapping.js';

const asCommandError = (error: unknown): CommandError | undefined =>
  error instanceof Error && isCommandError(error) ? error : undefined;

/** `WrongExpectedVersionError.actualVersion` is a bigint revision, or `"no_stream"` (older servers: -1). */
const actualRevision = (actual: bigint | 'no_stream'): number | null =>
  typeof actual === 'bigint' && actual >= 0n ? toRevisionNumber(actual) : null;

/** Turns the client's wrong-expected-version error into ours; anything else is returned as it is. */
export const toAppendError = (error: unknown, stream: string, expected: ExpectedRevision): unknown => {
  const commandError = asCommandError(error);
  if (commandError?.type === ErrorType.WRONG_EXPECTED_VERSION) {
    return new ConcurrencyConflictError(stream, String(expected), actualRevision(commandError.actualVersion));
  }
  return error;
};

/** A missing stream is reported while iterating the read, not when it starts. */
export const isStreamNotFound = (error: unknown): boolean => asCommandError(error)?.type === ErrorType.STREAM_NOT_FOUND;

const PERMANENT: ReadonlySet<ErrorType> = new Set([
  ErrorType.ACCESS_DENIED,
  ErrorType.INVALID_ARGUMENT,
  ErrorType.UNSUPPORTED,
  ErrorType.STREAM_DELETED,
]);

/**
 * Whether a follow should resubscribe after this error. Connection trouble (unavailable, cancelled by the
 * server, deadline, not leader, unknown gRPC failures, a failed discovery) is retried; a refusal the server
 * will repeat (access denied, invalid argument) and a record we cannot map are not.
 */
export const isRetryable = (error: unknown): boolean => {
  if (error instanceof UnmappableRecordError) return false;
  const commandError = asCommandError(error);
  if (commandError) return !PERMANENT.has(commandError.type);
  // Plain errors come from the connection (e.g. a failed discovery); these three are programming errors.
  return error instanceof Error && !(error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError);
};

import type { Position as ClientPosition } from '@eventstore/db-client';
import type { Position } from '../event-store.js';

/**
 * EventStoreDB positions in `$all` are two unsigned 64-bit numbers, `{ commit, prepare }`. They travel through
 * our interface as the string `"<commit>/<prepare>"` (decimal) and are only ever handled as bigints here:
 * a JS number would silently round them past 2^53.
 */
export type EsdbPosition = ClientPosition;

const MAX_U64 = (1n << 64n) - 1n;
const FORMAT = /^(0|[1-9][0-9]{0,19})\/(0|[1-9][0-9]{0,19})$/;

export const encodePosition = (position: EsdbPosition): Position => `${position.commit}/${position.prepare}` as Position;

export const decodePosition = (position: Position | string): EsdbPosition => {
  const match = FORMAT.exec(position);
  const commit = match ? BigInt(match[1]!) : -1n;
  const prepare = match ? BigInt(match[2]!) : -1n;
  if (commit < 0n || prepare < 0n || commit > MAX_U64 || prepare > MAX_U64) {
    throw new Error(`not an eventstoredb store position: ${JSON.stringify(position)}`);
  }
  return { commit, prepare };
};

/** Order of `$all`: by commit position, then prepare position. */
export const comparePositions = (a: EsdbPosition, b: EsdbPosition): -1 | 0 | 1 => {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
};

/** True when `position` comes strictly after `after` (an undefined `after` is the start of `$all`). */
export const isAfter = (position: EsdbPosition, after: EsdbPosition | undefined): boolean =>
  after === undefined || comparePositions(position, after) > 0;

/**
 * The server writes "no position" as -1, which reaches the client as 2^64 - 1 (`Position.FromInt64(-1, -1)`
 * in the server's read path); the client leaves `position` undefined only when the field is absent.
 */
export const isKnownPosition = (position: EsdbPosition | undefined): position is EsdbPosition =>
  position !== undefined && position.commit !== MAX_U64 && position.prepare !== MAX_U64;

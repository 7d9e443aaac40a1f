import type { Position } from '../event-store.js';

/** sqlite positions are the events table's rowid, written as a decimal string. */
export const toPosition = (rowid: number | bigint): Position => String(rowid) as Position;

export const fromPosition = (position: Position | undefined): number => {
  if (position === undefined) return 0;
  if (!/^(0|[1-9][0-9]{0,15})$/.test(position)) throw new Error(`not a sqlite store position: ${JSON.stringify(position)}`);
  return Number(position);
};

import { z } from 'zod';
import { ProblemError } from '../../errors.js';
import type { SeqIndex } from '../../follower/local-state.js';

const RFC_3339_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/;

const daysIn = (year: number, month: number): number =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

/**
 * Every field of a written time in its range: `Date` would roll 2024-02-30 over into March and 24:00 into the next
 * day, and give an invalid date for month 13 (which broke the seq index lookup: a 500 for bad input).
 */
const isRealTime = (text: string): boolean => {
  const match = RFC_3339_TIME.exec(text)!;
  const [year, month, day, hour, minute, second, offsetHour = 0, offsetMinute = 0] = match.slice(1).map((part) => (part === undefined ? undefined : Number(part))) as number[];
  return month! >= 1 && month! <= 12 && day! >= 1 && day! <= daysIn(year!, month!) && hour! <= 23 && minute! <= 59 && second! <= 59 && offsetHour <= 23 && offsetMinute <= 59;
};

/** `asOf=<seq>` or `asOf=<RFC 3339 time>` (design §5): the point in the log a view is read at. */
export const asOfQuery = z
  .string()
  .max(40)
  .regex(/^(\d{1,15}|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2}))$/, 'must be a seq number or an RFC 3339 time')
  // (What the pattern refuses is its error alone.)
  .refine((text) => !RFC_3339_TIME.test(text) || isRealTime(text), 'must be a real date and time of day (RFC 3339)')
  .optional()
  .describe('a seq number, or an RFC 3339 time ("as the service knew it then"); default: now');

export const asOfSchema = z
  .strictObject({ seq: z.number().int().describe('-1 before the first event'), recordedAt: z.string().nullable() })
  .meta({ id: 'AsOf', description: 'the point of the log the view was read at' });

export interface ViewPoint {
  seq: number;
  recordedAt: string | null;
  /**
   * `YYYY-MM-DD` the view is judged at (overdue commitments, on-track status): the asOf time when one was
   * given, the recorded time of the asOf seq, or today for the current view.
   */
  date: string;
}

const FIRST_TIME = Date.parse('0000-01-01T00:00:00.000Z');
const LAST_TIME = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * Resolves `asOf` against the follower's seq index: a seq must already be applied; a time picks the last
 * event recorded at or before it. Without `asOf`, the view's current head.
 */
export const resolveViewPoint = (
  asOf: string | undefined,
  head: number,
  seqIndex: Pick<SeqIndex, 'get' | 'atOrBefore'>,
  now: () => Date = () => new Date(),
): ViewPoint => {
  let seq = head;
  let date = now().toISOString().slice(0, 10);
  if (asOf !== undefined && /^\d+$/.test(asOf)) {
    seq = Number(asOf);
    if (seq > head) {
      throw new ProblemError({ status: 404, type: 'not-found', title: 'Not found', detail: `seq ${seq} is beyond the log (head ${head})` });
    }
  } else if (asOf !== undefined) {
    // Kept within the years the index's ISO strings compare in (a time near 9999-12-31 with a negative offset is in
    // year 10000 in UTC, written "+010000-…", which sorts before every recorded time).
    const time = new Date(Math.min(Math.max(Date.parse(asOf), FIRST_TIME), LAST_TIME));
    seq = Math.min(seqIndex.atOrBefore(time)?.seq ?? -1, head);
    date = time.toISOString().slice(0, 10); // in UTC, as the recorded times and the asOf=<seq> dates are
  }
  const recordedAt = seq >= 0 ? (seqIndex.get(seq)?.recordedAt ?? null) : null;
  if (asOf !== undefined && /^\d+$/.test(asOf)) date = (recordedAt ?? new Date(0).toISOString()).slice(0, 10);
  return { seq, recordedAt, date };
};

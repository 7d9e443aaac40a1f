import { z } from 'zod';
import { ProblemError } from '../../errors.js';
import type { SeqIndex } from '../../follower/local-state.js';

/** `asOf=<seq>` or `asOf=<RFC 3339 time>` (design §5): the point in the log a view is read at. */
export const asOfQuery = z
  .string()
  .max(40)
  .regex(/^(\d{1,15}|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2}))$/, 'must be a seq number or an RFC 3339 time')
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
    const time = new Date(asOf);
    seq = Math.min(seqIndex.atOrBefore(time)?.seq ?? -1, head);
    date = time.toISOString().slice(0, 10);
  }
  const recordedAt = seq >= 0 ? (seqIndex.get(seq)?.recordedAt ?? null) : null;
  if (asOf !== undefined && /^\d+$/.test(asOf)) date = (recordedAt ?? new Date(0).toISOString()).slice(0, 10);
  return { seq, recordedAt, date };
};

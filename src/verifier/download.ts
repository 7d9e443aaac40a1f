/**
 * Downloads log entries [from, to) page by page and checks each one (check-entry.ts), optionally against the
 * leaf hashes an earlier run recomputed (a difference means history was rewritten since). Failures go to
 * `fail`; the leaves — good or bad — are yielded page by page so the caller can build its tree, save progress
 * and show it. Stops early, with a `missing` failure, when the server runs out of entries before `to`.
 */
import { hashEquals } from '../transparency/hashing.js';
import { MalformedResponseError, type AuditClient } from './audit-client.js';
import { checkEntry, shortHash, type EntryVerdict } from './check-entry.js';
import type { Failure } from './report.js';

export interface DownloadOptions {
  client: Pick<AuditClient, 'events'>;
  from: number;
  to: number;
  pageSize: number;
  /** The leaf hash an earlier run recomputed for `seq`, if it has one. */
  previous?: (seq: number) => Buffer | undefined;
  fail: (failure: Failure) => void;
}

export interface DownloadedPage {
  /** Seq of the first leaf. */
  readonly from: number;
  readonly leaves: readonly EntryVerdict[];
  /** The server's `next`: non-null after the last page means it has entries beyond `to`. */
  readonly next: number | null;
}

type PageResult = { page: Awaited<ReturnType<AuditClient['events']>> } | { malformed: string } | { error: unknown };

/** One page request, settled into a value: a prefetched page nobody awaits (the caller stopped early) rejects nothing. */
const requestPage = (client: Pick<AuditClient, 'events'>, from: number, count: number): Promise<PageResult> =>
  client.events(from, count).then(
    (page) => ({ page }),
    (error: unknown) => (error instanceof MalformedResponseError ? { malformed: error.message } : { error }),
  );

/**
 * Each page is asked for as soon as the one before it has arrived, before that one is checked: the server reads and
 * sends the next page while this process hashes the current one (and the caller folds it), on the other core.
 */
export async function* downloadLeaves(options: DownloadOptions): AsyncGenerator<DownloadedPage> {
  const { client, to, pageSize, previous, fail } = options;
  let from = options.from;
  let pending = from < to ? requestPage(client, from, Math.min(pageSize, to - from)) : undefined;
  while (pending) {
    const result = await pending;
    pending = undefined;
    if ('error' in result) throw result.error;
    if ('malformed' in result) {
      fail({ kind: 'malformed', seq: from, message: result.malformed });
      return;
    }
    const { page } = result;
    const raws = page.entries.slice(0, to - from);
    if (raws.length === 0) {
      fail({
        kind: 'missing',
        seq: from,
        message: `the server has no entry for seq ${from}, yet its checkpoint covers ${to} entries: the log was truncated or entries were removed`,
      });
      return;
    }
    const next = from + raws.length;
    if (next < to) pending = requestPage(client, next, Math.min(pageSize, to - next));
    const leaves = raws.map((raw, i) => {
      const verdict = checkEntry(raw, from + i);
      if (verdict.failure) {
        fail(verdict.failure);
        return verdict;
      }
      const before = previous?.(verdict.seq);
      if (before !== undefined && !hashEquals(before, verdict.hash)) {
        fail({
          kind: 'rewritten',
          seq: verdict.seq,
          message: `rewritten since an earlier run: this leaf was ${shortHash(before)} then, it is ${shortHash(verdict.hash)} now`,
        });
      }
      return verdict;
    });
    yield { from, leaves, next: page.next };
    from = next;
  }
}

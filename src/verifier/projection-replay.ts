import { digestsOf } from '../../projections/digest.js';
import type { ProjectedEvent, Projection } from '../../projections/projection.js';
import { eventLeafHash } from '../transparency/leaf.js';
import type { ProjectionReplay, ReplayOutcome } from './digests.js';

const PAGE = 1000;

/**
 * The projections folded over the log in seq order, one verified event (or redacted leaf) at a time. The run
 * folds while it downloads (one download, one hash per event); a fold is trusted only for the seqs it covered,
 * and only after the root it came with matched the signed checkpoint.
 */
export const createProjectionFold = (projections: readonly Projection<unknown>[]) => {
  const states = projections.map((projection) => projection.init());
  let through = 0;
  let redacted = 0;
  return {
    /** The next leaf in seq order: its verified event, or undefined for a redacted one. */
    next(event: (ProjectedEvent & { revision: number }) | undefined): void {
      if (event) projections.forEach((projection, i) => (states[i] = projection.apply(states[i], event)));
      else redacted += 1;
      through += 1;
    },
    /** How many leaves [0, through) were folded. */
    through: () => through,
    redacted: () => redacted,
    states,
    projections,
  };
};
export type ProjectionFold = ReturnType<typeof createProjectionFold>;

/**
 * Replays the projections over the log up to the verified checkpoint, trusting no event the checkpoint does
 * not vouch for (each must hash to the leaf this run recomputed), and compares every per-initiative digest
 * with the server's.
 */
export const projectionsReplay = (projections: readonly Projection<unknown>[]): ProjectionReplay => ({
  name: 'projections',
  async check(context, served): Promise<ReplayOutcome> {
    const size = context.checkpoint.size;
    const body = served as { treeSize?: unknown; digests?: Record<string, unknown> };
    if (body.treeSize !== size || typeof body.digests !== 'object' || body.digests === null) {
      return { ok: false, summary: `the server's digests are not for tree size ${size}` };
    }
    if (context.built < size) return { ok: false, summary: `only ${context.built} of ${size} leaves were recomputed; digests not replayed` };
    let fold = context.fold;
    if (!fold || fold.projections !== projections || fold.through() !== size) {
      // Not folded during the download (leaves came from the state dir): download the events again, trusting
      // each only if it hashes to the leaf this run recomputed.
      fold = createProjectionFold(projections);
      for (let from = 0; from < size; ) {
        const page = await context.client.events(from, Math.min(PAGE, size - from));
        if (page.entries.length === 0) return { ok: false, summary: `the server served no entries from seq ${from}` };
        for (const entry of page.entries) {
          const event = (entry as { event?: ProjectedEvent & { revision: number } }).event;
          const leaf = context.leafHashes.subarray(from * 32, from * 32 + 32);
          // Redacted for a key scoped to one initiative: another initiative's event, whose digests are not served
          // either. Should the server hide one of this initiative's own events, its replayed digest differs.
          if (event && !eventLeafHash(event).equals(leaf)) {
            return { ok: false, summary: `seq ${from}: the event served for the replay is not the one in the verified log`, failure: { kind: 'digest', seq: from, message: `seq ${from}: the event served for the replay does not hash to its verified leaf` } };
          }
          fold.next(event);
          from += 1;
          if (from >= size) break;
        }
      }
    }
    const { states } = fold;
    const redacted = fold.redacted();
    const mismatches: string[] = [];
    projections.forEach((projection, i) => {
      const ours = digestsOf(projection, states[i]);
      const theirs = body.digests![projection.name] as Record<string, string> | undefined;
      const ids = new Set([...Object.keys(ours), ...Object.keys(theirs ?? {})]);
      for (const id of ids) if (ours[id] !== theirs?.[id]) mismatches.push(`${projection.name} of initiative ${id}`);
    });
    if (mismatches.length > 0) {
      return { ok: false, summary: `digest mismatch: ${mismatches.join(', ')}`, failure: { kind: 'digest', checkpoint: size, message: `the replayed views differ from the server's: ${mismatches.join(', ')}` } };
    }
    const over = redacted > 0 ? `${size - redacted} visible events (${redacted} of other initiatives redacted)` : `${size} events`;
    return { ok: true, summary: `${projections.length} projections replayed over ${over}` };
  },
});

/**
 * Projection digests (design §6: the auditor "replays the projections and compares digests"). Projections do
 * not exist yet, so this is the hook: `GET /audit/digests` is asked for; a 404 is reported as "not available
 * from this server"; otherwise each registered ProjectionReplay rebuilds its projection from the verified log
 * and compares its digest with the served one.
 */
import { allProjections } from '../../projections/index.js';
import { MalformedResponseError } from './audit-client.js';
import { projectionsReplay } from './projection-replay.js';
import type { Failure } from './report.js';
import type { TreeCheck, TreeContext } from './tree-check.js';

export interface ReplayOutcome {
  readonly ok: boolean;
  readonly summary: string;
  readonly failure?: Failure;
}

export interface ProjectionReplay {
  readonly name: string;
  /**
   * Replays the projection from the log (re-downloading events and checking each against
   * `context.leafHashes`, which the checkpoint vouches for) and compares its digest with `served`.
   */
  check(context: TreeContext, served: unknown): Promise<ReplayOutcome>;
}

/** The replays the verifier knows: every projection the service runs (projections/index.ts). */
export const PROJECTION_REPLAYS: readonly ProjectionReplay[] = [projectionsReplay(allProjections)];

export const checkProjectionDigests =
  (replays: readonly ProjectionReplay[] = PROJECTION_REPLAYS): TreeCheck =>
  async (context) => {
    const { report } = context;
    let served: unknown;
    try {
      served = await context.client.digests(context.checkpoint.size);
    } catch (error) {
      if (!(error instanceof MalformedResponseError)) throw error;
      report.fail({ kind: 'digest', message: `the projection digests are malformed: ${error.message}` });
      report.check('projection digests', 'failed', 'the server\'s digests are malformed');
      return;
    }
    if (served === undefined) {
      report.check('projection digests', 'skipped', 'projection digests: not available from this server');
      return;
    }
    if (replays.length === 0) {
      report.warn('the server serves projection digests, but this verifier cannot replay any projection yet: they were not checked');
      report.check('projection digests', 'warning', 'served, but not checked: this verifier has no projection replays yet');
      return;
    }
    const failed: string[] = [];
    const passed: string[] = [];
    for (const replay of replays) {
      const outcome = await replay.check(context, served);
      if (outcome.ok) passed.push(outcome.summary);
      else {
        failed.push(replay.name);
        report.fail(outcome.failure ?? { kind: 'digest', message: `${replay.name}: ${outcome.summary}` });
      }
    }
    report.check(
      'projection digests',
      failed.length === 0 ? 'ok' : 'failed',
      failed.length === 0 ? `${passed.join('; ')}: digests match` : `digest mismatch: ${failed.join(', ')}`,
    );
  };

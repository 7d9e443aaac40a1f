/**
 * What the checks that follow the download get: the verified checkpoint, the tree the verifier recomputed
 * from what it was served, and the checkpoints saved by earlier runs. The run applies a list of TreeChecks
 * (verify-log.ts: root, saved checkpoints, projection digests); a new kind of check is one more function.
 */
import type { Checkpoint } from '../transparency/checkpoint.js';
import type { AuditClient } from './audit-client.js';
import type { ReportBuilder } from './report.js';
import type { SavedCheckpoint } from './state-dir.js';
import type { ProjectionFold } from './projection-replay.js';

export interface TreeContext {
  readonly client: AuditClient;
  readonly report: ReportBuilder;
  /** The server's latest checkpoint, its signature verified with the pinned key. */
  readonly checkpoint: Checkpoint;
  /** The recomputed leaf hashes (32 bytes each) of seqs [0, built). */
  readonly leafHashes: Buffer;
  /** Number of leaves recomputed: `checkpoint.size` unless the server ran out of entries. */
  readonly built: number;
  /** Root of the recomputed tree at `size` (≤ built); undefined beyond. */
  rootAt(size: number): Buffer | undefined;
  /** Checkpoints verified by earlier runs (from the state dir), smallest first. */
  readonly saved: readonly SavedCheckpoint[];
  /**
   * Once a root disagrees: re-downloads the leaves taken from the state dir and compares them with what earlier
   * runs recomputed, so the report can name the first rewritten seq. Does nothing the second time, or when
   * every leaf was downloaded by this run (then they were all compared already).
   */
  diagnose(): Promise<void>;
  /** The projections folded over the events while they were downloaded, when the download started at seq 0. */
  readonly fold?: ProjectionFold;
}

export type TreeCheck = (context: TreeContext) => Promise<void>;

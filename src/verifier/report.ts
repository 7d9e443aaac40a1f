/**
 * The verdict of one verifier run: what was checked, what failed (each failure names its seq and/or
 * checkpoint size), and the first bad seq or checkpoint. `ok` is true only when nothing failed.
 */
export type FailureKind =
  | 'signature' // the checkpoint's signature does not verify with the pinned key
  | 'origin' // the checkpoint is of another log than the pinned one
  | 'public-key' // the key the server states is not a verifier key
  | 'seq' // an entry carries another seq than its place in the log
  | 'malformed' // an entry (or page, or proof) that is not what the API promises
  | 'leaf-hash' // the served event does not hash to the served leaf hash
  | 'missing' // the server has no entry for a seq its checkpoint covers
  | 'rewritten' // a leaf differs from what an earlier run recomputed
  | 'root' // the recomputed root is not the signed one
  | 'shrank' // a checkpoint saved earlier is larger than the current one
  | 'inconsistent' // the current checkpoint does not extend one saved earlier
  | 'digest'; // a projection digest differs from the replayed one

export interface Failure {
  readonly kind: FailureKind;
  readonly message: string;
  readonly seq?: number;
  /** Size of the checkpoint concerned. */
  readonly checkpoint?: number;
}

export type CheckStatus = 'ok' | 'failed' | 'warning' | 'skipped';

export interface Check {
  readonly name: string;
  readonly status: CheckStatus;
  readonly summary: string;
}

/** Where the pinned verifier key came from: `--public-key`, the state dir, or the server itself (TOFU). */
export type KeySource = 'option' | 'state' | 'server';

export interface VerifyReport {
  ok: boolean;
  /** One line: "OK: …" or "FAILED at seq 4: …" / "FAILED at checkpoint 7: …". */
  headline: string;
  url: string;
  origin: string | null;
  publicKey: { key: string; source: KeySource } | null;
  /** The server's latest checkpoint (root in hex). */
  checkpoint: { size: number; root: string } | null;
  leaves: {
    /** Leaves in the recomputed tree. */
    total: number;
    /** Of which taken from the state dir (recomputed on an earlier run). */
    fromState: number;
    downloaded: number;
    /** Entries served without their event (out of the key's scope): their leaf hash is taken as served. */
    redacted: number;
    /** True when the server has entries beyond its checkpoint: not signed yet, so not checked. */
    beyondCheckpoint: boolean;
  };
  /** Sizes of the checkpoints saved by earlier runs that this run checked the log against. */
  savedCheckpoints: number[];
  checks: Check[];
  /** In the order found; at most MAX_LISTED_FAILURES of them, the rest counted in `omittedFailures`. */
  failures: Failure[];
  omittedFailures: number;
  firstBadSeq: number | null;
  firstBadCheckpoint: number | null;
  warnings: string[];
  state: { dir: string; saved: boolean } | null;
}

export const MAX_LISTED_FAILURES = 20;

const headlineOf = (report: VerifyReport, all: readonly Failure[]): string => {
  if (all.length === 0) {
    const size = report.checkpoint?.size ?? 0;
    return `OK: the log verifies up to its checkpoint of size ${size}`;
  }
  const bySeq = report.firstBadSeq === null ? undefined : all.find((f) => f.seq === report.firstBadSeq);
  if (bySeq) return `FAILED at seq ${bySeq.seq}: ${bySeq.message}`;
  const byCheckpoint = report.firstBadCheckpoint === null ? undefined : all.find((f) => f.checkpoint === report.firstBadCheckpoint);
  if (byCheckpoint) return `FAILED at checkpoint ${byCheckpoint.checkpoint}: ${byCheckpoint.message}`;
  return `FAILED: ${all[0]?.message ?? 'unknown failure'}`;
};

/** A report being filled in by a run. */
export const createReportBuilder = (url: string) => {
  const report: VerifyReport = {
    ok: false,
    headline: '',
    url,
    origin: null,
    publicKey: null,
    checkpoint: null,
    leaves: { total: 0, fromState: 0, downloaded: 0, redacted: 0, beyondCheckpoint: false },
    savedCheckpoints: [],
    checks: [],
    failures: [],
    omittedFailures: 0,
    firstBadSeq: null,
    firstBadCheckpoint: null,
    warnings: [],
    state: null,
  };
  // Kept whole for the headline; only the first MAX_LISTED_FAILURES go into the report.
  const firsts: Failure[] = [];
  let count = 0;

  return {
    report,
    check(name: string, status: CheckStatus, summary: string): void {
      report.checks.push({ name, status, summary });
    },
    fail(failure: Failure): void {
      count += 1;
      if (report.failures.length < MAX_LISTED_FAILURES) report.failures.push(failure);
      else report.omittedFailures += 1;
      if (failure.seq !== undefined && (report.firstBadSeq === null || failure.seq < report.firstBadSeq)) {
        report.firstBadSeq = failure.seq;
        firsts.push(failure);
      }
      if (failure.checkpoint !== undefined && (report.firstBadCheckpoint === null || failure.checkpoint < report.firstBadCheckpoint)) {
        report.firstBadCheckpoint = failure.checkpoint;
        firsts.push(failure);
      }
      if (count === 1) firsts.push(failure);
    },
    warn(message: string): void {
      report.warnings.push(message);
    },
    /** Number of failures so far (listed or not). */
    failureCount: (): number => count,
    /** The smallest seq named by a failure so far. */
    firstBadSeq: (): number | undefined => report.firstBadSeq ?? undefined,
    finish(): VerifyReport {
      report.ok = count === 0;
      report.headline = headlineOf(report, [...report.failures, ...firsts]);
      return report;
    },
  };
};
export type ReportBuilder = ReturnType<typeof createReportBuilder>;

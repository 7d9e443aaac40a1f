/**
 * One auditor run against a service (issue 5 item 4), trusting nothing it serves:
 *   1. the verifier key: --public-key, else pinned in the state dir, else the server's (trust on first use);
 *   2. the latest checkpoint, its signature checked with that key (and its origin with the pinned one);
 *   3. the entries up to the checkpoint's size, each re-hashed and compared with the served leaf hash — only
 *      those not already recomputed by an earlier run (resumable: progress is saved page by page);
 *   4. the tree checks: the recomputed root against the signed one, the checkpoint against every checkpoint
 *      saved by earlier runs, the projection digests.
 * A verdict is a VerifyReport (ok or not); usage, connection and state-dir problems throw a VerifierError.
 * The state dir is updated (checkpoint saved, key pinned) only by a run that passes.
 */
import { parseCheckpoint, verifyCheckpoint, type Checkpoint } from '../transparency/checkpoint.js';
import { HASH_SIZE, toHex } from '../transparency/hashing.js';
import { parseNote } from '../transparency/signed-note.js';
import { createAuditClient, type AuditClient } from './audit-client.js';
import { checkSavedCheckpoints } from './consistency-check.js';
import { checkProjectionDigests } from './digests.js';
import { downloadLeaves } from './download.js';
import { VerifierError } from './errors.js';
import type { Progress } from './progress.js';
import { resolvePublicKey, type PinnedKey } from './public-key.js';
import { createReportBuilder, type ReportBuilder, type VerifyReport } from './report.js';
import { checkRoot } from './root-check.js';
import { rootsAt } from './roots.js';
import { openStateDir, type SavedCheckpoint, type StateDir, type VerifierState } from './state-dir.js';
import type { TreeCheck, TreeContext } from './tree-check.js';
import { allProjections } from '../../projections/index.js';
import type { ProjectedEvent } from '../../projections/projection.js';
import type { LogEntry } from '../transparency/leaf.js';
import { createProjectionFold, type ProjectionFold } from './projection-replay.js';

export interface VerifyOptions {
  /** Base URL of the service. */
  url: string;
  /** Bearer key of an auditor (or admin). */
  key: string;
  /** The verifier key to pin (`name+keyid+base64`). */
  publicKey?: string;
  /** Directory kept between runs (pinned key, saved checkpoints, recomputed leaf hashes). */
  stateDir?: string;
  /** Re-download and re-hash every entry, comparing with the state dir's leaves instead of trusting them. */
  full?: boolean;
  /** Entries per request (the API allows up to 5000). */
  pageSize?: number;
  timeoutMs?: number;
  onProgress?: (progress: Progress) => void;
  /** The checks after the download; default DEFAULT_TREE_CHECKS. */
  treeChecks?: readonly TreeCheck[];
}

export const DEFAULT_TREE_CHECKS: readonly TreeCheck[] = [checkRoot, checkSavedCheckpoints, checkProjectionDigests()];

const DEFAULT_PAGE_SIZE = 1000;

/** Verifies the checkpoint note's signature and pinned origin; records a failure and returns undefined if not. */
const openCheckpoint = (note: string, key: PinnedKey, origin: string | undefined, report: ReportBuilder): Checkpoint | undefined => {
  let size: number | undefined;
  try {
    size = parseCheckpoint(parseNote(note).text).size;
  } catch {
    // unparsable: the signature check below says why
  }
  const at = size === undefined ? {} : { checkpoint: size };
  const keyName = `${key.verifier.name}+${key.verifier.keyId.toString(16).padStart(8, '0')}`;
  let checkpoint: Checkpoint;
  try {
    checkpoint = verifyCheckpoint(note, key.verifier).checkpoint;
  } catch (error) {
    report.fail({ kind: 'signature', ...at, message: `the checkpoint does not verify with the pinned key ${keyName}: ${(error as Error).message}` });
    report.check('checkpoint signature', 'failed', `not signed by ${keyName}`);
    return undefined;
  }
  if (origin !== undefined && checkpoint.origin !== origin) {
    report.fail({ kind: 'origin', ...at, message: `the checkpoint is of the log ${JSON.stringify(checkpoint.origin)}, the state dir pins ${JSON.stringify(origin)}` });
    report.check('checkpoint signature', 'failed', 'signed, but for another log');
    return undefined;
  }
  report.check('checkpoint signature', 'ok', `size ${checkpoint.size}, signed by ${keyName}`);
  return checkpoint;
};

interface Download {
  leafHashes: Buffer;
  built: number;
  fromState: number;
  /** Set when every leaf from seq 0 was downloaded and checked out: the projections folded on the way. */
  fold?: ProjectionFold;
}

/** Step 3: the leaves [0, checkpoint.size): from the state dir where an earlier run recomputed them, else downloaded. */
const recomputeLeaves = async (
  options: VerifyOptions,
  client: AuditClient,
  report: ReportBuilder,
  checkpoint: Checkpoint,
  state: StateDir | undefined,
  cache: Buffer,
): Promise<Download> => {
  const size = checkpoint.size;
  const cached = cache.length / HASH_SIZE;
  const fromState = options.full ? 0 : Math.min(cached, size);
  // Grown page by page, not allocated from the (untrusted) size: a lying checkpoint only costs a failed download.
  const chunks: Buffer[] = [cache.subarray(0, fromState * HASH_SIZE)];
  const failuresBefore = report.failureCount();
  let built = fromState;
  let redacted = 0;
  // Downloading from seq 0: fold the projections over the verified events on the way (one download, one hash).
  let fold: ProjectionFold | undefined = fromState === 0 ? createProjectionFold(allProjections) : undefined;
  const pages = downloadLeaves({
    client,
    from: fromState,
    to: size,
    pageSize: options.pageSize ?? DEFAULT_PAGE_SIZE,
    previous: (seq) => (seq < cached ? cache.subarray(seq * HASH_SIZE, (seq + 1) * HASH_SIZE) : undefined),
    fail: (failure) => report.fail(failure),
  });
  for await (const page of pages) {
    const hashes = Buffer.concat(page.leaves.map((leaf) => leaf.hash));
    if (fold) {
      if (page.leaves.some((leaf) => leaf.status === 'bad')) fold = undefined;
      else for (const leaf of page.leaves) fold.next(leaf.event as (LogEntry & ProjectedEvent) | undefined);
    }
    chunks.push(hashes);
    redacted += page.leaves.filter((leaf) => leaf.status === 'redacted').length;
    built = page.from + page.leaves.length;
    // Resumable: keep what extends the state dir's leaves, as long as every entry so far checked out.
    const start = Math.max(page.from, cached);
    if (state && built > start && report.failureCount() === 0) state.leaves.write(start, hashes.subarray((start - page.from) * HASH_SIZE));
    report.report.leaves.beyondCheckpoint = built === size && page.next !== null;
    options.onProgress?.({ phase: 'download', done: built - fromState, total: size - fromState });
  }
  const downloaded = built - fromState;
  Object.assign(report.report.leaves, { total: built, fromState, downloaded, redacted });
  const bad = report.failureCount() - failuresBefore;
  const sources =
    `${fromState} from the state dir${fromState > 0 ? ' (re-hashed by an earlier run; --full re-checks them)' : ''}, ` +
    `${downloaded} downloaded and re-hashed${redacted > 0 ? ` (${redacted} redacted: leaf hash taken as served)` : ''}`;
  if (bad === 0) report.check('entries', 'ok', `${built} leaves recomputed: ${sources}`);
  else report.check('entries', 'failed', `${bad} bad entr${bad === 1 ? 'y' : 'ies'} (first bad seq ${report.firstBadSeq() ?? '?'}); ${built} of ${size} leaves recomputed: ${sources}`);
  return { leafHashes: Buffer.concat(chunks), built, fromState, ...(fold ? { fold } : {}) };
};

const treeContext = (
  options: VerifyOptions,
  client: AuditClient,
  report: ReportBuilder,
  checkpoint: Checkpoint,
  saved: readonly SavedCheckpoint[],
  download: Download,
  cache: Buffer,
): TreeContext => {
  const { leafHashes, built, fromState, fold } = download;
  const wanted = [checkpoint.size, ...saved.map((s) => s.size)].filter((size) => size <= built);
  let roots: Map<number, Buffer> | undefined;
  let diagnosed = false;
  return {
    client,
    report,
    checkpoint,
    leafHashes,
    built,
    saved,
    ...(fold ? { fold } : {}),
    rootAt(size) {
      if (size > built) return undefined;
      roots ??= rootsAt(leafHashes, wanted);
      return roots.get(size) ?? rootsAt(leafHashes, [size]).get(size);
    },
    async diagnose() {
      if (diagnosed || fromState === 0) return;
      diagnosed = true;
      const pages = downloadLeaves({
        client,
        from: 0,
        to: fromState,
        pageSize: options.pageSize ?? DEFAULT_PAGE_SIZE,
        previous: (seq) => cache.subarray(seq * HASH_SIZE, (seq + 1) * HASH_SIZE),
        fail: (failure) => report.fail(failure),
      });
      for await (const page of pages) {
        options.onProgress?.({ phase: 'recheck', done: page.from + page.leaves.length, total: fromState });
      }
    },
  };
};

/** Leaves up to the largest checkpoint an earlier run verified; beyond it they are only progress. */
const verifiedSize = (previous: VerifierState | undefined): number => Math.max(0, ...(previous?.checkpoints ?? []).map((c) => c.size));

/** A passing run saves its checkpoint (keeping every earlier one) and pins the key and origin. */
const saveState = (state: StateDir, previous: VerifierState | undefined, report: VerifyReport, note: string, checkpoint: Checkpoint, key: PinnedKey): void => {
  const checkpoints = (previous?.checkpoints ?? []).filter((c) => c.size !== checkpoint.size);
  checkpoints.push(previous?.checkpoints.find((c) => c.size === checkpoint.size) ?? { size: checkpoint.size, root: checkpoint.root, note, savedAt: new Date().toISOString() });
  checkpoints.sort((a, b) => a.size - b.size);
  state.leaves.truncate(checkpoint.size);
  state.save({ url: report.url, origin: checkpoint.origin, publicKey: key.verifier.verifierKey, checkpoints });
  report.state = { dir: state.dir, saved: true };
};

export const verifyLog = async (options: VerifyOptions): Promise<VerifyReport> => {
  if (!options.key) throw new VerifierError('usage', 'an auditor key is needed (--key)');
  const client = createAuditClient({ url: options.url, key: options.key, timeoutMs: options.timeoutMs });
  const builder = createReportBuilder(client.url);
  const data = builder.report;
  const state = options.stateDir === undefined ? undefined : openStateDir(options.stateDir);
  const previous = state?.load();
  if (state) data.state = { dir: state.dir, saved: false };
  if (previous && previous.url !== client.url) builder.warn(`the state dir was last used with ${previous.url}; checking this log against it`);
  /** Ends the run: only a passing run touches the state dir's checkpoints; a failing one drops unverified leaves. */
  const finish = (checkpoint?: { note: string; checkpoint: Checkpoint; key: PinnedKey }): VerifyReport => {
    const report = builder.finish();
    if (state && report.ok && checkpoint) saveState(state, previous, report, checkpoint.note, checkpoint.checkpoint, checkpoint.key);
    else state?.leaves.truncate(verifiedSize(previous));
    return report;
  };

  const key = await resolvePublicKey({ option: options.publicKey, pinned: previous?.publicKey, stateDir: options.stateDir, client, report: builder });
  if (key === undefined) return finish();
  data.publicKey = { key: key.verifier.verifierKey, source: key.source };
  builder.check('public key', key.source === 'server' ? 'warning' : 'ok', {
    option: 'given with --public-key',
    state: 'pinned in the state dir by an earlier run',
    server: 'TRUST ON FIRST USE: taken from the server itself',
  }[key.source]);

  const note = await client.checkpoint();
  const checkpoint = openCheckpoint(note, key, previous?.origin, builder);
  if (checkpoint === undefined) return finish();
  data.origin = checkpoint.origin;
  data.checkpoint = { size: checkpoint.size, root: toHex(checkpoint.root) };

  const cache = state?.leaves.read() ?? Buffer.alloc(0);
  const download = await recomputeLeaves(options, client, builder, checkpoint, state, cache);
  const context = treeContext(options, client, builder, checkpoint, previous?.checkpoints ?? [], download, cache);
  for (const check of options.treeChecks ?? DEFAULT_TREE_CHECKS) await check(context);
  return finish({ note, checkpoint, key });
};

/**
 * The current checkpoint against every checkpoint saved by earlier runs: none may be larger (the log shrank),
 * each smaller one must be a prefix — by the server's consistency proof (RFC 9162 §2.1.4.2) and, independently,
 * by the root the verifier recomputes at that size from the entries served now.
 */
import { fromHex, hashEquals } from '../transparency/hashing.js';
import { verifyConsistency } from '../transparency/verify.js';
import { MalformedResponseError } from './audit-client.js';
import { shortHash } from './check-entry.js';
import type { SavedCheckpoint } from './state-dir.js';
import type { TreeCheck, TreeContext } from './tree-check.js';

const proofHolds = async (context: TreeContext, saved: SavedCheckpoint): Promise<boolean | string> => {
  const { checkpoint } = context;
  if (saved.size === checkpoint.size) return hashEquals(saved.root, checkpoint.root);
  let proof: Buffer[];
  try {
    proof = (await context.client.consistency(saved.size, checkpoint.size)).map(fromHex);
    return verifyConsistency(saved.size, checkpoint.size, proof, saved.root, checkpoint.root);
  } catch (error) {
    if (error instanceof MalformedResponseError || error instanceof TypeError) return `the proof is malformed: ${error.message}`;
    throw error;
  }
};

export const checkSavedCheckpoints: TreeCheck = async (context) => {
  const { checkpoint, report } = context;
  if (context.saved.length === 0) {
    report.check('saved checkpoints', 'skipped', 'no checkpoint saved by an earlier run');
    return;
  }
  const failuresBefore = report.failureCount();
  for (const saved of context.saved) {
    if (saved.size > checkpoint.size) {
      report.fail({
        kind: 'shrank',
        checkpoint: saved.size,
        message: `the log shrank: a run on ${saved.savedAt} verified a checkpoint of size ${saved.size}, the server's checkpoint now has size ${checkpoint.size} — the log was truncated or rolled back`,
      });
      continue;
    }
    report.report.savedCheckpoints.push(saved.size);
    const local = context.rootAt(saved.size);
    if (local !== undefined && !hashEquals(local, saved.root)) {
      await context.diagnose();
      const seq = report.firstBadSeq();
      report.fail({
        kind: 'rewritten',
        checkpoint: saved.size,
        ...(seq === undefined ? {} : { seq }),
        message:
          `history was rewritten: the entries served now give the root ${shortHash(local)} at size ${saved.size}, the checkpoint saved on ${saved.savedAt} signed ${shortHash(saved.root)}` +
          (seq === undefined ? '' : `; first differing seq: ${seq}`),
      });
    }
    const holds = await proofHolds(context, saved);
    if (holds !== true) {
      const why = typeof holds === 'string' ? holds : saved.size === checkpoint.size ? 'two different roots were signed for the same size (a split view)' : 'the server\'s consistency proof does not verify';
      report.fail({
        kind: 'inconsistent',
        checkpoint: saved.size,
        message: `the current checkpoint (size ${checkpoint.size}) does not extend the checkpoint of size ${saved.size} saved on ${saved.savedAt}: ${why}`,
      });
    }
  }
  const sizes = context.saved.map((s) => s.size).join(', ');
  if (report.failureCount() === failuresBefore) {
    report.check('saved checkpoints', 'ok', `the checkpoint extends the ${context.saved.length} checkpoint(s) saved by earlier runs (sizes ${sizes})`);
  } else {
    report.check('saved checkpoints', 'failed', `the log served now does not extend every checkpoint saved by earlier runs (sizes ${sizes})`);
  }
};

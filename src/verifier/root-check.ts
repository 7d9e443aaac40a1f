import { hashEquals } from '../transparency/hashing.js';
import { shortHash } from './check-entry.js';
import type { TreeCheck } from './tree-check.js';

/** The root recomputed from the served entries must be the root the checkpoint signs. */
export const checkRoot: TreeCheck = async (context) => {
  const { checkpoint, report } = context;
  const root = context.rootAt(checkpoint.size);
  if (root === undefined) {
    report.check('root', 'skipped', `only ${context.built} of the ${checkpoint.size} entries the checkpoint covers could be recomputed`);
    return;
  }
  if (hashEquals(root, checkpoint.root)) {
    report.check('root', 'ok', `the root recomputed from the ${checkpoint.size} entries is the signed root`);
    return;
  }
  await context.diagnose();
  const seq = report.firstBadSeq();
  report.fail({
    kind: 'root',
    checkpoint: checkpoint.size,
    ...(seq === undefined ? {} : { seq }),
    message:
      `the root recomputed from the ${checkpoint.size} entries (${shortHash(root)}) is not the signed root (${shortHash(checkpoint.root)})` +
      (seq === undefined ? '' : `; first differing seq: ${seq}`),
  });
  report.check('root', 'failed', `the recomputed root is not the signed root of checkpoint ${checkpoint.size}`);
};

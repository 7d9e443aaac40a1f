import { createHash } from 'node:crypto';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { openLocalDatabase } from '../../src/follower/local-state.js';
import { verifyCheckpoint } from '../../src/transparency/checkpoint.js';
import { createCheckpointer, type StoredCheckpoint } from '../../src/transparency/checkpointer.js';
import { generateSigner } from '../../src/transparency/signed-note.js';
import { tempDir } from '../helpers/temp-dir.js';

const ORIGIN = 'ledger.example.org/log';

/** A checkpointer over a real local file and a log whose size the test sets (its root: a hash of the size). */
const given = (t: Test, everyEvents = 10) => {
  const db = openLocalDatabase(join(tempDir(t), 'local.sqlite'));
  t.teardown(() => db.close());
  const { signer, verifierKey } = generateSigner(ORIGIN);
  let size = 0;
  const told: StoredCheckpoint[] = [];
  const checkpointer = createCheckpointer({
    db,
    signer,
    origin: ORIGIN,
    log: { size: () => size, root: () => createHash('sha256').update(String(size)).digest() },
    everyEvents,
    everySeconds: 3600,
    onCheckpoint: (c) => told.push(c),
  });
  return { checkpointer, told, verifierKey, grow: (to: number) => void (size = to) };
};

t.test('given a growing log, a checkpoint is signed every N leaves, kept, and told to the feeds once', async (t) => {
  const { checkpointer, told, verifierKey, grow } = given(t);
  for (const size of [3, 9, 10, 15, 19, 20, 27]) {
    grow(size);
    checkpointer.onGrow(size);
  }
  t.same(told.map((c) => c.size), [10, 20], 'at 10 leaves since the last one, not before');
  t.same(checkpointer.list(0, 10).map((c) => c.size), [10, 20]);
  t.equal(checkpointer.latest()?.size, 20);
  const { checkpoint } = verifyCheckpoint(checkpointer.latest()!.note, verifierKey, { origin: ORIGIN });
  t.equal(checkpoint.size, 20, 'a signed note any verifier with the key accepts');

  t.equal(checkpointer.sign().size, 27, 'on demand: the current tree');
  t.equal(checkpointer.sign().size, 27, 'twice at one size: the same checkpoint…');
  t.equal(told.length, 3, '…told once');
});

t.test('when asked for what a feed may send, the newest checkpoint within a size; when asked for a proof, the smallest covering one', async (t) => {
  const { checkpointer, grow } = given(t);
  for (const size of [10, 20, 30]) {
    grow(size);
    checkpointer.sign();
  }
  t.equal(checkpointer.latestWithin(9), undefined, 'none within 9 leaves');
  t.equal(checkpointer.latestWithin(10)?.size, 10);
  t.equal(checkpointer.latestWithin(29)?.size, 20);
  t.equal(checkpointer.latestWithin(1000)?.size, 30);
  t.equal(checkpointer.covering(11).size, 20);
  t.equal(checkpointer.covering(30).size, 30);
  grow(35);
  t.equal(checkpointer.covering(31).size, 35, 'none covers 31 leaves yet: one is signed');
  t.same(checkpointer.list(20, 2).map((c) => c.size), [20, 30], 'listed from a size, oldest first, bounded');
});

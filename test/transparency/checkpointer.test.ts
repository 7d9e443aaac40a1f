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
const rootOf = (size: number) => createHash('sha256').update(String(size)).digest();

const given = (t: Test, options: { everyEvents?: number; signer?: ReturnType<typeof generateSigner> } = {}) => {
  const db = openLocalDatabase(join(tempDir(t), 'local.sqlite'));
  t.teardown(() => db.close());
  const { signer, verifierKey } = options.signer ?? generateSigner(ORIGIN);
  let size = 0;
  const told: StoredCheckpoint[] = [];
  const checkpointer = createCheckpointer({
    db,
    signer,
    origin: ORIGIN,
    log: { size: () => size, root: () => rootOf(size), rootAt: (at) => rootOf(Math.min(at, size)) },
    everyEvents: options.everyEvents ?? 10,
    everySeconds: 3600,
    onCheckpoint: (c) => told.push(c),
  });
  return { checkpointer, told, verifierKey, grow: (to: number) => void (size = to) };
};

t.test('given a growing log, a checkpoint is signed at every multiple of N leaves, kept, and told to the feeds once', async (t) => {
  const { checkpointer, told, verifierKey, grow } = given(t);
  for (const size of [3, 9, 10, 15, 19, 20, 27]) {
    grow(size);
    checkpointer.onGrow(size);
  }
  t.same(told.map((c) => c.size), [10, 20], 'at 10 and 20 leaves, not before');
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

t.test('given the same log grown by different batches (two instances), the checkpoints counted in events are the same notes', async (t) => {
  const key = generateSigner(ORIGIN);
  const small = given(t, { signer: key });
  const large = given(t, { signer: key });
  for (const size of [4, 8, 12, 16, 20, 24, 28, 32]) {
    small.grow(size);
    small.checkpointer.onGrow(size);
  }
  large.grow(7);
  large.checkpointer.onGrow(7);
  large.grow(32);
  large.checkpointer.onGrow(32); // a catch-up: one batch passes 10, 20 and 30
  const notes = (c: typeof small) => c.checkpointer.list(0, 100).map((x) => [x.size, x.note]);
  t.same(notes(small).map(([size]) => size), [10, 20, 30], 'signed at the multiples, not where the batches ended');
  t.same(notes(large), notes(small), 'the same sizes and the same notes, whatever the batches');
  const { checkpoint } = verifyCheckpoint(large.checkpointer.list(20, 1)[0]!.note, large.verifierKey, { origin: ORIGIN });
  t.same([checkpoint.size, Buffer.from(checkpoint.root).toString('hex')], [20, rootOf(20).toString('hex')], 'a passed size is signed with the root at that size');

  large.grow(35);
  large.checkpointer.sign();
  large.grow(41);
  large.checkpointer.onGrow(41);
  t.same(large.checkpointer.list(31, 10).map((c) => c.size), [35, 40], 'after one signed on demand (35), the next multiple (40)');
});

/** C2SP tlog-checkpoint bodies and their signed notes. */
import t, { type Test } from 'tap';
import {
  CheckpointError,
  formatCheckpoint,
  parseCheckpoint,
  signCheckpoint,
  verifyCheckpoint,
  type Checkpoint,
} from '../../src/transparency/checkpoint.js';
import { emptyRoot, hashFromHex } from '../../src/transparency/hashing.js';
import { generateSigner, NoteError } from '../../src/transparency/signed-note.js';
import { rootsFixture } from './fixtures.js';

const root8 = hashFromHex(rootsFixture().rootsBySize['8'] ?? '');
const checkpoint: Checkpoint = { origin: 'impact-ledger.example/log', size: 8, root: root8 };

const throwsCheckpointError = (t: Test, fn: () => unknown, message: string): void => {
  try {
    fn();
    t.fail(`${message}: did not throw`);
  } catch (error) {
    t.ok(error instanceof CheckpointError, message, { error });
  }
};

t.test('format and parse', async (t) => {
  const body = formatCheckpoint(checkpoint);
  t.equal(body, `impact-ledger.example/log\n8\n${root8.toString('base64')}\n`);
  t.equal(body.split('\n')[2], 'XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=', 'root in padded standard base64');
  t.same(parseCheckpoint(body), { ...checkpoint, extensions: [] });
  const withExtensions = { ...checkpoint, extensions: ['Timestamp: 1700000000', 'ext two'] };
  t.equal(formatCheckpoint(withExtensions), `${body}Timestamp: 1700000000\next two\n`);
  t.same(parseCheckpoint(formatCheckpoint(withExtensions)), withExtensions);
  t.same(parseCheckpoint(formatCheckpoint({ origin: 'o', size: 0, root: emptyRoot() })).size, 0);
});

t.test('strict parsing', async (t) => {
  const root = root8.toString('base64');
  const bad: [string, string][] = [
    [`o\n8\n${root}`, 'no final newline'],
    [`o\n8\n`, 'missing root'],
    [`\n8\n${root}\n`, 'empty origin'],
    [`my log\n8\n${root}\n`, 'origin with a space'],
    [`a+b\n8\n${root}\n`, 'origin with a plus'],
    [`o\n08\n${root}\n`, 'leading zero'],
    [`o\n-1\n${root}\n`, 'negative size'],
    [`o\n8.0\n${root}\n`, 'fractional size'],
    [`o\n 8\n${root}\n`, 'space in size'],
    [`o\n9007199254740992\n${root}\n`, 'size beyond 2^53 - 1'],
    [`o\n8\n${root.slice(0, -1)}\n`, 'unpadded root'],
    [`o\n8\n${root8.toString('hex')}\n`, 'hex root'],
    [`o\n8\n${root8.subarray(1).toString('base64')}\n`, '31-byte root'],
    [`o\n8\n${root8.toString('base64url')}\n`, 'base64url root'],
    [`o\n8\n${root}\n\n`, 'empty extension line'],
  ];
  for (const [body, why] of bad) throwsCheckpointError(t, () => parseCheckpoint(body), why);
  throwsCheckpointError(t, () => formatCheckpoint({ ...checkpoint, origin: 'a b' }), 'format checks the origin too');
  throwsCheckpointError(t, () => formatCheckpoint({ ...checkpoint, extensions: [''] }), 'format checks extensions');
  t.throws(() => formatCheckpoint({ ...checkpoint, size: -1 }), RangeError);
  t.throws(() => formatCheckpoint({ ...checkpoint, root: Buffer.alloc(31) }), TypeError);
});

t.test('sign and verify', async (t) => {
  const { signer, verifierKey } = generateSigner(checkpoint.origin);
  const note = signCheckpoint(checkpoint, signer);
  t.ok(note.startsWith(`${formatCheckpoint(checkpoint)}\n\u2014 ${checkpoint.origin} `));
  const opened = verifyCheckpoint(note, verifierKey, { origin: checkpoint.origin });
  t.same(opened.checkpoint, { ...checkpoint, extensions: [] });
  t.equal(opened.text, formatCheckpoint(checkpoint));
  t.same(opened.verified.map((s) => s.keyId), [signer.keyId]);

  throwsCheckpointError(t, () => verifyCheckpoint(note, verifierKey, { origin: 'other.example/log' }), 'origin must match');
  const reasonOf = (fn: () => unknown): string | undefined => {
    try {
      fn();
      return undefined;
    } catch (error) {
      return error instanceof NoteError ? error.reason : 'other';
    }
  };
  t.equal(reasonOf(() => verifyCheckpoint(note.replace('\n8\n', '\n9\n'), verifierKey)), 'invalid-signature', 'size altered');
  const otherRoot = Buffer.from(root8);
  otherRoot[0] = otherRoot[0]! ^ 1;
  t.equal(reasonOf(() => verifyCheckpoint(note.replace(root8.toString('base64'), otherRoot.toString('base64')), verifierKey)), 'invalid-signature', 'root altered');
  t.equal(reasonOf(() => verifyCheckpoint(signCheckpoint(checkpoint, generateSigner(checkpoint.origin).signer), verifierKey)), 'unverified', 'signed by another key');
  // A validly signed note that is not a checkpoint is still rejected.
  const { signNote } = await import('../../src/transparency/signed-note.js');
  throwsCheckpointError(t, () => verifyCheckpoint(signNote('just text\n', signer), verifierKey), 'signed non-checkpoint');
});

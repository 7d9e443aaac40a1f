/** C2SP signed-note: the published vectors, round trips, and rejection of altered or foreign notes. */
import { inspect } from 'node:util';
import t, { type Test } from 'tap';
import {
  generateSigner,
  keyId,
  NoteError,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
  verifyNote,
} from '../../src/transparency/signed-note.js';
import { signedNotesFixture } from './fixtures.js';

/** Asserts that `fn` throws a NoteError for `reason`. */
const rejects = (t: Test, fn: () => unknown, reason: string, message: string): void => {
  try {
    fn();
    t.fail(`${message}: did not throw`);
  } catch (error) {
    t.ok(error instanceof NoteError && error.reason === reason, message, { error });
  }
};

t.test('published vectors (signed-notes.json)', async (t) => {
  const { cases } = signedNotesFixture();
  t.equal(cases.length, 2);
  for (const { _source, vkey, skey, note } of cases) {
    const verifier = parseVerifierKey(vkey);
    t.equal(verifier.verifierKey, vkey, `${_source}: verifier key round trip`);
    const opened = verifyNote(note, vkey);
    t.equal(`${opened.text}\n${note.slice(opened.text.length + 1)}`, note);
    t.same(opened.verified.map((s) => [s.name, s.keyId]), [[verifier.name, verifier.keyId]], `${_source}: verifies`);
    t.same(opened.unverified, []);
    if (skey !== undefined) {
      const signer = parseSignerKey(skey);
      t.equal(signer.verifierKey, vkey, `${_source}: signer key derives the verifier key`);
      t.equal(signNote(opened.text, signer), note, `${_source}: signing reproduces the note (Ed25519 is deterministic)`);
    }
  }
  const c2sp = cases[0]!;
  t.equal(verifyNote(c2sp.note, c2sp.vkey).text, 'This is an example message.\n');
  t.equal(parseVerifierKey(c2sp.vkey).keyId, 0x530d903a, 'key id = SHA-256(name ‖ "\\n" ‖ 0x01 ‖ key)[0:4]');
});

t.test('generated keys round trip', async (t) => {
  const { signer, signerKey, verifierKey } = generateSigner('impact-ledger.example/log');
  t.match(signerKey, /^PRIVATE\+KEY\+impact-ledger\.example\/log\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
  t.match(verifierKey, /^impact-ledger\.example\/log\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
  t.equal(signer.keyId, keyId(signer.name, signer.publicKey));
  t.equal(parseSignerKey(signerKey).verifierKey, verifierKey);
  t.equal(parseVerifierKey(verifierKey).keyId, signer.keyId);
  const seed = Buffer.from(/\+[0-9a-f]{8}\+(.+)$/.exec(signerKey)?.[1] ?? '', 'base64').subarray(1);
  t.equal(seed.length, 32);
  const shown = `${JSON.stringify(signer)} ${inspect(signer, { depth: 5, showHidden: true })}`;
  t.notOk(shown.includes(seed.toString('base64')) || shown.includes(seed.toString('hex')), 'the signer object does not expose the seed');

  const note = signNote('hello\nworld\n', signer);
  t.match(note, /^hello\nworld\n\n\u2014 impact-ledger\.example\/log [A-Za-z0-9+/]{91}=\n$/);
  t.same(verifyNote(note, verifierKey).text, 'hello\nworld\n');
  t.same(verifyNote(note, [parseVerifierKey(verifierKey)]).verified.length, 1);
  t.equal(verifyNote(signNote('text with a blank line\n\ninside\n', signer), verifierKey).text, 'text with a blank line\n\ninside\n');
});

t.test('altered, foreign and unsigned notes are rejected', async (t) => {
  const { signer, verifierKey } = generateSigner('log.example');
  const other = generateSigner('log.example');
  const note = signNote('origin\n5\nroot\n', signer);

  rejects(t, () => verifyNote(note.replace('5', '6'), verifierKey), 'invalid-signature', 'text altered');
  const [text, line] = [note.slice(0, note.lastIndexOf('\n\n') + 2), note.slice(note.lastIndexOf('\n\n') + 2)];
  const b64 = line.slice('\u2014 log.example '.length, -1);
  const sig = Buffer.from(b64, 'base64');
  sig[10] = sig[10]! ^ 0x80;
  rejects(t, () => verifyNote(`${text}\u2014 log.example ${sig.toString('base64')}\n`, verifierKey), 'invalid-signature', 'signature altered');
  rejects(t, () => verifyNote(`${text}\u2014 log.example ${b64.slice(0, 8)}AAAA\n`, verifierKey), 'invalid-signature', 'signature truncated');
  rejects(t, () => verifyNote(signNote('origin\n5\nroot\n', other.signer), verifierKey), 'unverified', 'signed by another key');
  // Another key claiming this key's name and id: its signature does not verify with this key.
  const forged = signNote('origin\n5\nroot\n', { ...other.signer, keyId: signer.keyId });
  rejects(t, () => verifyNote(forged, verifierKey), 'invalid-signature', 'another key posing as this one');

  const both = signNote('origin\n5\nroot\n', other.signer, signer);
  const opened = verifyNote(both, verifierKey);
  t.same(opened.verified.map((s) => s.keyId), [signer.keyId], 'the known signature verifies');
  t.same(opened.unverified.map((s) => s.keyId), [other.signer.keyId], 'the unknown one is reported unchecked');
  t.equal(verifyNote(both, [verifierKey, other.verifierKey]).verified.length, 2);
  const repeated = `${note}${note.slice(note.lastIndexOf('\n\n') + 2)}`;
  t.equal(verifyNote(repeated, verifierKey).verified.length, 1, 'a repeated signature line counts once');
});

t.test('malformed notes and texts', async (t) => {
  const { signer, verifierKey } = generateSigner('log.example');
  const note = signNote('body\n', signer);
  const line = note.slice('body\n\n'.length);
  rejects(t, () => signNote('no newline', signer), 'malformed-note', 'text must end with a newline');
  rejects(t, () => signNote('tab\there\n', signer), 'malformed-note', 'no control characters');
  rejects(t, () => signNote('lone \ud800 surrogate\n', signer), 'malformed-note', 'valid UTF-8 only');
  rejects(t, () => verifyNote('body\n', verifierKey), 'malformed-note', 'no signature block');
  rejects(t, () => verifyNote(note.slice(0, -1), verifierKey), 'malformed-note', 'signature block without final newline');
  rejects(t, () => verifyNote(`body\n\n${line.replace('\u2014', '-')}`, verifierKey), 'malformed-note', 'hyphen instead of em dash');
  rejects(t, () => verifyNote(`body\n\n${line.replace('=\n', '\n')}`, verifierKey), 'malformed-note', 'unpadded base64');
  rejects(t, () => verifyNote(`body\n\n\u2014 log.example AAAA\n`, verifierKey), 'malformed-note', 'signature shorter than 5 bytes');
  rejects(t, () => verifyNote(`body\r\n\n${line}`, verifierKey), 'malformed-note', 'carriage return');
  rejects(t, () => verifyNote(`body\n\n${line.repeat(101)}`, verifierKey), 'malformed-note', 'more than 100 signatures');
  t.same(parseNote(note).signatures.map((s) => s.name), ['log.example']);
});

t.test('key parsing', async (t) => {
  const { signerKey, verifierKey } = generateSigner('k');
  const [name, id, key] = verifierKey.split('+') as [string, string, string];
  const wrongId = (Number.parseInt(id, 16) ^ 1).toString(16).padStart(8, '0');
  rejects(t, () => parseVerifierKey(`${name}+${wrongId}+${key}`), 'invalid-key', 'key id must match the key');
  rejects(t, () => parseVerifierKey(`other+${id}+${key}`), 'invalid-key', 'key id binds the name');
  rejects(t, () => parseVerifierKey(`${name}+${id}`), 'invalid-key', 'missing key');
  rejects(t, () => parseVerifierKey(`${name}+${id}+${Buffer.concat([Buffer.from([2]), Buffer.alloc(32)]).toString('base64')}`), 'invalid-key', 'unknown algorithm byte');
  rejects(t, () => parseVerifierKey(`${name}+${id}+${key.slice(0, -4)}`), 'invalid-key', 'short key');
  rejects(t, () => parseVerifierKey(`bad name+${id}+${key}`), 'invalid-key', 'name with a space');
  rejects(t, () => parseSignerKey(signerKey.replace('PRIVATE+KEY', 'PUBLIC+KEY')), 'invalid-key', 'signer key prefix');
  rejects(t, () => parseSignerKey(signerKey.replace(/\+[0-9a-f]{8}\+/, `+${wrongId}+`)), 'invalid-key', 'signer key id must match');
  rejects(t, () => generateSigner('has+plus'), 'invalid-key', 'names have no "+"');
  rejects(t, () => generateSigner(''), 'invalid-key', 'names are not empty');
});

/**
 * C2SP signed-note (https://c2sp.org/signed-note, the format of golang.org/x/mod/sumdb/note) with Ed25519 keys.
 *
 *   note      = text ‖ "\n" ‖ signature lines      (text is non-empty UTF-8 ending in "\n")
 *   signature = "— " ‖ key name ‖ " " ‖ base64(key id[4] ‖ Ed25519 signature[64]) ‖ "\n"
 *   key id    = first 4 bytes, big-endian, of SHA-256(key name ‖ "\n" ‖ 0x01 ‖ public key[32])
 *   verifier  = name+hex8(key id)+base64(0x01 ‖ public key)
 *   signer    = PRIVATE+KEY+name+hex8(key id)+base64(0x01 ‖ seed)
 */
import { createHash, createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { decodeBase64 } from './hashing.js';

/** Signature type byte of Ed25519 keys. */
export const ED25519 = 0x01;

const SIG_PREFIX = '\u2014 '; // em dash, space
const MAX_SIGNATURES = 100;
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export type NoteErrorReason = 'malformed-note' | 'invalid-key' | 'invalid-signature' | 'unverified';

/** Every failure of this module: a malformed note or key, a bad signature, or no signature by a known key. */
export class NoteError extends Error {
  readonly reason: NoteErrorReason;

  constructor(reason: NoteErrorReason, message: string) {
    super(message);
    this.name = 'NoteError';
    this.reason = reason;
  }
}

export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  readonly publicKey: Buffer;
  /** The verifier key string `name+hex8+base64(0x01 ‖ public key)`, safe to publish. */
  readonly verifierKey: string;
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  readonly publicKey: Buffer;
  readonly verifierKey: string;
  sign(message: Uint8Array): Buffer;
}

/** One signature line of a note. */
export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  /** base64(key id ‖ signature), as on the line. */
  readonly base64: string;
}

export interface VerifiedNote {
  /** The signed text, ending in "\n". */
  readonly text: string;
  /** Signatures that verified with one of the given keys (at least one). */
  readonly verified: NoteSignature[];
  /** Signatures by keys that were not given (not checked). */
  readonly unverified: NoteSignature[];
}

// unicode.IsSpace of Go (the reference implementation's rule for key names).
const SPACE = /[\t\n\v\f\r \u0085\p{Z}]/u;
const LONE_SURROGATE = /\p{Cs}/u;
// ASCII control characters other than newline are not allowed anywhere in a note.
const CONTROL = /[\u0000-\u0009\u000b-\u001f]/;

/** A key name is non-empty, has no Unicode space and no "+". */
export const isValidKeyName = (name: string): boolean =>
  name.length > 0 && !SPACE.test(name) && !name.includes('+') && !LONE_SURROGATE.test(name);

const assertKeyName = (name: string): void => {
  if (!isValidKeyName(name)) {
    throw new NoteError('invalid-key', `invalid key name ${JSON.stringify(name)}: needs no spaces and no "+"`);
  }
};

/** Key id of an Ed25519 key: first 4 bytes, big-endian, of SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key). */
export const keyId = (name: string, publicKey: Uint8Array): number =>
  createHash('sha256').update(name, 'utf8').update('\n').update(Buffer.from([ED25519])).update(publicKey).digest().readUInt32BE(0);

const hex8 = (id: number): string => id.toString(16).padStart(8, '0');

/** `name+hex8(key id)+base64(0x01 ‖ public key)`. */
export const formatVerifierKey = (name: string, publicKey: Uint8Array): string => {
  assertKeyName(name);
  if (publicKey.length !== 32) throw new NoteError('invalid-key', `Ed25519 public key must be 32 bytes`);
  return `${name}+${hex8(keyId(name, publicKey))}+${Buffer.concat([Buffer.from([ED25519]), publicKey]).toString('base64')}`;
};

/** Splits `text` at the first `separator`: [before, after] (after is undefined if absent). */
const chop = (text: string, separator: string): [string, string | undefined] => {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + separator.length)];
};

/** Parses `hex8+base64(0x01 ‖ 32 bytes)` after a key name; returns the id and the 32 key bytes. */
const parseKeyTail = (kind: string, name: string, tail: string | undefined): { id: number; key: Buffer } => {
  assertKeyName(name);
  const [idHex, key64] = chop(tail ?? '', '+');
  if (!/^[0-9a-f]{8}$/i.test(idHex) || key64 === undefined) {
    throw new NoteError('invalid-key', `malformed ${kind} key for ${name}: expected name+hex8+base64`);
  }
  const keyData = decodeBase64(key64);
  if (keyData === undefined || keyData.length !== 33 || keyData[0] !== ED25519) {
    throw new NoteError('invalid-key', `${kind} key for ${name} is not base64 of 0x01 followed by 32 Ed25519 key bytes`);
  }
  return { id: Number.parseInt(idHex, 16), key: keyData.subarray(1) };
};

const publicKeyObject = (name: string, publicKey: Uint8Array): KeyObject => {
  try {
    return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: 'der', type: 'spki' });
  } catch (error) {
    throw new NoteError('invalid-key', `public key of ${name} is not an Ed25519 key: ${(error as Error).message}`);
  }
};

const verifierFrom = (name: string, publicKey: Buffer): NoteVerifier => {
  const key = publicKeyObject(name, publicKey);
  return {
    name,
    keyId: keyId(name, publicKey),
    publicKey: Buffer.from(publicKey),
    verifierKey: formatVerifierKey(name, publicKey),
    verify: (message, signature) => signature.length === 64 && verify(null, message, key, signature),
  };
};

/** Parses a verifier key `name+hex8+base64(0x01 ‖ public key)`; the key id must match the key. */
export const parseVerifierKey = (vkey: string): NoteVerifier => {
  const [name, tail] = chop(vkey, '+');
  const { id, key } = parseKeyTail('verifier', name, tail);
  const verifier = verifierFrom(name, key);
  if (verifier.keyId !== id) {
    throw new NoteError('invalid-key', `verifier key for ${name}: key id ${hex8(id)} does not match the key (${hex8(verifier.keyId)})`);
  }
  return verifier;
};

/** Parses a signer key `PRIVATE+KEY+name+hex8+base64(0x01 ‖ seed)`; the key id must match the derived public key. */
export const parseSignerKey = (skey: string): NoteSigner => {
  const [private_, rest1] = chop(skey, '+');
  const [key_, rest2] = chop(rest1 ?? '', '+');
  if (private_ !== 'PRIVATE' || key_ !== 'KEY') {
    throw new NoteError('invalid-key', 'malformed signer key: expected PRIVATE+KEY+name+hex8+base64');
  }
  const [name, tail] = chop(rest2 ?? '', '+');
  const { id, key: seed } = parseKeyTail('signer', name, tail);
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  const verifier = verifierFrom(name, spki.subarray(SPKI_ED25519_PREFIX.length));
  if (verifier.keyId !== id) {
    throw new NoteError('invalid-key', `signer key for ${name}: key id ${hex8(id)} does not match the key (${hex8(verifier.keyId)})`);
  }
  return {
    name,
    keyId: verifier.keyId,
    publicKey: verifier.publicKey,
    verifierKey: verifier.verifierKey,
    sign: (message) => sign(null, message, privateKey),
  };
};

/** A new random Ed25519 key: the signer, its secret key string (store it outside the log) and its public one. */
export const generateSigner = (name: string): { signer: NoteSigner; signerKey: string; verifierKey: string } => {
  assertKeyName(name);
  const seed = randomBytes(32);
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519_PREFIX.length);
  const signerKey = `PRIVATE+KEY+${name}+${hex8(keyId(name, publicKey))}+${Buffer.concat([Buffer.from([ED25519]), seed]).toString('base64')}`;
  const signer = parseSignerKey(signerKey);
  return { signer, signerKey, verifierKey: signer.verifierKey };
};

const checkText = (text: string, what: string): void => {
  if (!text.endsWith('\n')) throw new NoteError('malformed-note', `${what} must end with a newline`);
  if (CONTROL.test(text)) throw new NoteError('malformed-note', `${what} contains an ASCII control character other than newline`);
  if (LONE_SURROGATE.test(text)) throw new NoteError('malformed-note', `${what} is not valid UTF-8 (lone surrogate)`);
};

/** Signs `text` (which must end in "\n") with each signer, in order, and returns the note. */
export const signNote = (text: string, ...signers: NoteSigner[]): string => {
  checkText(text, 'note text');
  if (signers.length === 0) throw new TypeError('signNote needs at least one signer');
  const message = Buffer.from(text, 'utf8');
  const lines = signers.map((signer) => {
    const id = Buffer.alloc(4);
    id.writeUInt32BE(signer.keyId);
    return `${SIG_PREFIX}${signer.name} ${Buffer.concat([id, signer.sign(message)]).toString('base64')}\n`;
  });
  return `${text}\n${lines.join('')}`;
};

/** Splits a note into its text and signature lines without checking any signature. */
export const parseNote = (note: string): { text: string; signatures: (NoteSignature & { signature: Buffer })[] } => {
  if (CONTROL.test(note)) throw new NoteError('malformed-note', 'note contains an ASCII control character other than newline');
  if (LONE_SURROGATE.test(note)) throw new NoteError('malformed-note', 'note is not valid UTF-8 (lone surrogate)');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new NoteError('malformed-note', 'note has no blank line before its signatures');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block.length === 0 || !block.endsWith('\n')) {
    throw new NoteError('malformed-note', 'note signature block is empty or does not end with a newline');
  }
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw new NoteError('malformed-note', `note has more than ${MAX_SIGNATURES} signatures`);
  const signatures = lines.map((line, i) => {
    const [name, b64] = chop(line.startsWith(SIG_PREFIX) ? line.slice(SIG_PREFIX.length) : '', ' ');
    const bytes = b64 === undefined ? undefined : decodeBase64(b64);
    if (!line.startsWith(SIG_PREFIX) || !isValidKeyName(name) || b64 === undefined || bytes === undefined || bytes.length < 5) {
      throw new NoteError('malformed-note', `note signature line ${i + 1} is not "— <name> <base64(key id ‖ signature)>"`);
    }
    return { name, keyId: bytes.readUInt32BE(0), base64: b64, signature: bytes.subarray(4) };
  });
  return { text, signatures };
};

/**
 * Opens a signed note: every signature by one of `verifiers` (key strings or parsed keys) must be valid and at
 * least one must be present; signatures by other keys are returned unchecked. Throws a NoteError otherwise.
 */
export const verifyNote = (
  note: string,
  verifiers: string | NoteVerifier | readonly (string | NoteVerifier)[],
): VerifiedNote => {
  const known = (Array.isArray(verifiers) ? verifiers : [verifiers]).map((v: string | NoteVerifier) =>
    typeof v === 'string' ? parseVerifierKey(v) : v,
  );
  const { text, signatures } = parseNote(note);
  const message = Buffer.from(text, 'utf8');
  const verified: NoteSignature[] = [];
  const unverified: NoteSignature[] = [];
  const seen = new Set<string>();
  for (const { name, keyId: id, base64, signature } of signatures) {
    if (seen.has(`${name} ${base64}`)) continue;
    seen.add(`${name} ${base64}`);
    const verifier = known.find((v) => v.name === name && v.keyId === id);
    if (verifier === undefined) {
      unverified.push({ name, keyId: id, base64 });
    } else if (verifier.verify(message, signature)) {
      if (!verified.some((s) => s.name === name && s.keyId === id)) verified.push({ name, keyId: id, base64 });
    } else {
      throw new NoteError('invalid-signature', `invalid signature by ${name}+${hex8(id)}`);
    }
  }
  if (verified.length === 0) {
    const names = known.map((v) => `${v.name}+${hex8(v.keyId)}`).join(', ');
    throw new NoteError('unverified', `note has no signature by ${names || 'any given key'}`);
  }
  return { text, verified, unverified };
};

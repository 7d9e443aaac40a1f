/**
 * RFC 9162 §2.1 hashing (same as RFC 6962): SHA-256 with domain separation between leaves and interior nodes,
 * plus the hex and base64 helpers of the audit API and checkpoints (hashes are lowercase hex everywhere except
 * the root inside a checkpoint, which is base64 as C2SP says).
 */
import * as crypto from 'node:crypto';

/** Size in bytes of every leaf, node and root hash. */
export const HASH_SIZE = 32;

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/**
 * One-shot SHA-256 (`crypto.hash`, Node ≥ 20.12): about half the cost of `createHash(…).update(…).digest()` for
 * the short inputs of a Merkle tree, where the per-call overhead dominates. Falls back on older Node 20.
 */
const sha256: (data: Uint8Array | string) => Buffer =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'buffer')
    : (data) => crypto.createHash('sha256').update(data).digest();

/** MTH({d}) = SHA-256(0x00 ‖ d). */
export const leafHash = (leaf: Uint8Array): Buffer => sha256(Buffer.concat([LEAF_PREFIX, leaf]));

/**
 * Reused input of `leafHashOfText`: 0x00 then the text's UTF-8, encoded in place. Encoding into a buffer and hashing
 * the bytes costs about half of hashing the string itself (`crypto.hash` flattens and re-encodes it, slowest for
 * two-byte strings, i.e. any non-ASCII text) and allocates nothing per leaf. Hashing is synchronous, so one buffer
 * serves every call; it grows (to the next power of two) for a leaf longer than any before.
 */
let leafInput = Buffer.alloc(64 * 1024);

/**
 * The leaf hash of the UTF-8 bytes of `text`: SHA-256(0x00 ‖ UTF-8(text)). `text` must be well-formed UTF-16 (no
 * lone surrogates, which would be encoded as U+FFFD): leaf.ts only passes canonical JSON, which guarantees that.
 */
export const leafHashOfText = (text: string): Buffer => {
  // UTF-8 takes at most 3 bytes per UTF-16 code unit.
  if (1 + 3 * text.length > leafInput.length) leafInput = Buffer.alloc(2 ** Math.ceil(Math.log2(1 + 3 * text.length)));
  leafInput[0] = 0x00;
  const length = 1 + leafInput.write(text, 1, 'utf8');
  return sha256(leafInput.subarray(0, length));
};

/**
 * The leaf hash of a leaf already laid out as hash input: `input` is 0x00 ‖ leaf bytes (how the log's second thread
 * receives leaves, several packed in one transferred buffer), so nothing is copied before hashing.
 */
export const leafHashOfInput = (input: Uint8Array): Buffer => {
  if (input[0] !== 0x00) throw new TypeError('a leaf hash input starts with the 0x00 leaf prefix');
  return sha256(input);
};

/** Reused input of `nodeHash` for the usual case of two 32-byte hashes (hashing is synchronous). */
const nodeInput = Buffer.alloc(1 + 2 * HASH_SIZE, 0x01);

/** MTH of an interior node = SHA-256(0x01 ‖ left ‖ right). Accepts any byte strings, as the RFC hasher does. */
export const nodeHash = (left: Uint8Array, right: Uint8Array): Buffer => {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) {
    return crypto.createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
  }
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_SIZE);
  return sha256(nodeInput);
};

const EMPTY_ROOT = crypto.createHash('sha256').digest();

/** MTH({}) = SHA-256 of the empty string: the root of a tree of size 0. */
export const emptyRoot = (): Buffer => Buffer.from(EMPTY_ROOT);

/** Throws a TypeError unless `value` is a 32-byte hash; `what` names it in the message. */
export function assertHash(value: unknown, what: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${what} must be a Uint8Array, got ${typeof value}`);
  if (value.length !== HASH_SIZE) throw new TypeError(`${what} must be ${HASH_SIZE} bytes, got ${value.length}`);
}

/** Byte equality of two hashes (public data, so no constant-time compare is needed). */
export const hashEquals = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);

/** Lowercase hex of any bytes. */
export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** Strict hex decoding: rejects odd lengths and non-hex characters (Buffer.from silently truncates). */
export const fromHex = (hex: string): Buffer => {
  if (!HEX.test(hex)) throw new TypeError(`not a hex string: ${JSON.stringify(hex.length > 80 ? `${hex.slice(0, 80)}…` : hex)}`);
  return Buffer.from(hex, 'hex');
};

/** Strict hex decoding of one 32-byte hash. */
export const hashFromHex = (hex: string): Buffer => {
  const bytes = fromHex(hex);
  assertHash(bytes, 'hash');
  return bytes;
};

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Strict standard base64 (RFC 4648 §4, padded) as C2SP notes use it: rejects other alphabets, missing padding,
 * whitespace and non-zero trailing bits (Buffer.from silently accepts all of them). Returns undefined if invalid.
 */
export const decodeBase64 = (text: string): Buffer | undefined => {
  if (!BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
};

/**
 * RFC 9162 §2.1 hashing (same as RFC 6962): SHA-256 with domain separation between leaves and interior nodes,
 * plus the hex and base64 helpers of the audit API and checkpoints (hashes are lowercase hex everywhere except
 * the root inside a checkpoint, which is base64 as C2SP says).
 */
import { createHash } from 'node:crypto';

/** Size in bytes of every leaf, node and root hash. */
export const HASH_SIZE = 32;

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** MTH({d}) = SHA-256(0x00 ‖ d). */
export const leafHash = (leaf: Uint8Array): Buffer =>
  createHash('sha256').update(LEAF_PREFIX).update(leaf).digest();

/** MTH of an interior node = SHA-256(0x01 ‖ left ‖ right). Accepts any byte strings, as the RFC hasher does. */
export const nodeHash = (left: Uint8Array, right: Uint8Array): Buffer =>
  createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();

const EMPTY_ROOT = createHash('sha256').digest();

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

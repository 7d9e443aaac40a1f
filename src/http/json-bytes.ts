/**
 * `jsonBytes(value)`: the bytes of `Buffer.from(JSON.stringify(value))`, made without the one large string.
 *
 * For an answer of megabytes (a view of 200 indicators is 4–6 MiB) that string is the expensive part: V8 builds a
 * large `JSON.stringify` result as a rope, and turning it into bytes first flattens it into one new string in
 * large-object space — fresh pages every time. Measured on the 2 MiB shared-measurement state: 6.8 ms to stringify,
 * 28 ms with `Buffer.from`; 15 ms this way. Here the value's outer levels are walked and everything below them is
 * stringified in small pieces, each written into one reused scratch buffer; the answer is a copy of what was written.
 * (One difference, which no answer here meets: a `toJSON` method is called without the member's key.)
 */

import { isPlainObject } from '../canonical/plain-object.js';

/**
 * How many levels of objects and arrays are walked; what lies deeper is stringified whole. Each JSON.stringify call
 * has a fixed cost: three levels (answer, view, a section's entries) leave pieces of kilobytes — an indicator of the
 * measurement view, a commitment of the ledger. With a fourth, every member of an indicator was a call of its own,
 * and writing the 3.6 MiB measurement answer of bench:views took longer than `Buffer.from(JSON.stringify(…))` did.
 */
const WALKED_LEVELS = 3;

let scratch = Buffer.allocUnsafeSlow(1 << 20);
let at = 0;

const put = (text: string): void => {
  // UTF-8 takes at most 3 bytes per UTF-16 code unit, and `write` would silently stop at the end of the buffer.
  const needed = at + 3 * text.length;
  if (needed > scratch.length) {
    const grown = Buffer.allocUnsafeSlow(Math.max(needed, 2 * scratch.length));
    scratch.copy(grown, 0, 0, at);
    scratch = grown;
  }
  at += scratch.write(text, at, 'utf8');
};

/** Arrays and plain objects are walked; anything else (a Date, a boxed string, a class) is left to JSON.stringify. */
const walkable = (value: unknown): value is object => Array.isArray(value) || isPlainObject(value);

/** Writes `value` as JSON.stringify would; false (and nothing written) for what it leaves out (undefined, functions, symbols). */
const write = (value: unknown, level: number): boolean => {
  if (level >= WALKED_LEVELS || !walkable(value)) {
    const text = JSON.stringify(value) as string | undefined;
    if (text === undefined) return false;
    put(text);
    return true;
  }
  if (Array.isArray(value)) {
    put('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) put(',');
      if (!write(value[i], level + 1)) put('null');
    }
    put(']');
    return true;
  }
  put('{');
  let first = true;
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    const member = object[key];
    if (level + 1 < WALKED_LEVELS && walkable(member)) {
      put(first ? `${JSON.stringify(key)}:` : `,${JSON.stringify(key)}:`);
      write(member, level + 1);
    } else {
      // Members JSON leaves out (undefined, functions, symbols, a toJSON answering undefined) are left out.
      const text = JSON.stringify(member) as string | undefined;
      if (text === undefined) continue;
      put(first ? `${JSON.stringify(key)}:${text}` : `,${JSON.stringify(key)}:${text}`);
    }
    first = false;
  }
  put('}');
  return true;
};

/** `Buffer.from(JSON.stringify(value))`, byte for byte; throws a TypeError for a value JSON.stringify leaves undefined. */
export const jsonBytes = (value: unknown): Buffer => {
  at = 0;
  if (!write(value, 0)) throw new TypeError(`${typeof value} has no JSON form`);
  // Not Buffer.from(scratch.subarray(…)): that zero-fills the new buffer before copying over it (1–3 ms for 3 MiB).
  const bytes = Buffer.allocUnsafe(at);
  scratch.copy(bytes, 0, 0, at);
  // A rare huge answer should not keep its scratch memory for the life of the process.
  if (scratch.length > 64 << 20) scratch = Buffer.allocUnsafeSlow(1 << 20);
  return bytes;
};

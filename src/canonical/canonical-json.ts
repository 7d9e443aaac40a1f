/**
 * RFC 8785 (JCS) canonical JSON: the leaf bytes of the transparency log, and the form in which the embedded store
 * keeps each event's `data` and `metadata` (so the log assembles a leaf from stored text instead of
 * re-canonicalizing objects; see stored-text.ts).
 *
 * `canonicalize` (the RFC's reference implementation, on npm) is the definition. It costs ~12 µs for a typical
 * 900-byte event; the fast path below ~3–5 µs. The fast path handles plain JSON values (what every store hands out:
 * parsed JSON, or the objects the command layer builds) and gives up — throwing `NotPlainJson`, caught below — on
 * anything else (toJSON, undefined in arrays, functions, symbols, bigints, non-finite numbers, lone surrogates, very
 * deep or cyclic values), which then goes through `canonicalize` itself, so the output and the errors stay exactly
 * those of the reference implementation (a property test compares the two).
 */
import canonicalize from 'canonicalize';

class NotPlainJson extends Error {}
const notPlain = new NotPlainJson();

/** Characters JSON escapes, plus surrogates (checked for well-formedness). */
const SPECIAL = /["\\\u0000-\u001f\ud800-\udfff]/;
const SURROGATE = /[\ud800-\udfff]/;
/** ES2024 String.prototype.isWellFormed (Node ≥ 20). */
const isWellFormed = (text: string): boolean => (text as unknown as { isWellFormed(): boolean }).isWellFormed();

/** RFC 8785 §3.2.2.2: a string serialises as ECMAScript JSON.stringify does; lone surrogates are an error. */
const jsonString = (text: string): string => {
  if (!SPECIAL.test(text)) return `"${text}"`;
  if (SURROGATE.test(text) && !isWellFormed(text)) throw notPlain;
  return JSON.stringify(text);
};

/** `"key":` per property name: names repeat across events, so each is escaped once. */
const memberPrefixes = new Map<string, string>();
const memberPrefix = (key: string): string => {
  let prefix = memberPrefixes.get(key);
  if (prefix === undefined) {
    prefix = `${jsonString(key)}:`;
    if (memberPrefixes.size < 10_000) memberPrefixes.set(key, prefix);
  }
  return prefix;
};

const MAX_DEPTH = 100;

const canonicalValue = (value: unknown, depth: number): string => {
  switch (typeof value) {
    case 'string':
      return jsonString(value);
    case 'number':
      // ECMAScript Number::toString, as RFC 8785 §3.2.2.3 requires (and as JSON.stringify does; -0 gives "0").
      if (!Number.isFinite(value)) throw notPlain;
      return `${value}`;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (depth > MAX_DEPTH) throw notPlain;
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (item === undefined) throw notPlain;
          out += i === 0 ? canonicalValue(item, depth + 1) : `,${canonicalValue(item, depth + 1)}`;
        }
        return `${out}]`;
      }
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') throw notPlain;
      const keys = Object.keys(value);
      // Sorted by UTF-16 code units (RFC 8785 §3.2.3), which is what `<` and the default sort compare.
      for (let i = 1; i < keys.length; i++) {
        if (keys[i - 1]! > keys[i]!) {
          keys.sort();
          break;
        }
      }
      let out = '{';
      for (const key of keys) {
        const member: unknown = (value as Record<string, unknown>)[key];
        if (member === undefined) continue;
        out += `${out.length === 1 ? '' : ','}${memberPrefix(key)}${canonicalValue(member, depth + 1)}`;
      }
      return `${out}}`;
    }
    default:
      throw notPlain;
  }
};

/** The RFC 8785 string of a JSON string value (`"…"`, escaped as JCS says); throws on lone surrogates. */
export const canonicalString = (text: string): string => {
  try {
    return jsonString(text);
  } catch (error) {
    if (!(error instanceof NotPlainJson)) throw error;
    throw new TypeError('a string with a lone surrogate has no canonical JSON form');
  }
};

/**
 * The RFC 8785 canonical JSON text of `value`, exactly as `canonicalize` gives it. Throws a TypeError when the
 * value has no JSON form (undefined at the top, a function, a symbol); errors of `canonicalize` (bigints,
 * non-finite numbers, cycles) propagate.
 */
export const canonicalJson = (value: unknown): string => {
  try {
    return canonicalValue(value, 0);
  } catch (error) {
    if (!(error instanceof NotPlainJson)) throw error;
  }
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no JSON form');
  return text;
};

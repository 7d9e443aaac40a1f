/**
 * Leaves of the transparency log (design §6): one per event, in `seq` order. The leaf bytes are the UTF-8 of the
 * RFC 8785 (JCS) canonical JSON of exactly seven fields; nothing else the caller passes is hashed.
 */
import canonicalize from 'canonicalize';
import { leafHashOfText } from './hashing.js';

/** The seven fields that make a leaf — and exactly what `/audit/events` returns as `event`. */
export interface LogEntry {
  seq: number;
  id: string;
  stream: string;
  revision: number;
  type: string;
  data: unknown;
  metadata: unknown;
}

const isIndex = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/**
 * Picks the seven leaf fields out of `source` (an event with `seq`, possibly carrying more keys) and checks their
 * types, so that what is hashed is well defined. Throws a TypeError naming the offending field.
 */
export const toLogEntry = (source: LogEntry): LogEntry => {
  const { seq, id, stream, revision, type, data, metadata } = source;
  if (!isIndex(seq)) throw new TypeError(`log entry seq must be a non-negative safe integer, got ${String(seq)}`);
  if (!isIndex(revision)) {
    throw new TypeError(`log entry ${seq}: revision must be a non-negative safe integer, got ${String(revision)}`);
  }
  for (const [key, value] of [['id', id], ['stream', stream], ['type', type]] as const) {
    if (typeof value !== 'string') throw new TypeError(`log entry ${seq}: ${key} must be a string`);
  }
  if (data === undefined) throw new TypeError(`log entry ${seq}: data is missing`);
  if (metadata === undefined) throw new TypeError(`log entry ${seq}: metadata is missing`);
  return { seq, id, stream, revision, type, data, metadata };
};

// --- Canonical JSON, fast path ------------------------------------------------------------------------------------
// Leaf hashing is the hot path of the log (bench:tlog): `canonicalize` costs ~12 µs for a typical 900-byte event,
// this ~3 µs. It handles plain JSON values (what every store hands out: parsed JSON) and gives up — throwing
// `NotPlainJson`, caught below — on anything else (toJSON, undefined in arrays, functions, symbols, bigints,
// non-finite numbers, lone surrogates, very deep or cyclic values), which then goes through `canonicalize`
// itself, so the output and the errors stay exactly those of the reference implementation.

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

/**
 * The RFC 8785 canonical JSON of the entry's seven fields (their names sort as data, id, metadata, revision, seq,
 * stream, type).
 */
const leafJson = (entry: LogEntry): string => {
  const checked = toLogEntry(entry);
  try {
    return (
      `{"data":${canonicalValue(checked.data, 1)},"id":${jsonString(checked.id)},` +
      `"metadata":${canonicalValue(checked.metadata, 1)},"revision":${checked.revision},"seq":${checked.seq},` +
      `"stream":${jsonString(checked.stream)},"type":${jsonString(checked.type)}}`
    );
  } catch (error) {
    if (!(error instanceof NotPlainJson)) throw error;
  }
  const json = canonicalize(checked);
  // Unreachable for an object; canonicalize only returns undefined for values JSON cannot represent.
  if (json === undefined) throw new TypeError(`log entry ${entry.seq}: not representable as JSON`);
  return json;
};

/** UTF-8 of the RFC 8785 canonical JSON of `{seq, id, stream, revision, type, data, metadata}`. */
export const leafBytes = (entry: LogEntry): Buffer => Buffer.from(leafJson(entry), 'utf8');

/** RFC 9162 leaf hash of the entry's leaf bytes. */
export const eventLeafHash = (entry: LogEntry): Buffer => leafHashOfText(leafJson(entry));

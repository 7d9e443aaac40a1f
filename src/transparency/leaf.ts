/**
 * Leaves of the transparency log (design §6): one per event, in `seq` order. The leaf bytes are the UTF-8 of the
 * RFC 8785 (JCS) canonical JSON of exactly seven fields; nothing else the caller passes is hashed.
 */
import { canonicalJson, canonicalString } from '../canonical/canonical-json.js';
import { canonicalPayloadOf } from '../canonical/stored-text.js';
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

/**
 * The leaf's text: the RFC 8785 canonical JSON of `{seq, id, stream, revision, type, data, metadata}` (their names
 * sort as data, id, metadata, revision, seq, stream, type). `data` and `metadata` come from the canonical text the
 * store attached to this event when it has (stored-text.ts: the embedded store keeps them canonical), else they are
 * canonicalized here.
 */
export const leafText = (entry: LogEntry): string => {
  const stored = canonicalPayloadOf(entry);
  const checked = toLogEntry(entry);
  const data = stored?.data ?? canonicalJson(checked.data);
  const metadata = stored?.metadata ?? canonicalJson(checked.metadata);
  // join, not `+`: it builds one flat string at once, where `+` makes a rope that writing it out flattens again (about
  // twice the cost per leaf, bench:tlog).
  return [
    '{"data":', data, ',"id":', canonicalString(checked.id), ',"metadata":', metadata, ',"revision":', String(checked.revision),
    ',"seq":', String(checked.seq), ',"stream":', canonicalString(checked.stream), ',"type":', canonicalString(checked.type), '}',
  ].join('');
};

/** UTF-8 of the RFC 8785 canonical JSON of `{seq, id, stream, revision, type, data, metadata}`. */
export const leafBytes = (entry: LogEntry): Buffer => Buffer.from(leafText(entry), 'utf8');

/** RFC 9162 leaf hash of the entry's leaf bytes. */
export const eventLeafHash = (entry: LogEntry): Buffer => leafHashOfText(leafText(entry));

/** Several leaves laid out as hash inputs in one buffer: leaf i is `bytes[ends[i-1] .. ends[i])`, 0x00 first. */
export interface PackedLeafInputs {
  bytes: Uint8Array;
  ends: Uint32Array;
}

/**
 * The leaf hash inputs (0x00 ‖ leaf bytes) of `entries`, packed in one buffer of its own (not the shared Buffer pool),
 * so it can be transferred to the hashing thread without a copy: strings would be cloned on both sides.
 */
export const packLeafInputs = (entries: readonly LogEntry[]): PackedLeafInputs => {
  const texts = entries.map(leafText);
  let size = 0;
  for (const text of texts) size += 1 + Buffer.byteLength(text, 'utf8');
  const bytes = Buffer.allocUnsafeSlow(size);
  const ends = new Uint32Array(texts.length);
  let at = 0;
  texts.forEach((text, i) => {
    bytes[at] = 0x00;
    at += 1 + bytes.write(text, at + 1, 'utf8');
    ends[i] = at;
  });
  return { bytes: new Uint8Array(bytes.buffer, 0, at), ends };
};

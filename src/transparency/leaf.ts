/**
 * Leaves of the transparency log (design §6): one per event, in `seq` order. The leaf bytes are the UTF-8 of the
 * RFC 8785 (JCS) canonical JSON of exactly seven fields; nothing else the caller passes is hashed.
 */
import canonicalize from 'canonicalize';
import { leafHash } from './hashing.js';

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

/** UTF-8 of the RFC 8785 canonical JSON of `{seq, id, stream, revision, type, data, metadata}`. */
export const leafBytes = (entry: LogEntry): Buffer => {
  const json = canonicalize(toLogEntry(entry));
  // Unreachable for an object; canonicalize only returns undefined for values JSON cannot represent.
  if (json === undefined) throw new TypeError(`log entry ${entry.seq}: not representable as JSON`);
  return Buffer.from(json, 'utf8');
};

/** RFC 9162 leaf hash of the entry's leaf bytes. */
export const eventLeafHash = (entry: LogEntry): Buffer => leafHash(leafBytes(entry));

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

/** Reused across calls (packing is synchronous): the chunk is laid out here, then copied once into its own buffer. */
let scratch: Buffer = Buffer.allocUnsafe(256 * 1024);

/**
 * The leaf hash inputs (0x00 ‖ leaf bytes) of `entries`, packed in one buffer of its own (not the shared Buffer pool),
 * so it can be transferred to the hashing thread without a copy: strings would be cloned on both sides.
 *
 * Same bytes as `leafText` encoded, but written piece by piece (the stored payload texts straight from the store's
 * strings) instead of joining each leaf into one new string first: building an ~1 KiB string per leaf cost more
 * than hashing it (bench:tlog append, where this thread lays out while the hashing thread hashes).
 */
export const packLeafInputs = (entries: readonly LogEntry[]): PackedLeafInputs => {
  const ends = new Uint32Array(entries.length);
  let at = 0;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    const stored = canonicalPayloadOf(entry);
    const checked = toLogEntry(entry);
    const data = stored?.data ?? canonicalJson(checked.data);
    const metadata = stored?.metadata ?? canonicalJson(checked.metadata);
    const middle = `,"id":${canonicalString(checked.id)},"metadata":`;
    const tail = `,"revision":${checked.revision},"seq":${checked.seq},"stream":${canonicalString(checked.stream)},"type":${canonicalString(checked.type)}}`;
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    const most = 3 * (LEAF_HEAD.length + data.length + middle.length + metadata.length + tail.length);
    if (at + most > scratch.length) scratch = grown(scratch, at, at + most);
    at += scratch.write(LEAF_HEAD, at, 'latin1');
    at += scratch.write(data, at);
    at += scratch.write(middle, at);
    at += scratch.write(metadata, at);
    at += scratch.write(tail, at);
    ends[i] = at;
  }
  const bytes = new Uint8Array(spareBufferOf(at), 0, at);
  bytes.set(scratch.subarray(0, at));
  return { bytes, ends };
};

/**
 * Packed buffers the hashing thread gave back, for the next chunks: the thread returns each one with its answer, so a
 * long catch-up circulates a few buffers instead of touching fresh memory for every chunk (on the VMs measured here a
 * first touch costs ~12 µs per 4 KiB page, as much as laying the leaves out).
 */
const spareBuffers: ArrayBuffer[] = [];
const SPARE_BUFFERS = 8;

/** A spare buffer of at least `size` bytes, or a new one (rounded up to a power of two so that it is reused). */
const spareBufferOf = (size: number): ArrayBuffer => {
  const index = spareBuffers.findIndex((buffer) => buffer.byteLength >= size);
  if (index >= 0) return spareBuffers.splice(index, 1)[0]!;
  return new ArrayBuffer(2 ** Math.ceil(Math.log2(Math.max(size, 1))));
};

/** Takes back the buffer of a `packLeafInputs` result that is no longer read (the hashing thread is done with it). */
export const recyclePackedBuffer = (buffer: ArrayBuffer): void => {
  if (spareBuffers.length < SPARE_BUFFERS) spareBuffers.push(buffer);
};

/** The leaf prefix 0x00 and the start of every leaf's text. */
const LEAF_HEAD = '\0{"data":';

/** A copy of `buffer`'s first `used` bytes in a buffer of at least `needed` bytes (a power of two). */
const grown = (buffer: Buffer, used: number, needed: number): Buffer => {
  const larger = Buffer.allocUnsafe(2 ** Math.ceil(Math.log2(needed)));
  buffer.copy(larger, 0, 0, used);
  return larger;
};

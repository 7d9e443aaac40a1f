/**
 * Checks one entry of `GET /audit/events` against its place in the log, without trusting any of it: the entry
 * and its event must carry the expected seq, the event must be exactly the seven leaf fields, and the leaf hash
 * recomputed from the event must be the one served. Pure: no I/O.
 */
import { eventLeafHash, type LogEntry } from '../transparency/leaf.js';
import { HASH_SIZE, hashEquals, hashFromHex, toHex } from '../transparency/hashing.js';
import type { Failure } from './report.js';

export interface EntryVerdict {
  readonly seq: number;
  /**
   * The hash this leaf gets in the verifier's tree: recomputed from the event when there is one (even if it
   * disagrees with the served hash — the tree is then the tree of what was served), the served hash for a
   * redacted entry, zeros when neither is usable.
   */
  readonly hash: Buffer;
  /** ok: recomputed and equal to the served hash; redacted: no event served, hash taken as served. */
  readonly status: 'ok' | 'redacted' | 'bad';
  readonly failure?: Failure;
  /** For an `ok` entry: the event exactly as hashed into its leaf (what a replay may trust once the root checks). */
  readonly event?: LogEntry;
}

const LEAF_FIELDS = ['data', 'id', 'metadata', 'revision', 'seq', 'stream', 'type'];

/** First 12 hex digits, for messages. */
export const shortHash = (hash: Uint8Array): string => `${toHex(hash).slice(0, 12)}…`;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const parseHash = (value: unknown): Buffer | undefined => {
  if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value)) return undefined;
  return hashFromHex(value);
};

const recompute = (event: Record<string, unknown>): Buffer | Error => {
  try {
    return eventLeafHash(event as unknown as LogEntry);
  } catch (error) {
    return error as Error;
  }
};

export const checkEntry = (raw: unknown, seq: number): EntryVerdict => {
  const bad = (hash: Buffer | undefined, kind: Failure['kind'], message: string): EntryVerdict => ({
    seq,
    hash: hash ?? Buffer.alloc(HASH_SIZE),
    status: 'bad',
    failure: { kind, seq, message },
  });
  if (!isObject(raw)) return bad(undefined, 'malformed', 'the entry is not an object');
  const served = parseHash(raw.leafHash);
  const event = raw.event;
  const recomputed = isObject(event) ? recompute(event) : undefined;
  const ours = recomputed instanceof Buffer ? recomputed : served;

  if (raw.seq !== seq) return bad(ours, 'seq', `the server sent the entry of seq ${JSON.stringify(raw.seq)} in the place of seq ${seq}`);
  if (served === undefined) return bad(ours, 'malformed', `the entry's leafHash ${JSON.stringify(raw.leafHash)} is not 64 lowercase hex digits`);
  if (event === undefined) return { seq, hash: served, status: 'redacted' };
  if (!isObject(event)) return bad(served, 'malformed', 'the entry\'s event is not an object');
  if (event.seq !== seq) return bad(ours, 'seq', `the event of seq ${seq} says it is seq ${JSON.stringify(event.seq)}`);
  const extra = Object.keys(event).filter((key) => !LEAF_FIELDS.includes(key));
  if (extra.length > 0) return bad(ours, 'malformed', `the event carries fields that are not part of its leaf: ${extra.join(', ')}`);
  if (recomputed instanceof Error) return bad(served, 'malformed', `the event cannot be hashed: ${recomputed.message}`);
  if (recomputed === undefined) return bad(served, 'malformed', 'the entry has no event');
  if (!hashEquals(recomputed, served)) {
    return bad(
      recomputed,
      'leaf-hash',
      `the served event does not hash to the log's leaf hash (the event hashes to ${shortHash(recomputed)}, the leaf is ${shortHash(served)}): the event was altered after it was logged`,
    );
  }
  return { seq, hash: recomputed, status: 'ok', event: event as unknown as LogEntry };
};

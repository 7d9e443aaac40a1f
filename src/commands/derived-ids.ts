import { createHash, randomUUID } from 'node:crypto';

/**
 * A UUID (version 8, name-based) from SHA-256 of the parts. With an `Idempotency-Key`, event and resource
 * ids are derived from (acting key, idempotency key, purpose), so a retry, even on another instance, names
 * the same events and the store stores them once.
 */
export const derivedUuid = (...parts: string[]): string => {
  const bytes = createHash('sha256').update(parts.join('\u0000')).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

/**
 * A new UUID, version 7 (RFC 9562): the Unix time in milliseconds, then 74 random bits. Ids made one after the
 * other sort together, so the B-trees keyed by them (the store's `UNIQUE(id)`, the directory) take each new one
 * next to the last instead of on a random page: a random UUID dirtied one page per insert, written out at every
 * commit (the directory's inserts took 4× longer with random ids, about 40 µs per event here).
 */
export const timeOrderedUuid = (now = Date.now()): string => {
  const random = randomUUID(); // xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx: its variant bits are already 10
  const time = now.toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(15)}`;
};

/** A new resource id: derived from the idempotency key when there is one, time-ordered otherwise. */
export const newResourceId = (context: { actor: { keyId: string }; idempotencyKey?: string }, purpose = 'resource'): string =>
  context.idempotencyKey ? derivedUuid('resource', context.actor.keyId, context.idempotencyKey, purpose) : timeOrderedUuid();

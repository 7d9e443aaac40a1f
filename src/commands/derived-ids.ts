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

/** A new resource id: derived from the idempotency key when there is one, random otherwise. */
export const newResourceId = (context: { actor: { keyId: string }; idempotencyKey?: string }, purpose = 'resource'): string =>
  context.idempotencyKey ? derivedUuid('resource', context.actor.keyId, context.idempotencyKey, purpose) : randomUUID();

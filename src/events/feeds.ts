import { z } from 'zod';
import { idSchema, httpUrlSchema, nonNegativeIntSchema, reasonSchema, uniqueArray } from './common.js';

/**
 * Webhook subscriptions are events (design §8). The signing secret is shown once at creation and never enters
 * the log: it is derived from the server secret and the subscription id (src/secrets/server-secret.ts) whenever
 * it is shown or used, so no field here holds it or a reference to it.
 */

/** An event type name as the catalog spells it (PascalCase). Whether it exists is checked where the catalog is known. */
export const eventTypeNameSchema = z.string().regex(/^[A-Z][A-Za-z0-9]{0,63}$/, 'must be an event type name');

export const subscriptionCreatedSchema = z.strictObject({
  subscriptionId: idSchema,
  initiativeId: idSchema,
  url: httpUrlSchema,
  /**
   * Event types delivered; an empty list or `*` means every type. `checkpoint` adds the transparency log's signed
   * checkpoints (design §6: pushed to feeds to be witnessed); without an event type or `*`, it delivers checkpoints
   * only. The names of the SSE `types=` filter.
   */
  types: uniqueArray(z.union([eventTypeNameSchema, z.literal('*'), z.literal('checkpoint')]), { max: 100 }),
  /** The partner that owns the subscription and may read its delivery log, if any. */
  partnerId: idSchema.optional(),
});
export type SubscriptionCreated = z.infer<typeof subscriptionCreatedSchema>;

/** Recorded by the service (`system`) when an endpoint has failed for long, or by an operator. */
export const subscriptionDisabledSchema = z.strictObject({
  subscriptionId: idSchema,
  reason: reasonSchema,
  /** The last seq delivered successfully; on re-enable delivery catches up from the next one. */
  lastSeq: nonNegativeIntSchema.optional(),
});
export type SubscriptionDisabled = z.infer<typeof subscriptionDisabledSchema>;

export const subscriptionEnabledSchema = z.strictObject({
  subscriptionId: idSchema,
  reason: reasonSchema.optional(),
});
export type SubscriptionEnabled = z.infer<typeof subscriptionEnabledSchema>;

export const subscriptionRemovedSchema = z.strictObject({
  subscriptionId: idSchema,
  reason: reasonSchema.optional(),
});
export type SubscriptionRemoved = z.infer<typeof subscriptionRemovedSchema>;

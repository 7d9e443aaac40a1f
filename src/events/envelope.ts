import { z } from 'zod';

/** Roles of design §7; `system` marks events the service records on its own (e.g. a disabled webhook). */
export const roleSchema = z.enum(['admin', 'backbone', 'partner', 'auditor', 'viewer', 'system']);
export type Role = z.infer<typeof roleSchema>;

export const actorSchema = z
  .object({
    keyId: z.string().min(1).max(128),
    role: roleSchema,
    /** The initiative a scoped key belongs to (backbone, partner, scoped auditor or viewer). */
    initiativeId: z.uuid().optional(),
    partnerId: z.uuid().optional(),
  })
  .strict();
export type Actor = z.infer<typeof actorSchema>;

/** RFC 3339 date-time with an explicit offset (`Z` or `±hh:mm`). */
export const timestampSchema = z.iso.datetime({ offset: true }).max(40);

export const eventMetadataSchema = z
  .object({
    actor: actorSchema,
    recordedAt: timestampSchema,
    occurredAt: timestampSchema.optional(),
    correlationId: z.string().min(1).max(128),
    causationId: z.string().min(1).max(128),
    schemaVersion: z.number().int().positive(),
    /** The client's `Idempotency-Key`: a retry with the same key from the same key id replays the first receipt. */
    idempotencyKey: z.string().min(1).max(200).optional(),
  })
  .strict();
export type EventMetadata = z.infer<typeof eventMetadataSchema>;

/**
 * An event as the store keeps it (design §2). `revision` is the 0-based position inside its stream;
 * the global `seq` is assigned later by the follower and is not part of the stored envelope.
 */
export interface EventEnvelope<TType extends string = string, TData = unknown> {
  id: string;
  type: TType;
  stream: string;
  revision: number;
  data: TData;
  metadata: EventMetadata;
}

/** One schema per event type: the data schema and the version it is written with. */
export interface EventDefinition<TType extends string = string, TData extends z.ZodType = z.ZodType> {
  type: TType;
  schemaVersion: number;
  data: TData;
}

export const defineEvent = <TType extends string, TData extends z.ZodType>(
  type: TType,
  schemaVersion: number,
  data: TData,
): EventDefinition<TType, TData> => ({ type, schemaVersion, data });

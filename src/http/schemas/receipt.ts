import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Receipt } from '../../commands/receipt.js';

export const receiptSchema = z
  .object({
    id: z.uuid().describe('the resource the write created or changed'),
    eventId: z.uuid().describe('the event that recorded the write'),
    stream: z.string(),
    revision: z.number().int().min(0),
    seq: z.number().int().min(0).nullable().describe('position in the global order; null if not yet applied locally'),
    inclusion: z.string().optional().describe('where to fetch the transparency-log inclusion proof of this event'),
  })
  .meta({ id: 'Receipt' });

/**
 * The 201 every write answers with: the receipt, its inclusion-proof link and, for a new resource, Location.
 * The body is built here member by member in the documented shape and sent as JSON text: checking it against
 * the zod schema on the way out (what the route's serializer does with an object) was per-request work that
 * need not be there.
 */
export const sendReceipt = (reply: FastifyReply, receipt: Receipt, location?: string, extra: Record<string, unknown> = {}) => {
  if (location) reply.header('location', location);
  if (receipt.replayed) reply.header('idempotent-replayed', 'true');
  const { id, eventId, stream, revision, seq } = receipt;
  const body: z.input<typeof receiptSchema> = { id, eventId, stream, revision, seq };
  if (seq !== null) body.inclusion = `/audit/proof/inclusion?seq=${seq}`;
  return reply.code(201).type('application/json; charset=utf-8').send(JSON.stringify({ ...body, ...extra }));
};

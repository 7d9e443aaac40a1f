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

/** The 201 every write answers with: the receipt, its inclusion-proof link and, for a new resource, Location. */
export const sendReceipt = (reply: FastifyReply, receipt: Receipt, location?: string, extra: Record<string, unknown> = {}) => {
  if (location) reply.header('location', location);
  const { replayed, events: _events, ...body } = receipt;
  if (replayed) reply.header('idempotent-replayed', 'true');
  const inclusion = body.seq === null ? undefined : `/audit/proof/inclusion?seq=${body.seq}`;
  return reply.code(201).send({ ...body, ...(inclusion ? { inclusion } : {}), ...extra });
};

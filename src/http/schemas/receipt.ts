import { z } from 'zod';

export const receiptSchema = z
  .object({
    id: z.uuid().describe('the resource the write created or changed'),
    eventId: z.uuid().describe('the event that recorded the write'),
    stream: z.string(),
    revision: z.number().int().min(0),
    seq: z.number().int().min(0).nullable().describe('position in the global order; null if not yet applied locally'),
  })
  .meta({ id: 'Receipt' });

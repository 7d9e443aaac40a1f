import { z } from 'zod';
import { decisionOutcomeSchema, decisionRuleSchema } from '../../events/governance.js';
import { actorRefSchema } from './common.js';

/**
 * The decisions register's answers (projections/decisions-register.ts): `GET /initiatives/:id/decisions`
 * (`decisionsQuery`) and the decision read by id (`decisionQuery`).
 */

export const voteSchema = z
  .strictObject({ partnerId: z.string(), option: z.string(), comment: z.string().optional(), castAt: z.string(), seq: z.number().int().describe('the seq of the vote') })
  .meta({ id: 'Vote' });

export const decisionSchema = z
  .strictObject({
    id: z.string(),
    title: z.string(),
    description: z.string().optional(),
    options: z.array(z.string()),
    status: z.enum(['open', 'closed', 'recorded']).describe('`recorded`: taken in a meeting and recorded after the fact'),
    rule: decisionRuleSchema.optional().describe('proposals only'),
    quorum: z.number().optional().describe('proposals only: the fraction of active partners that must vote'),
    closesAt: z.string().optional(),
    proposedAt: z.string(),
    proposedBy: actorRefSchema.describe('the key that proposed (or recorded) it'),
    proposingPartnerId: z
      .string()
      .optional()
      .describe('the partner that put it forward, when named (`proposedBy` is the key that recorded it)'),
    votes: z.array(voteSchema).describe('the vote that counts, per partner'),
    voteHistory: z.array(voteSchema).describe('every vote cast, in order (a changed vote stays visible)'),
    outcome: decisionOutcomeSchema.optional().describe('once closed, or as recorded'),
    winningOption: z.string().optional().describe('the adopted option (for a recorded decision, the one the meeting chose)'),
    tally: z.record(z.string(), z.number()).optional().describe('option → votes that count, once closed'),
    votesCast: z.number().int().optional(),
    eligibleVoters: z.number().int().optional(),
    closedAt: z.string().optional(),
    takenAt: z.string().optional().describe('when a recorded decision was taken'),
  })
  .meta({ id: 'Decision', description: 'a decision as the decisions register shows it' });

export const decisionsViewSchema = z.array(decisionSchema).meta({ id: 'DecisionsView', description: 'the decisions register of an initiative, in proposal order' });

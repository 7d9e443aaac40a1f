import { z } from 'zod';
import { raciRoleSchema, sectorSchema } from '../../events/common.js';
import { indicatorDefinitionFields } from './common.js';

/**
 * The common agenda's answers (projections/common-agenda.ts): `GET /initiatives/:id/agenda` (`agendaQuery`), and
 * the initiative, partner, goal and strategy read by id (`summaryOf`, `partnerQuery`, `goalQuery`, `strategyQuery`).
 */

const initiativeFields = {
  id: z.string(),
  name: z.string(),
  problemStatement: z.string(),
  geography: z.string().optional(),
  launchedAt: z.string().describe('when it was launched (recordedAt of InitiativeLaunched)'),
};

export const initiativeSchema = z.strictObject(initiativeFields).meta({ id: 'Initiative', description: 'an initiative: who it is and what problem it works on' });

export const initiativeSummarySchema = z
  .strictObject({
    ...initiativeFields,
    counts: z.strictObject({
      partners: z.number().int().describe('every partner that joined, including those that left'),
      activePartners: z.number().int(),
      goals: z.number().int(),
      strategies: z.number().int(),
      indicators: z.number().int(),
    }),
  })
  .meta({ id: 'InitiativeSummary', description: 'an initiative as the common agenda knows it, with counts' });

const agendaPartnerFields = {
  id: z.string(),
  name: z.string(),
  sector: sectorSchema,
  primaryInterests: z.array(z.string()),
  isBackbone: z.boolean(),
  status: z.enum(['active', 'left']),
  joinedAt: z.string(),
  leftAt: z.string().optional().describe('when it left, if it did'),
};

export const agendaPartnerSchema = z.strictObject(agendaPartnerFields).meta({ id: 'AgendaPartner', description: 'a partner as the agenda lists it' });

export const partnerSchema = z
  .strictObject({
    ...agendaPartnerFields,
    goalIds: z.array(z.string()).describe('its row of the alignment table: the goals it has committed toward (directly or through a strategy)'),
    responsibilities: z.array(z.strictObject({ strategyId: z.string(), role: raciRoleSchema })).describe('its RACI role for each strategy it has one for'),
  })
  .meta({ id: 'Partner', description: 'a partner as the common agenda shows it, with its alignment and RACI roles' });

export const goalSchema = z
  .strictObject({
    id: z.string(),
    title: z.string(),
    description: z.string().optional(),
    revisions: z.number().int().describe('how many times it was revised'),
    strategyIds: z.array(z.string()).describe('its strategies, in adoption order (GET /strategies/{id})'),
    indicatorIds: z.array(z.string()).describe('its indicators, in definition order (GET /indicators/{id})'),
  })
  .meta({ id: 'Goal', description: 'a goal of the common agenda' });

export const strategySchema = z
  .strictObject({
    id: z.string(),
    goalId: z.string(),
    title: z.string(),
    description: z.string().optional(),
    raci: z.record(z.string(), raciRoleSchema).describe('its RACI responsibilities: partner id → R, A, C or I'),
  })
  .meta({ id: 'Strategy', description: 'a strategy of the common agenda with its RACI responsibilities' });

export const targetEntrySchema = z
  .strictObject({
    periodEnd: z.string(),
    value: z.number().optional().describe('numeric measures'),
    narrative: z.string().optional().describe('qualitative measures'),
    reason: z.string().optional().describe('why it was revised; absent for a target set when the indicator was defined'),
    seq: z.number().int().describe('the seq of the event that set it'),
    recordedAt: z.string(),
  })
  .meta({ id: 'TargetEntry', description: 'a target as it was set or revised' });

export const agendaIndicatorSchema = z
  .strictObject({
    ...indicatorDefinitionFields,
    targets: z.array(targetEntrySchema).describe('the targets that stand now, by period end'),
    targetHistory: z.array(targetEntrySchema).describe('every target that ever stood, in the order they were set'),
  })
  .meta({ id: 'AgendaIndicator', description: 'an indicator as the agenda lists it under its goal, with its versioned targets (figures: /measurement)' });

export const agendaViewSchema = z
  .strictObject({
    initiative: initiativeSchema,
    partners: z.array(agendaPartnerSchema).describe('every partner that joined, in joining order, those that left included'),
    partnersBySector: z.partialRecord(sectorSchema, z.array(z.string())).describe('sector → its partners\' ids; only sectors with partners'),
    goals: z
      .array(
        z.strictObject({
          id: z.string(),
          title: z.string(),
          description: z.string().optional(),
          strategies: z.array(strategySchema).describe('in adoption order'),
          indicators: z.array(agendaIndicatorSchema).describe('in definition order'),
        }),
      )
      .describe('in adoption order'),
    raci: z.array(z.strictObject({ strategyId: z.string(), partnerId: z.string(), role: raciRoleSchema })).describe('the RACI matrix, one cell per row'),
    alignment: z
      .array(z.strictObject({ partnerId: z.string(), primaryInterests: z.array(z.string()), goalIds: z.array(z.string()).describe('goals it has made commitments toward') }))
      .describe('the alignment table: partner → primary interests → goals it commits to'),
  })
  .meta({ id: 'AgendaView', description: 'the common agenda of an initiative' });

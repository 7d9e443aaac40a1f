import { z } from 'zod';
import { sectorSchema } from '../../events/common.js';
import { byCurrencySchema } from './common.js';

/** The equity lens's answer (projections/equity-lens.ts): `GET /initiatives/:id/equity` (`equityQuery`). */

const percent = (of: string) => z.number().nullable().describe(`percent of the initiative's ${of}, one decimal; null when there is none`);

export const equitySectorSchema = z
  .strictObject({
    sector: z
      .enum([...sectorSchema.options, 'unknown', 'unattributed'])
      .describe('a sector of design §1; `unknown`: contributions of a partner the lens does not know; `unattributed`: proposals that name no partner (`proposingPartnerId`) and whose key has none (backbone, admin)'),
    partners: z.number().int().describe('partners that joined, those that left included'),
    activePartners: z.number().int(),
    money: byCurrencySchema.describe('contributed money per currency (reversals removed)'),
    hours: z.number().describe('contributed staff hours (reversals removed)'),
    votes: z.number().int().describe('votes that count (the latest per partner per decision)'),
    proposals: z.number().int().describe('decisions its partners put forward (`proposingPartnerId`, else the proposing key\'s partner), proposed or recorded from a meeting'),
    activityParticipations: z.number().int().describe('activities its partners took part in (one per partner per activity)'),
    raciRoles: z.number().int().describe('RACI cells its partners hold'),
    shareOfMoney: z.record(z.string(), z.number().nullable()).describe('ISO 4217 currency → percent of the money contributed in it, one decimal'),
    shareOfHours: percent('hours'),
    shareOfVotes: percent('votes'),
    shareOfProposals: percent('proposals'),
  })
  .meta({ id: 'EquitySector', description: 'one sector\'s resources beside its votes and proposals' });

export const equityViewSchema = z
  .strictObject({
    sectors: z.array(equitySectorSchema).describe('every sector of design §1 (with zeros where nothing happened), then `unknown` and `unattributed` where they occur'),
    community: z
      .strictObject({
        activePartners: z.number().int(),
        shareOfVotes: percent('votes'),
        shareOfProposals: percent('proposals'),
        activityParticipations: z.number().int(),
        raciRoles: z.number().int(),
      })
      .describe('how the community sector takes part'),
  })
  .meta({ id: 'EquityView', description: 'the equity lens of an initiative: per sector, share of resources beside share of votes and proposals' });

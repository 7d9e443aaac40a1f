import { z } from 'zod';
import { commitmentKindSchema } from '../../events/resources.js';
import { byCurrencySchema, moneySchema } from './common.js';

/**
 * The resource ledger's answers (projections/resource-ledger.ts): `GET /initiatives/:id/ledger` (`ledgerQuery`),
 * and the commitment and contribution read by id (`commitmentQuery`, `contributionQuery`).
 */

export const totalsSchema = z
  .strictObject({
    money: byCurrencySchema,
    hours: z.number().describe('staff time'),
    estimatedValue: byCurrencySchema.describe('ISO 4217 currency → decimal string total of in-kind estimated value'),
  })
  .meta({ id: 'Totals', description: 'money per currency, hours and in-kind value per currency, side by side (never converted or summed across)' });

export const contributionSchema = z
  .strictObject({
    id: z.string(),
    partnerId: z.string(),
    commitmentId: z.string().optional().describe('absent for an unplanned contribution'),
    money: moneySchema.optional(),
    hours: z.number().optional(),
    description: z.string().optional(),
    estimatedValue: moneySchema.optional(),
    date: z.string(),
    evidence: z.strictObject({ url: z.string(), sha256: z.string().describe('lowercase hex SHA-256 of the document') }).optional(),
    reversed: z.boolean(),
    recordedAt: z.string(),
  })
  .meta({ id: 'Contribution', description: 'a contribution as the resource ledger shows it' });

const ledgerCommitmentFields = {
  id: z.string(),
  partnerId: z.string(),
  goalId: z.string().optional(),
  strategyId: z.string().optional(),
  kind: commitmentKindSchema,
  money: moneySchema.optional(),
  hours: z.number().optional(),
  description: z.string().optional(),
  estimatedValue: moneySchema.optional(),
  dueDate: z.string(),
  status: z.enum(['active', 'withdrawn']),
  revisions: z.number().int(),
  contributionIds: z.array(z.string()),
  delivered: totalsSchema.describe('what its contributions (not reversed) delivered'),
  fulfilmentPercent: z.number().nullable().describe('delivered against pledged in the pledge\'s own terms (money, hours or estimated value), one decimal; null when there is nothing to measure'),
  overdue: z.boolean().describe('active, past its due date at the asOf point, and not fulfilled'),
};

export const ledgerCommitmentSchema = z
  .strictObject(ledgerCommitmentFields)
  .meta({ id: 'LedgerCommitment', description: 'a commitment as the ledger lists it, with what was delivered against it' });

export const commitmentSchema = z
  .strictObject({ ...ledgerCommitmentFields, contributions: z.array(contributionSchema).describe('its contributions, reversed ones included (marked)') })
  .meta({ id: 'Commitment', description: 'a commitment as the resource ledger shows it' });

const committedBesideContributed = z
  .strictObject({ committed: totalsSchema.describe('active commitments (withdrawn ones left out)'), contributed: totalsSchema.describe('contributions not reversed') })
  .meta({ id: 'CommittedContributed', description: 'what was committed beside what was contributed, in the same terms' });

export const ledgerViewSchema = z
  .strictObject({
    commitments: z.array(ledgerCommitmentSchema).describe('in the order they were made'),
    contributions: z.array(contributionSchema).describe('in the order they were recorded, reversed ones included (marked)'),
    overdue: z.array(z.string()).describe('ids of the overdue commitments'),
    byPartner: z.record(z.string(), committedBesideContributed).describe('partner id → committed beside contributed'),
    bySector: z.record(z.string(), committedBesideContributed).describe('sector (`unknown` for a partner the ledger does not know) → committed beside contributed'),
    byGoal: z.record(z.string(), committedBesideContributed).describe('goal id (directly or through its strategy) → committed beside contributed'),
  })
  .meta({ id: 'LedgerView', description: 'commitments against contributions of an initiative' });

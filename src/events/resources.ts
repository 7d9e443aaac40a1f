import { z } from 'zod';
import {
  dateSchema,
  descriptionSchema,
  exactlyOne,
  hoursSchema,
  httpUrlSchema,
  idSchema,
  positiveMoneySchema,
  reasonSchema,
  sha256HexSchema,
} from './common.js';

/**
 * Commitments (pledges, stream `commitment-<id>`) and contributions (what was delivered, against a
 * commitment or unplanned). Different currencies and hours are never summed: they stay separate fields.
 */

export const commitmentKindSchema = z.enum(['funding', 'staff_time', 'in_kind', 'data', 'other']);
export type CommitmentKind = z.infer<typeof commitmentKindSchema>;

const forbid = (ctx: z.RefinementCtx, field: string, why: string): void => {
  ctx.addIssue({ code: 'custom', path: [field], message: why });
};

export const commitmentMadeSchema = z
  .strictObject({
    commitmentId: idSchema,
    initiativeId: idSchema,
    partnerId: idSchema,
    goalId: idSchema.optional(),
    strategyId: idSchema.optional(),
    kind: commitmentKindSchema,
    money: positiveMoneySchema.optional(),
    hours: hoursSchema.optional(),
    description: descriptionSchema.optional(),
    /** What an in-kind (or staff-time, data, other) pledge is worth; never summed with funding. */
    estimatedValue: positiveMoneySchema.optional(),
    dueDate: dateSchema,
  })
  .superRefine(exactlyOne('goalId', 'strategyId'))
  .superRefine((d, ctx) => {
    if (d.kind === 'funding') {
      if (d.money === undefined) forbid(ctx, 'money', 'a funding commitment needs money');
      if (d.estimatedValue !== undefined) forbid(ctx, 'estimatedValue', 'a funding commitment states its value as money');
    } else if (d.money !== undefined) {
      forbid(ctx, 'money', `only a funding commitment has money (use estimatedValue for ${d.kind})`);
    }
    if (d.kind === 'staff_time' && d.hours === undefined) forbid(ctx, 'hours', 'a staff_time commitment needs hours');
    if (d.kind !== 'staff_time' && d.hours !== undefined) forbid(ctx, 'hours', 'only a staff_time commitment has hours');
    if ((d.kind === 'in_kind' || d.kind === 'data' || d.kind === 'other') && d.description === undefined) {
      forbid(ctx, 'description', `a ${d.kind} commitment needs a description`);
    }
  });
export type CommitmentMade = z.infer<typeof commitmentMadeSchema>;

/**
 * The changed fields and the reason. Whether money / hours fit the commitment's kind is the decider's check
 * (the kind is in the stream, not in this event).
 */
export const commitmentRevisedSchema = z
  .strictObject({
    commitmentId: idSchema,
    money: positiveMoneySchema.optional(),
    hours: hoursSchema.optional(),
    description: descriptionSchema.optional(),
    estimatedValue: positiveMoneySchema.optional(),
    dueDate: dateSchema.optional(),
    reason: reasonSchema,
  })
  .refine(
    (d) => [d.money, d.hours, d.description, d.estimatedValue, d.dueDate].some((v) => v !== undefined),
    { path: ['reason'], message: 'a revision changes at least one of money, hours, description, estimatedValue, dueDate' },
  );
export type CommitmentRevised = z.infer<typeof commitmentRevisedSchema>;

export const commitmentWithdrawnSchema = z.strictObject({
  commitmentId: idSchema,
  reason: reasonSchema,
});
export type CommitmentWithdrawn = z.infer<typeof commitmentWithdrawnSchema>;

/** A document backing a contribution: where it is and the SHA-256 of its bytes. */
export const evidenceSchema = z.strictObject({ url: httpUrlSchema, sha256: sha256HexSchema });
export type Evidence = z.infer<typeof evidenceSchema>;

export const contributionRecordedSchema = z
  .strictObject({
    contributionId: idSchema,
    initiativeId: idSchema,
    partnerId: idSchema,
    /** Absent for an unplanned contribution. */
    commitmentId: idSchema.optional(),
    money: positiveMoneySchema.optional(),
    hours: hoursSchema.optional(),
    description: descriptionSchema.optional(),
    estimatedValue: positiveMoneySchema.optional(),
    date: dateSchema,
    evidence: evidenceSchema.optional(),
  })
  .superRefine((d, ctx) => {
    if (d.money === undefined && d.hours === undefined && d.description === undefined) {
      forbid(ctx, 'money', 'a contribution has money, hours or a description');
    }
    if (d.money !== undefined && d.hours !== undefined) forbid(ctx, 'hours', 'give either money or hours, not both');
    if (d.money !== undefined && d.estimatedValue !== undefined) {
      forbid(ctx, 'estimatedValue', 'a money contribution states its value as money');
    }
  });
export type ContributionRecorded = z.infer<typeof contributionRecordedSchema>;

export const contributionReversedSchema = z.strictObject({
  contributionId: idSchema,
  /** The commitment it was recorded against, if any (so the event routes without a lookup). */
  commitmentId: idSchema.optional(),
  reason: reasonSchema,
});
export type ContributionReversed = z.infer<typeof contributionReversedSchema>;

import { z } from 'zod';
import {
  commentSchema,
  descriptionSchema,
  idSchema,
  nonNegativeIntSchema,
  text,
  timestampSchema,
  titleSchema,
  uniqueArray,
} from './common.js';

/**
 * Events of the decision stream (`decision-<id>`): proposed with options, voted on (one vote per partner, the
 * latest counts while open), closed with a tally; or recorded as taken in a meeting.
 */

/** An option's label; it keys the tally, so it cannot be `__proto__` (which a parsed record would drop). */
export const optionSchema = text(200).refine((o) => o !== '__proto__', 'is not a usable option name');

export const decisionRuleSchema = z.enum(['majority', 'two_thirds', 'consensus']);
export type DecisionRule = z.infer<typeof decisionRuleSchema>;

export const decisionOutcomeSchema = z.enum(['adopted', 'rejected', 'no_quorum']);
export type DecisionOutcome = z.infer<typeof decisionOutcomeSchema>;

export const decisionProposedSchema = z.strictObject({
  decisionId: idSchema,
  initiativeId: idSchema,
  title: titleSchema,
  description: descriptionSchema.optional(),
  options: uniqueArray(optionSchema, { min: 2, max: 20 }),
  rule: decisionRuleSchema,
  /** Fraction of active partners that must vote, in (0, 1]. */
  quorum: z.number().gt(0).max(1),
  closesAt: timestampSchema.optional(),
  /**
   * The partner that put the decision forward (the backbone or an admin records it on that partner's behalf);
   * the equity lens credits the proposal to its sector. Absent from events recorded before it existed.
   */
  proposingPartnerId: idSchema.optional(),
});
export type DecisionProposed = z.infer<typeof decisionProposedSchema>;

export const voteCastSchema = z.strictObject({
  decisionId: idSchema,
  partnerId: idSchema,
  option: optionSchema,
  comment: commentSchema.optional(),
});
export type VoteCast = z.infer<typeof voteCastSchema>;

export const decisionClosedSchema = z
  .strictObject({
    decisionId: idSchema,
    outcome: decisionOutcomeSchema,
    /** Present exactly when the outcome is `adopted`. */
    winningOption: optionSchema.optional(),
    /** Votes per option (the latest vote of each partner). */
    tally: z
      .record(optionSchema, nonNegativeIntSchema)
      .refine((t) => Object.keys(t).length <= 20, 'at most 20 options'),
    votesCast: nonNegativeIntSchema,
    eligibleVoters: nonNegativeIntSchema,
  })
  .superRefine((d, ctx) => {
    if (d.outcome === 'adopted') {
      if (d.winningOption === undefined) {
        ctx.addIssue({ code: 'custom', path: ['winningOption'], message: 'an adopted decision names its winning option' });
      } else if (!Object.hasOwn(d.tally, d.winningOption)) {
        ctx.addIssue({ code: 'custom', path: ['winningOption'], message: 'must be one of the tallied options' });
      }
    } else if (d.winningOption !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['winningOption'], message: `a ${d.outcome} decision has no winning option` });
    }
    const sum = Object.values(d.tally).reduce((a, b) => a + b, 0);
    if (sum !== d.votesCast) {
      ctx.addIssue({ code: 'custom', path: ['votesCast'], message: `must equal the sum of the tally (${sum})` });
    }
    if (d.votesCast > d.eligibleVoters) {
      ctx.addIssue({ code: 'custom', path: ['votesCast'], message: 'cannot exceed eligibleVoters' });
    }
  });
export type DecisionClosed = z.infer<typeof decisionClosedSchema>;

/** A decision taken in a meeting, recorded after the fact. */
export const decisionRecordedSchema = z
  .strictObject({
    decisionId: idSchema,
    initiativeId: idSchema,
    title: titleSchema,
    description: descriptionSchema.optional(),
    options: uniqueArray(optionSchema, { min: 1, max: 20 }),
    outcome: z.enum(['adopted', 'rejected']),
    /** Present exactly when the outcome is `adopted`; one of `options`. */
    chosenOption: optionSchema.optional(),
    takenAt: timestampSchema,
    /** The partner that put the decision forward, as in `DecisionProposed`. */
    proposingPartnerId: idSchema.optional(),
  })
  .superRefine((d, ctx) => {
    if (d.outcome === 'adopted') {
      if (d.chosenOption === undefined) {
        ctx.addIssue({ code: 'custom', path: ['chosenOption'], message: 'an adopted decision names the chosen option' });
      } else if (!d.options.includes(d.chosenOption)) {
        ctx.addIssue({ code: 'custom', path: ['chosenOption'], message: 'must be one of options' });
      }
    } else if (d.chosenOption !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['chosenOption'], message: 'a rejected decision has no chosen option' });
    }
  });
export type DecisionRecorded = z.infer<typeof decisionRecordedSchema>;

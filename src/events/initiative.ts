import { z } from 'zod';
import {
  dateSchema,
  descriptionSchema,
  idSchema,
  longTextSchema,
  nameSchema,
  raciRoleSchema,
  reasonSchema,
  sectorSchema,
  text,
  titleSchema,
  uniqueArray,
} from './common.js';

/** Events of the initiative stream (`initiative-<id>`): the common agenda, partners, activities, risks, lessons. */

export const initiativeLaunchedSchema = z.strictObject({
  initiativeId: idSchema,
  name: nameSchema,
  problemStatement: text(10_000),
  geography: text(500).optional(),
});
export type InitiativeLaunched = z.infer<typeof initiativeLaunchedSchema>;

export const partnerJoinedSchema = z.strictObject({
  initiativeId: idSchema,
  partnerId: idSchema,
  name: nameSchema,
  sector: sectorSchema,
  primaryInterests: uniqueArray(text(200), { max: 50 }),
  isBackbone: z.boolean(),
});
export type PartnerJoined = z.infer<typeof partnerJoinedSchema>;

export const partnerLeftSchema = z.strictObject({
  initiativeId: idSchema,
  partnerId: idSchema,
  reason: reasonSchema,
});
export type PartnerLeft = z.infer<typeof partnerLeftSchema>;

export const goalAdoptedSchema = z.strictObject({
  initiativeId: idSchema,
  goalId: idSchema,
  title: titleSchema,
  description: descriptionSchema.optional(),
});
export type GoalAdopted = z.infer<typeof goalAdoptedSchema>;

/** A revision names what changed (at least one of title, description) and why. */
export const goalRevisedSchema = z
  .strictObject({
    initiativeId: idSchema,
    goalId: idSchema,
    title: titleSchema.optional(),
    description: descriptionSchema.optional(),
    reason: reasonSchema,
  })
  .refine((d) => d.title !== undefined || d.description !== undefined, {
    path: ['title'],
    message: 'a revision changes the title or the description',
  });
export type GoalRevised = z.infer<typeof goalRevisedSchema>;

export const strategyAdoptedSchema = z.strictObject({
  initiativeId: idSchema,
  strategyId: idSchema,
  goalId: idSchema,
  title: titleSchema,
  description: descriptionSchema.optional(),
});
export type StrategyAdopted = z.infer<typeof strategyAdoptedSchema>;

/** One RACI cell: a partner's role for a strategy. */
export const responsibilityAssignedSchema = z.strictObject({
  initiativeId: idSchema,
  strategyId: idSchema,
  partnerId: idSchema,
  role: raciRoleSchema,
});
export type ResponsibilityAssigned = z.infer<typeof responsibilityAssignedSchema>;

export const activityKindSchema = z.enum(['meeting', 'outreach', 'training', 'event', 'other']);
export type ActivityKind = z.infer<typeof activityKindSchema>;

export const activityLoggedSchema = z.strictObject({
  initiativeId: idSchema,
  activityId: idSchema,
  strategyId: idSchema.optional(),
  title: titleSchema,
  kind: activityKindSchema,
  date: dateSchema,
  partnerIds: uniqueArray(idSchema, { max: 500 }),
  minutes: longTextSchema.optional(),
  outputs: z.array(text(1_000)).max(100).optional(),
});
export type ActivityLogged = z.infer<typeof activityLoggedSchema>;

export const riskCategorySchema = z.enum([
  'financial',
  'operational',
  'reputational',
  'strategic',
  'legal',
  'safeguarding',
  'data',
  'other',
]);
export type RiskCategory = z.infer<typeof riskCategorySchema>;

/** Ordinal scale for likelihood and impact (a projection may score them 1–5). */
export const riskLevelSchema = z.enum(['very_low', 'low', 'medium', 'high', 'very_high']);
export type RiskLevel = z.infer<typeof riskLevelSchema>;

export const riskRaisedSchema = z.strictObject({
  initiativeId: idSchema,
  riskId: idSchema,
  title: titleSchema,
  description: descriptionSchema.optional(),
  category: riskCategorySchema,
  likelihood: riskLevelSchema,
  impact: riskLevelSchema,
  /** The partner that owns the risk (often the backbone). */
  ownerPartnerId: idSchema,
  mitigation: descriptionSchema.optional(),
});
export type RiskRaised = z.infer<typeof riskRaisedSchema>;

/** A periodic review: the assessment as it now stands (likelihood and impact restated, owner/mitigation if changed). */
export const riskReviewedSchema = z.strictObject({
  initiativeId: idSchema,
  riskId: idSchema,
  likelihood: riskLevelSchema,
  impact: riskLevelSchema,
  ownerPartnerId: idSchema.optional(),
  mitigation: descriptionSchema.optional(),
  notes: descriptionSchema.optional(),
});
export type RiskReviewed = z.infer<typeof riskReviewedSchema>;

export const riskResolutionSchema = z.enum(['mitigated', 'materialized', 'accepted', 'no_longer_relevant']);
export type RiskResolution = z.infer<typeof riskResolutionSchema>;

export const riskClosedSchema = z.strictObject({
  initiativeId: idSchema,
  riskId: idSchema,
  resolution: riskResolutionSchema,
  reason: reasonSchema,
});
export type RiskClosed = z.infer<typeof riskClosedSchema>;

export const lessonKindSchema = z.enum(['success', 'failure']);
export type LessonKind = z.infer<typeof lessonKindSchema>;

export const lessonRecordedSchema = z.strictObject({
  initiativeId: idSchema,
  lessonId: idSchema,
  kind: lessonKindSchema,
  title: titleSchema,
  whatHappened: longTextSchema,
  whatWeLearned: longTextSchema,
  goalId: idSchema.optional(),
  strategyId: idSchema.optional(),
});
export type LessonRecorded = z.infer<typeof lessonRecordedSchema>;

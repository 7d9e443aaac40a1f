import { z } from 'zod';
import { activityKindSchema, lessonKindSchema, riskCategorySchema, riskLevelSchema, riskResolutionSchema } from '../../events/initiative.js';

/**
 * The initiative log's answers (projections/initiative-log.ts): `GET /initiatives/:id/activities|risks|lessons`
 * (the log's entries, each with its `activityId`, `riskId` or `lessonId`) and the entry read by id
 * (`activityQuery`, `riskQuery`, `lessonQuery`: the same entry with that id as `id`).
 */

const activityFields = {
  strategyId: z.string().optional(),
  title: z.string(),
  kind: activityKindSchema,
  date: z.string(),
  partnerIds: z.array(z.string()).describe('the partners involved'),
  minutes: z.string().optional(),
  outputs: z.array(z.string()).optional(),
  recordedAt: z.string(),
};

export const activitySchema = z.strictObject({ id: z.string(), ...activityFields }).meta({ id: 'Activity', description: 'an activity as the initiative log shows it' });
export const activityEntrySchema = z.strictObject({ activityId: z.string(), ...activityFields }).meta({ id: 'ActivityEntry', description: 'an activity in the initiative\'s list' });

const riskFields = {
  title: z.string(),
  description: z.string().optional(),
  category: riskCategorySchema,
  likelihood: riskLevelSchema.describe('as last reviewed'),
  impact: riskLevelSchema.describe('as last reviewed'),
  ownerPartnerId: z.string().describe('as last reviewed'),
  mitigation: z.string().optional().describe('as last reviewed'),
  status: z.enum(['open', 'closed']),
  raisedAt: z.string(),
  reviews: z
    .array(
      z.strictObject({
        likelihood: riskLevelSchema,
        impact: riskLevelSchema,
        ownerPartnerId: z.string().optional().describe('when the review changed the owner'),
        mitigation: z.string().optional().describe('when the review changed the mitigation'),
        notes: z.string().optional(),
        reviewedAt: z.string(),
      }),
    )
    .describe('every review, in order'),
  closure: z.strictObject({ resolution: riskResolutionSchema, reason: z.string(), closedAt: z.string() }).optional(),
};

export const riskSchema = z
  .strictObject({ id: z.string(), ...riskFields })
  .meta({ id: 'Risk', description: 'a risk as it now stands (likelihood, impact, owner, mitigation as last reviewed), with every review and its closure' });
export const riskEntrySchema = z.strictObject({ riskId: z.string(), ...riskFields }).meta({ id: 'RiskEntry', description: 'a risk in the initiative\'s register' });

const lessonFields = {
  kind: lessonKindSchema,
  title: z.string(),
  whatHappened: z.string(),
  whatWeLearned: z.string(),
  goalId: z.string().optional(),
  strategyId: z.string().optional(),
  recordedAt: z.string(),
};

export const lessonSchema = z.strictObject({ id: z.string(), ...lessonFields }).meta({ id: 'Lesson', description: 'a lesson learned as the initiative log shows it' });
export const lessonEntrySchema = z.strictObject({ lessonId: z.string(), ...lessonFields }).meta({ id: 'LessonEntry', description: 'a lesson in the initiative\'s list' });

export const activitiesViewSchema = z.array(activityEntrySchema).meta({ id: 'ActivitiesView', description: 'the initiative\'s activities, in the order they were recorded' });
export const risksViewSchema = z.array(riskEntrySchema).meta({ id: 'RisksView', description: 'the initiative\'s risk register, in the order the risks were raised' });
export const lessonsViewSchema = z.array(lessonEntrySchema).meta({ id: 'LessonsView', description: 'the initiative\'s lessons learned, in the order they were recorded' });

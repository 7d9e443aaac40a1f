import { z } from 'zod';
import {
  commentSchema,
  currencySchema,
  dateSchema,
  directionSchema,
  exactlyOne,
  frequencySchema,
  idSchema,
  measureSchema,
  nameSchema,
  periodSchema,
  reasonSchema,
  text,
  uniqueArray,
  valueOrNarrative,
} from './common.js';

/**
 * Events of the indicator stream (`indicator-<id>`): the indicator, its versioned targets, and its readings
 * (submitted → approved | returned; corrected and retracted by new events, never edited). Every event that
 * changes an existing reading is "fat": it carries the reading as it stood before (`before`), and a correction
 * the status it leaves the reading in, so read models fold aggregates from the events alone.
 */

/**
 * Column names of the readings CSV (design §7); a disaggregation dimension may not reuse one. (`reviewstatus` came
 * with the export's review-status column; a dimension of that name could not have had a meaning of its own.)
 */
export const reservedDimensionNames: readonly string[] = [
  'partnerid', 'periodstart', 'periodend', 'value', 'narrative', 'source',
  'indicatorid', 'readingid', 'recordedat', 'seq', 'reviewstatus',
];

/** A disaggregation dimension: a lowercase slug usable as a CSV column (`district`, `sex`, `age_group`). */
export const dimensionSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be a lowercase slug (a-z, 0-9, _), starting with a letter')
  .refine((d) => !reservedDimensionNames.includes(d.replaceAll('_', '')), 'is a reserved CSV column name');

export const dimensionValueSchema = text(100);

export const disaggregationSchema = z.strictObject({
  dimension: dimensionSchema,
  values: uniqueArray(dimensionValueSchema, { min: 1, max: 200 }),
});

export const baselineSchema = z
  .strictObject({ ...valueOrNarrative, date: dateSchema })
  .superRefine(exactlyOne('value', 'narrative'));

export const targetSchema = z
  .strictObject({ periodEnd: dateSchema, ...valueOrNarrative })
  .superRefine(exactlyOne('value', 'narrative'));
export type Target = z.infer<typeof targetSchema>;

/** A qualitative indicator speaks in narratives; every other measure in numbers. */
const checkMeasureFits = (
  measure: z.infer<typeof measureSchema>,
  point: { value?: number | undefined; narrative?: string | undefined },
  path: (string | number)[],
  ctx: z.RefinementCtx,
): void => {
  if (measure === 'qualitative' && point.value !== undefined) {
    ctx.addIssue({ code: 'custom', path: [...path, 'value'], message: 'a qualitative indicator takes a narrative, not a value' });
  } else if (measure !== 'qualitative' && point.narrative !== undefined) {
    ctx.addIssue({ code: 'custom', path: [...path, 'narrative'], message: `a ${measure} indicator takes a numeric value` });
  }
};

export const indicatorDefinedSchema = z
  .strictObject({
    initiativeId: idSchema,
    indicatorId: idSchema,
    goalId: idSchema,
    name: nameSchema,
    measure: measureSchema,
    /** `people`, `%`, …; for a `currency` measure, the ISO 4217 code. */
    unit: text(50),
    direction: directionSchema,
    /** true: each reading is the running total; false: each reading is the increment for its period. */
    cumulative: z.boolean(),
    baseline: baselineSchema,
    targets: z.array(targetSchema).max(200),
    frequency: frequencySchema,
    disaggregations: z.array(disaggregationSchema).max(10),
    requiresApproval: z.boolean(),
  })
  .superRefine((d, ctx) => {
    if (d.measure === 'currency' && !currencySchema.safeParse(d.unit).success) {
      ctx.addIssue({ code: 'custom', path: ['unit'], message: 'a currency indicator has an ISO 4217 code as its unit' });
    }
    checkMeasureFits(d.measure, d.baseline, ['baseline'], ctx);
    const ends = new Set<string>();
    d.targets.forEach((target, i) => {
      checkMeasureFits(d.measure, target, ['targets', i], ctx);
      if (ends.has(target.periodEnd)) {
        ctx.addIssue({ code: 'custom', path: ['targets', i, 'periodEnd'], message: 'duplicate target period' });
      }
      ends.add(target.periodEnd);
      if (target.periodEnd <= d.baseline.date) {
        ctx.addIssue({ code: 'custom', path: ['targets', i, 'periodEnd'], message: 'must be after the baseline date' });
      }
    });
    const dims = new Set<string>();
    d.disaggregations.forEach((dis, i) => {
      if (dims.has(dis.dimension)) {
        ctx.addIssue({ code: 'custom', path: ['disaggregations', i, 'dimension'], message: 'duplicate dimension' });
      }
      dims.add(dis.dimension);
    });
  });
export type IndicatorDefined = z.infer<typeof indicatorDefinedSchema>;

/** A new target for one period; history keeps every target that stood. */
export const indicatorTargetRevisedSchema = z
  .strictObject({
    initiativeId: idSchema,
    indicatorId: idSchema,
    periodEnd: dateSchema,
    ...valueOrNarrative,
    reason: reasonSchema,
  })
  .superRefine(exactlyOne('value', 'narrative'));
export type IndicatorTargetRevised = z.infer<typeof indicatorTargetRevisedSchema>;

export const readingStatusSchema = z.enum(['submitted', 'accepted']);
export type ReadingStatus = z.infer<typeof readingStatusSchema>;

/** `{ <dimension>: <value> }`, e.g. `{ district: "North", sex: "female" }`; empty = the total. */
export const readingDisaggregationSchema = z
  .record(dimensionSchema, dimensionValueSchema)
  .refine((r) => Object.keys(r).length <= 10, 'at most 10 dimensions');

export const readingRecordedSchema = z
  .strictObject({
    readingId: idSchema,
    indicatorId: idSchema,
    initiativeId: idSchema,
    partnerId: idSchema,
    period: periodSchema,
    ...valueOrNarrative,
    disaggregation: readingDisaggregationSchema,
    source: text(1_000).optional(),
    /** `submitted` awaits the backbone's review (indicator requires approval); `accepted` counts at once. */
    status: readingStatusSchema,
  })
  .superRefine(exactlyOne('value', 'narrative'));
export type ReadingRecorded = z.infer<typeof readingRecordedSchema>;

/** Every status a live (not retracted) reading can be in. */
export const readingLifeStatusSchema = z.enum(['submitted', 'accepted', 'approved', 'returned']);
export type ReadingLifeStatus = z.infer<typeof readingLifeStatusSchema>;

/**
 * The reading as it stood just before the event that changes it. Every change to an existing reading carries
 * it, so a read model keeps aggregates only (per indicator, period and disaggregation) and never a registry of
 * readings: it takes `before` out of its aggregates and puts the changed reading back in.
 */
export const readingBeforeSchema = z
  .strictObject({
    partnerId: idSchema,
    period: periodSchema,
    disaggregation: readingDisaggregationSchema,
    ...valueOrNarrative,
    status: readingLifeStatusSchema,
  })
  .superRefine(exactlyOne('value', 'narrative'));
export type ReadingBefore = z.infer<typeof readingBeforeSchema>;

export const readingApprovedSchema = z.strictObject({
  readingId: idSchema,
  indicatorId: idSchema,
  comment: commentSchema.optional(),
  /** Always `submitted`: only a submitted reading is reviewed. */
  before: readingBeforeSchema,
});
export type ReadingApproved = z.infer<typeof readingApprovedSchema>;

/** Sent back to the partner: the comment says what to fix. */
export const readingReturnedSchema = z.strictObject({
  readingId: idSchema,
  indicatorId: idSchema,
  comment: commentSchema,
  before: readingBeforeSchema,
});
export type ReadingReturned = z.infer<typeof readingReturnedSchema>;

/** Supersedes the reading's value or narrative; views show the corrected one, history both. */
export const readingCorrectedSchema = z
  .strictObject({
    readingId: idSchema,
    indicatorId: idSchema,
    ...valueOrNarrative,
    reason: reasonSchema,
    /** The reading's status after the correction: `submitted` (reviewed again) where the indicator requires approval, else unchanged. */
    status: readingLifeStatusSchema,
    before: readingBeforeSchema,
  })
  .superRefine(exactlyOne('value', 'narrative'));
export type ReadingCorrected = z.infer<typeof readingCorrectedSchema>;

export const readingRetractedSchema = z.strictObject({
  readingId: idSchema,
  indicatorId: idSchema,
  reason: reasonSchema,
  before: readingBeforeSchema,
});
export type ReadingRetracted = z.infer<typeof readingRetractedSchema>;

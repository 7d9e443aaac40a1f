import { z } from 'zod';
import { measureSchema } from '../../events/common.js';
import { indicatorDefinitionFields, periodSchema } from './common.js';

/**
 * Shared measurement's answers (projections/shared-measurement.ts): `GET /initiatives/:id/measurement`
 * (`measurementQuery`), `GET /indicators/:id/series` (`seriesQuery`) and `GET /indicators/:id` (`indicatorQuery`).
 */

export const targetSchema = z
  .strictObject({ periodEnd: z.string(), value: z.number().optional().describe('numeric measures'), narrative: z.string().optional().describe('qualitative measures') })
  .meta({ id: 'Target', description: 'a target for the period ending on `periodEnd`' });

const cellFigureSchema = z
  .strictObject({
    value: z.number().describe('the sum of the readings that count, or their mean for percentage and ordinal measures'),
    count: z.number().int().describe('how many readings that count make it'),
  })
  .meta({ id: 'CellFigure', description: 'one figure of a period: the total or one breakdown' });

export const seriesPointSchema = z
  .strictObject({
    period: periodSchema,
    total: cellFigureSchema
      .nullable()
      .describe('the readings reported without disaggregation (breakdowns are never added into it); null when no total counts'),
    byDisaggregation: z.record(z.string(), cellFigureSchema).describe('disaggregation key (`dimension=value;…`, dimensions sorted) → figure'),
    narratives: z
      .record(z.string(), z.record(z.string(), z.string()))
      .optional()
      .describe('qualitative indicators: partner id → disaggregation key (`""` = the total) → narrative'),
  })
  .meta({ id: 'SeriesPoint', description: 'one period of an indicator\'s series: corrections applied, retractions removed, only readings that count' });

const indicatorFields = {
  ...indicatorDefinitionFields,
  baseline: z.strictObject({ value: z.number().optional(), narrative: z.string().optional(), date: z.string() }),
  targets: z.array(targetSchema).describe('the targets that stand now, by period end'),
  disaggregations: z.array(z.strictObject({ dimension: z.string(), values: z.array(z.string()) })),
  requiresApproval: z.boolean().describe('readings count only once the backbone approves them'),
  aggregation: z.enum(['sum', 'mean', 'narrative']).describe('how a period\'s readings make one figure: sum (count, currency), mean (percentage, ordinal), narrative (qualitative)'),
  target: targetSchema.nullable().describe('the last target: the one progress is measured against'),
  nextTarget: targetSchema.nullable().describe('the first target ending after the asOf date'),
  latest: z.strictObject({ period: periodSchema, value: z.number() }).nullable().describe('the latest period with a total, and its figure'),
  level: z
    .number()
    .nullable()
    .describe('the level to date: the latest total (cumulative, percentage, ordinal) or the baseline plus every period\'s total (increments); null without data'),
  progressPercent: z.number().nullable().describe('(level − baseline) / (target − baseline) × 100, one decimal; null for maintain or without a numeric target'),
  onTrack: z.enum(['on_track', 'off_track', 'no_data']).describe('against the straight line from baseline to target at the latest period\'s end'),
  trajectory: z.strictObject({ date: z.string(), expected: z.number() }).nullable().describe('where the straight line stands at the latest period\'s end'),
};

export const indicatorSchema = z
  .strictObject(indicatorFields)
  .meta({ id: 'Indicator', description: 'an indicator\'s definition and figures (series: /indicators/{id}/series)' });

const complianceSchema = z
  .strictObject({
    periods: z
      .array(
        z.strictObject({
          period: periodSchema,
          reportedCount: z.number().int().describe('partners with a live reading for the period, reviewed or not'),
          share: z.number().nullable().describe('expected partners (active at the asOf point) that reported / expected partners (0–1); null if none expected'),
        }),
      )
      .describe('the periods with readings, in the order of the series'),
    byPartner: z
      .array(
        z.strictObject({
          partnerId: z.string(),
          expected: z.boolean().describe('expected to report every period: active at the asOf point'),
          periodsReported: z.number().int(),
          share: z.number().nullable().describe('periods it reported / periods with readings (0–1); null without periods'),
          missedPeriods: z.array(z.number().int()).describe('the periods it has no live reading for, as indexes into `periods`'),
        }),
      )
      .describe('every expected partner and every partner that reported (one that left keeps what it reported), by id'),
  })
  .meta({
    id: 'Compliance',
    description: 'reporting compliance: which partners reported for which period, as each partner\'s missed periods',
  });

export const measurementIndicatorSchema = z
  .strictObject({
    ...indicatorFields,
    series: z.array(seriesPointSchema).describe('by period start, then end'),
    compliance: complianceSchema,
  })
  .meta({ id: 'MeasurementIndicator', description: 'an indicator with its figures, series and reporting compliance' });

export const measurementViewSchema = z
  .strictObject({
    partners: z.array(z.strictObject({ id: z.string(), name: z.string(), status: z.enum(['active', 'left']) })).describe('every partner that joined, by id'),
    indicators: z.array(measurementIndicatorSchema).describe('in definition order'),
  })
  .meta({ id: 'MeasurementView', description: 'shared measurement of an initiative' });

export const seriesViewSchema = z
  .strictObject({
    indicatorId: z.string(),
    name: z.string(),
    measure: measureSchema,
    unit: z.string(),
    aggregation: z.enum(['sum', 'mean', 'narrative']),
    disaggregation: z.string().nullable().describe('the filter as a canonical disaggregation key; null without one'),
    series: z.array(seriesPointSchema).describe('by period start, then end; filtered by period range and disaggregation'),
  })
  .meta({ id: 'SeriesView', description: 'one indicator\'s series by period' });

import { z } from 'zod';
import { timestampSchema } from './envelope.js';

/**
 * Field schemas shared by every event family. Event data is validated on the way in and again on replay, so
 * nothing here transforms a value: what is parsed is exactly what is stored (and hashed into the log).
 */

export { timestampSchema };

/** A server-made (or client-chosen) UUID. */
export const idSchema = z.uuid();

/** `YYYY-MM-DD` that is a real calendar date (`2023-02-29` is rejected). */
export const dateSchema = z.iso.date();

/** Bounded, non-blank text. Every string in an event has a maximum length. */
export const text = (max: number) => z.string().max(max).regex(/\S/, 'must not be blank or empty');

export const nameSchema = text(200);
export const titleSchema = text(300);
export const labelSchema = text(200);
export const descriptionSchema = text(5_000);
export const reasonSchema = text(2_000);
export const commentSchema = text(2_000);
/** Long free text: meeting minutes, narratives of change, what happened / what was learned. */
export const longTextSchema = text(20_000);

/** Reading, baseline and target values are at most this large either way: a quadrillion. */
export const MAX_MEASURED_VALUE = 1e15;

/**
 * A finite JSON number within ±`MAX_MEASURED_VALUE` (zod 4's `z.number()` already rejects `NaN` and `±Infinity`):
 * sums of readings stay finite (two readings of 1e308 summed to Infinity, which a view could not answer: a 500).
 */
export const finiteNumberSchema = z.number().min(-MAX_MEASURED_VALUE).max(MAX_MEASURED_VALUE);
export const nonNegativeIntSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** Staff time in hours: positive, finite, at most ten million. */
export const hoursSchema = z.number().positive().max(10_000_000);

/**
 * A decimal amount as a string, so no precision is lost: an optional `-`, up to 18 integer digits without
 * leading zeros, and up to 8 fraction digits; no exponent, no `+`, no spaces (`"1250.50"`, `"-3"`, `"0.5"`).
 */
export const decimalStringSchema = z
  .string()
  .regex(/^-?(0|[1-9]\d{0,17})(\.\d{1,8})?$/, {
    message: 'must be a decimal string like "1250.50" (no exponent)',
    abort: true,
  })
  .max(28);

/** ISO 4217 alphabetic code: three uppercase letters. */
export const currencySchema = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code (three uppercase letters)');

export const moneySchema = z.strictObject({ amount: decimalStringSchema, currency: currencySchema });
export type Money = z.infer<typeof moneySchema>;

const isPositiveDecimal = (amount: string): boolean => !amount.startsWith('-') && /[1-9]/.test(amount);

/** Money for pledges and deliveries: the amount must be greater than zero (a reversal is its own event). */
export const positiveMoneySchema = z.strictObject({
  amount: decimalStringSchema.refine(isPositiveDecimal, 'must be greater than zero'),
  currency: currencySchema,
});

/** Lowercase hex SHA-256 digest. */
export const sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters (SHA-256)');

/** An absolute `http(s)` URL, bounded. */
export const httpUrlSchema = z.url({ protocol: /^https?$/ }).max(2_048);

/** Sectors of a collective-impact partnership (design §1). */
export const sectorSchema = z.enum(['government', 'business', 'nonprofit', 'academia', 'philanthropy', 'community']);
export type Sector = z.infer<typeof sectorSchema>;

/** IATI IndicatorMeasure, by name. */
export const measureSchema = z.enum(['count', 'percentage', 'currency', 'ordinal', 'qualitative']);
export type Measure = z.infer<typeof measureSchema>;

export const directionSchema = z.enum(['increase', 'decrease', 'maintain']);
export type Direction = z.infer<typeof directionSchema>;

export const frequencySchema = z.enum(['monthly', 'quarterly', 'semiannual', 'annual', 'adhoc']);
export type Frequency = z.infer<typeof frequencySchema>;

/** RACI: Responsible, Accountable, Consulted, Informed. */
export const raciRoleSchema = z.enum(['R', 'A', 'C', 'I']);
export type RaciRole = z.infer<typeof raciRoleSchema>;

/** A bounded list of distinct values; a duplicate is reported at its own index. */
export const uniqueArray = <T extends z.ZodType>(item: T, opts: { min?: number; max: number }) =>
  z
    .array(item)
    .min(opts.min ?? 0)
    .max(opts.max)
    .superRefine((items, ctx) => {
      const seen = new Set<string>();
      items.forEach((v, i) => {
        const key = JSON.stringify(v);
        if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [i], message: 'duplicate value' });
        seen.add(key);
      });
    });

/** A period with `start <= end`, both calendar dates. */
export const periodSchema = z
  .strictObject({ start: dateSchema, end: dateSchema })
  .refine((p) => p.start <= p.end, { path: ['end'], message: 'must not be before start' });
export type Period = z.infer<typeof periodSchema>;

/**
 * Checks that exactly one of two optional fields is present, reporting on the first field's path. Used for
 * `value | narrative`, `goalId | strategyId` and similar choices.
 */
export const exactlyOne = <T extends Record<string, unknown>>(a: keyof T & string, b: keyof T & string) =>
  (data: T, ctx: z.RefinementCtx): void => {
    const hasA = data[a] !== undefined;
    const hasB = data[b] !== undefined;
    if (hasA && hasB) ctx.addIssue({ code: 'custom', path: [b], message: `give either ${a} or ${b}, not both` });
    else if (!hasA && !hasB) ctx.addIssue({ code: 'custom', path: [a], message: `one of ${a} or ${b} is required` });
  };

/** A measured value or a narrative of change (design §1): used by readings, baselines and targets. */
export const valueOrNarrative = {
  value: finiteNumberSchema.optional(),
  narrative: longTextSchema.optional(),
};

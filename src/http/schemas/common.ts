import { z } from 'zod';
import { directionSchema, frequencySchema, measureSchema } from '../../events/common.js';
import { roleSchema } from '../../events/envelope.js';

/**
 * Shapes several read answers share. The read schemas (this folder but receipt.ts) describe exactly what the
 * projections' queries return: objects are strict where the query's output is closed, so a field a query adds
 * without documenting it fails the schema tests (test/http/view-schemas.test.ts) instead of going unnoticed.
 */

/** A business period, `YYYY-MM-DD` to `YYYY-MM-DD`. */
export const periodSchema = z.strictObject({ start: z.string(), end: z.string() });

/** Money as the catalog writes it: a decimal string and its ISO 4217 currency. */
export const moneySchema = z.strictObject({
  amount: z.string().describe('decimal string, e.g. "1250.50"'),
  currency: z.string().describe('ISO 4217 code'),
});

/** Amounts keyed by currency: different currencies are never summed together. */
export const byCurrencySchema = z.record(z.string(), z.string()).describe('ISO 4217 currency → decimal string total');

/** The key that made a change, as the event metadata names it. */
export const actorRefSchema = z.strictObject({ keyId: z.string(), role: roleSchema, partnerId: z.string().optional() });

/** What every view says of an indicator's definition: the agenda's entry and the measurement's both start so. */
export const indicatorDefinitionFields = {
  id: z.string(),
  goalId: z.string(),
  name: z.string(),
  measure: measureSchema,
  unit: z.string(),
  direction: directionSchema,
  cumulative: z.boolean().describe('true: each reading is the running total; false: the increment for its period'),
  frequency: frequencySchema,
};

import { ValidationError } from '../../errors.js';
import type { Measure, Period } from '../../events/common.js';
import { RuleViolationError } from '../decider.js';
import type { ValueOrNarrative } from './commands.js';

/** Pure rules about a reading's content, shared by recording, correcting and revising targets. */

/**
 * Exactly one of value or narrative (400 otherwise), and the one the measure speaks in (409 otherwise):
 * a qualitative indicator takes a narrative, every other measure a number in the indicator's unit.
 */
export const checkMeasureFits = (measure: Measure, point: ValueOrNarrative): void => {
  const hasValue = point.value !== undefined;
  const hasNarrative = point.narrative !== undefined;
  if (hasValue === hasNarrative) {
    const error = hasValue
      ? { path: 'narrative', message: 'give either value or narrative, not both' }
      : { path: 'value', message: 'one of value or narrative is required' };
    throw new ValidationError('give either a value or a narrative', [error]);
  }
  if (measure === 'qualitative' && hasValue) {
    throw new RuleViolationError('a qualitative indicator takes a narrative, not a value');
  }
  if (measure !== 'qualitative' && hasNarrative) {
    throw new RuleViolationError(`a ${measure} indicator takes a numeric value, not a narrative`);
  }
};

/** Every key must be a declared dimension and every value one of that dimension's declared values. */
export const checkDisaggregation = (
  dimensions: ReadonlyMap<string, ReadonlySet<string>>,
  disaggregation: Readonly<Record<string, string>>,
): void => {
  for (const [dimension, value] of Object.entries(disaggregation)) {
    const values = dimensions.get(dimension);
    if (values === undefined) {
      const declared = [...dimensions.keys()];
      const listed = declared.length > 0 ? declared.join(', ') : 'none';
      throw new RuleViolationError(`"${dimension}" is not a disaggregation of this indicator (declared: ${listed})`);
    }
    if (!values.has(value)) {
      throw new RuleViolationError(`"${value}" is not a declared value of ${dimension} (${[...values].join(', ')})`);
    }
  }
};

export const checkPeriod = (period: Period): void => {
  if (period.start > period.end) {
    throw new RuleViolationError(`the period starts (${period.start}) after it ends (${period.end})`);
  }
};

/** Identity of a reading for the one-reading rule: partner, period and disaggregation (order of keys ignored). */
export const readingKey = (partnerId: string, period: Period, disaggregation: Readonly<Record<string, string>>): string =>
  JSON.stringify([
    partnerId,
    period.start,
    period.end,
    Object.entries(disaggregation).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  ]);

/**
 * The keys shared-measurement files its aggregates under: a period as `start..end`, a disaggregation as sorted
 * `dimension=value` pairs (`''` = the total). Both parse back.
 */

export const periodKey = (period: { start: string; end: string }): string => `${period.start}..${period.end}`;

export const parsePeriodKey = (key: string): { start: string; end: string } => {
  const at = key.indexOf('..');
  return at < 0 ? { start: key, end: '' } : { start: key.slice(0, at), end: key.slice(at + 2) };
};

const SEPARATORS = /[%;=]/;
const escapeValue = (value: string): string =>
  SEPARATORS.test(value) ? value.replace(/[%;=]/g, (c) => (c === '%' ? '%25' : c === ';' ? '%3B' : '%3D')) : value;
const unescapeValue = (value: string): string => value.replace(/%(25|3B|3D)/g, (_m, code: string) => (code === '25' ? '%' : code === '3B' ? ';' : '='));

/**
 * Canonical key of a disaggregation: `dimension=value` pairs sorted by dimension, joined by `;` (`''` = the
 * total). Dimensions are slugs; in values `%`, `;` and `=` are percent-escaped so every key parses back.
 */
export const disaggregationKey = (disaggregation: Readonly<Record<string, string>>): string => {
  const dimensions = Object.keys(disaggregation);
  // Most readings are a total or broken down by one dimension.
  if (dimensions.length === 0) return '';
  if (dimensions.length === 1) return `${dimensions[0]}=${escapeValue(disaggregation[dimensions[0]!]!)}`;
  return dimensions
    .sort()
    .map((dimension) => `${dimension}=${escapeValue(disaggregation[dimension]!)}`)
    .join(';');
};

/** The disaggregation of a canonical key (`''` → `{}`). */
export const parseDisaggregationKey = (key: string): Record<string, string> => {
  const disaggregation: Record<string, string> = {};
  if (key === '') return disaggregation;
  for (const pair of key.split(';')) {
    const at = pair.indexOf('=');
    if (at > 0) disaggregation[pair.slice(0, at)] = unescapeValue(pair.slice(at + 1));
  }
  return disaggregation;
};

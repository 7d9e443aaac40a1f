/**
 * Exact decimal money arithmetic on the catalog's decimal strings (at most 8 fractional digits): amounts are
 * summed as integers of 10⁻⁸ units, never as binary floats, so the ledger's totals are exact and canonical.
 */
const SCALE = 8;
const UNIT = 10n ** BigInt(SCALE);

export const toUnits = (amount: string): bigint => {
  const negative = amount.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? amount.slice(1) : amount).split('.');
  const units = BigInt(whole) * UNIT + BigInt(fraction.padEnd(SCALE, '0').slice(0, SCALE) || '0');
  return negative ? -units : units;
};

export const fromUnits = (units: bigint): string => {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const whole = abs / UNIT;
  const fraction = (abs % UNIT).toString().padStart(SCALE, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
};

export const addDecimal = (a: string, b: string): string => fromUnits(toUnits(a) + toUnits(b));

/** a / b as a percentage with one decimal, or null when b is zero. */
export const percentOf = (a: string, b: string): number | null => {
  const denominator = toUnits(b);
  if (denominator === 0n) return null;
  return Number((toUnits(a) * 1000n) / denominator) / 10;
};

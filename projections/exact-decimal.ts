/**
 * Exact sums of decimals of any scale (shared-measurement's reading values): each value enters as the shortest decimal
 * that round-trips its JSON number, and sums are kept as decimal strings, so adding and removing readings in any order
 * never leaves a binary-float residue and a state's canonical form (its digest) is the same in every replay. Money,
 * with its fixed scale, is decimal.ts.
 */

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i;

const parseDecimal = (text: string): { units: bigint; scale: number } => {
  const match = DECIMAL.exec(text);
  if (!match) throw new TypeError(`not a finite decimal: ${text}`);
  const [, sign, whole = '0', fraction = '', exponent = '0'] = match;
  let units = BigInt(whole + fraction);
  let scale = fraction.length - Number(exponent);
  if (scale < 0) {
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { units: sign === '-' ? -units : units, scale };
};

const formatDecimal = (units: bigint, scale: number): string => {
  while (scale > 0 && units % 10n === 0n) {
    units /= 10n;
    scale -= 1;
  }
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  return `${negative ? '-' : ''}${whole}${scale > 0 ? `.${fraction}` : ''}`;
};

/**
 * A plain decimal (`-?digits(.digits)?`, no exponent) of at most 15 digits as an integer number of units of
 * 10^-scale, exact in a double; undefined for anything else (the BigInt path then handles it).
 */
const smallDecimal = (text: string): { units: number; scale: number } | undefined => {
  const negative = text.charCodeAt(0) === 45; // '-'
  let units = 0;
  let digits = 0;
  let scale = -1;
  for (let i = negative ? 1 : 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 && scale < 0 && digits > 0) scale = 0; // '.'
    else if (c >= 48 && c <= 57 && ++digits <= 15) {
      units = units * 10 + (c - 48);
      if (scale >= 0) scale += 1;
    } else return undefined;
  }
  if (digits === 0 || scale === 0) return undefined;
  return { units: negative ? -units : units, scale: scale < 0 ? 0 : scale };
};

const POWERS_OF_TEN = Array.from({ length: 16 }, (_, i) => 10 ** i);

/** `formatDecimal` for a safe integer number of units. */
const formatSmallDecimal = (units: number, scale: number): string => {
  while (scale > 0 && units % 10 === 0) {
    units /= 10;
    scale -= 1;
  }
  const negative = units < 0;
  const digits = String(negative ? -units : units).padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  return `${negative ? '-' : ''}${whole}${scale > 0 ? `.${fraction}` : ''}`;
};

/** a + b exactly; `b` a JSON number (its shortest round-trip decimal) or a decimal string. */
export const addExact = (a: string, b: string | number): string => {
  const small = smallDecimal(a);
  // Integers, the common case (counts): a plain integer `a` and a safe integer `b` add exactly in doubles.
  if (small && small.scale === 0 && typeof b === 'number' && Number.isSafeInteger(b)) {
    const sum = small.units + b;
    if (Number.isSafeInteger(sum)) return String(sum);
  }
  const bText = typeof b === 'number' ? String(b) : b;
  // Fast path, same result: both operands and the sum are integers of units below 2^53, so doubles are exact.
  const other = small && smallDecimal(bText);
  if (small && other) {
    const scale = Math.max(small.scale, other.scale);
    const x = small.units * POWERS_OF_TEN[scale - small.scale]!;
    const y = other.units * POWERS_OF_TEN[scale - other.scale]!;
    const sum = x + y;
    if (Number.isSafeInteger(x) && Number.isSafeInteger(y) && Number.isSafeInteger(sum)) return formatSmallDecimal(sum, scale);
  }
  const x = parseDecimal(a);
  const y = parseDecimal(bText);
  const scale = Math.max(x.scale, y.scale);
  return formatDecimal(x.units * 10n ** BigInt(scale - x.scale) + y.units * 10n ** BigInt(scale - y.scale), scale);
};

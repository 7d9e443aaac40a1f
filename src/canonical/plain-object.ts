/**
 * Whether a value is a plain JSON object — what `JSON.stringify` writes member by member: not an array, made by `{}`
 * or `JSON.parse` (or with no prototype), without a `toJSON`. A Date, a boxed string or a class instance is not: code
 * that walks JSON values leaves those to `JSON.stringify` whole.
 */
export const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return (prototype === Object.prototype || prototype === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
};

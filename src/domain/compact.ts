/**
 * Drops the keys whose value is `undefined`: optional command fields that were not given are absent from
 * the event data, not present as `key: undefined`.
 */
export const compact = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

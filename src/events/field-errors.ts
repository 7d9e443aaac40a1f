import { z } from 'zod';
import { type FieldError, ValidationError } from '../errors.js';

/**
 * zod issues → `FieldError[]` (`{ path, message }`, design §7 problem details). Paths are dotted, array indices
 * as segments and an optional prefix first: `data.money.amount`, `body.targets.0.periodEnd`. An unknown field
 * is reported at its own path (`data.secret: unknown field`), not at its parent.
 */

export const formatPath = (path: readonly PropertyKey[], prefix = ''): string =>
  [...(prefix === '' ? [] : [prefix]), ...path.map((p) => String(p))].join('.');

export const fieldErrorsFromIssues = (issues: readonly z.core.$ZodIssue[], prefix = ''): FieldError[] =>
  issues.flatMap((issue): FieldError[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: formatPath([...issue.path, key], prefix), message: 'unknown field' }));
    }
    if (issue.code === 'invalid_key' && issue.issues[0] !== undefined) {
      return [{ path: formatPath(issue.path, prefix), message: `invalid key: ${issue.issues[0].message}` }];
    }
    return [{ path: formatPath(issue.path, prefix), message: issue.message }];
  });

export const fieldErrorsFromZod = (error: z.ZodError, prefix = ''): FieldError[] =>
  fieldErrorsFromIssues(error.issues, prefix);

/** Per-parse error map: a missing field says `is required` rather than "expected string, received undefined". */
export const requiredErrorMap: z.core.$ZodErrorMap = (issue) =>
  issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined;

const compiledSchemas = new WeakMap<z.ZodType, z.ZodType>();

/**
 * zod's ahead-of-time compiled clone of `schema` (`z.compile`), made once per schema: valid input takes generated
 * code (a reading's event data parses in ≈ 1 µs instead of ≈ 7), invalid input falls back to the regular parser, so
 * the issues, and the errors we build from them, are the same. A schema zod cannot compile comes back as it is.
 */
export const compiledSchema = <S extends z.ZodType>(schema: S): S => {
  let compiled = compiledSchemas.get(schema);
  if (!compiled) compiledSchemas.set(schema, (compiled = z.compile(schema)));
  return compiled as S;
};

/** `safeParse` with the error map above, returning field errors instead of a ZodError. */
export const parseFields = <S extends z.ZodType>(
  schema: S,
  value: unknown,
  prefix = '',
): { success: true; data: z.output<S> } | { success: false; errors: FieldError[] } => {
  const result = compiledSchema(schema).safeParse(value, { error: requiredErrorMap });
  return result.success
    ? { success: true, data: result.data }
    : { success: false, errors: fieldErrorsFromZod(result.error, prefix) };
};

/** Parses or throws `ValidationError` (400) naming every offending field. */
export const parseOrThrow = <S extends z.ZodType>(schema: S, value: unknown, prefix = '', detail = 'invalid input'): z.output<S> => {
  const result = parseFields(schema, value, prefix);
  if (!result.success) throw new ValidationError(detail, result.errors);
  return result.data;
};

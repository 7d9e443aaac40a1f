/**
 * Request and event schemas are validated through zod's compiled clones (`compiledSchema`, `z.compile`). They must
 * answer exactly as the schemas do: the same output for valid input, the same field errors for invalid input — for
 * every event type of the catalog, on its sample and on random mutations of it.
 */
import fc from 'fast-check';
import t from 'tap';
import { catalog, eventTypes } from '../../src/events/catalog.js';
import { compiledSchema, fieldErrorsFromZod, parseFields, requiredErrorMap } from '../../src/events/field-errors.js';
import { samples } from '../fixtures/events/samples.js';

/** What the uncompiled schema answers, in the shape `parseFields` gives. */
const reference = (schema: (typeof catalog)[keyof typeof catalog]['data'], value: unknown) => {
  const result = schema.safeParse(value, { error: requiredErrorMap });
  return result.success ? { success: true, data: result.data } : { success: false, errors: fieldErrorsFromZod(result.error, 'data') };
};

/** A sample with one field replaced, removed or added, at the top or one level down. */
const mutation = (sample: Record<string, unknown>) => {
  const keys = Object.keys(sample);
  const value = fc.oneof(fc.constant(undefined), fc.string({ maxLength: 12 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }), fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 2 }));
  return fc.record({ key: fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 6 })), nested: fc.boolean(), value }).map(({ key, nested, value }) => {
    const copy = structuredClone(sample);
    const inner = copy[key];
    if (nested && inner !== null && typeof inner === 'object' && !Array.isArray(inner)) {
      const innerKeys = Object.keys(inner);
      if (innerKeys.length > 0) (inner as Record<string, unknown>)[innerKeys[0]!] = value;
    } else if (value === undefined) delete copy[key];
    else copy[key] = value;
    return copy;
  });
};

t.test('a compiled schema is made once per schema', async (t) => {
  const schema = catalog.ReadingRecorded.data;
  t.equal(compiledSchema(schema), compiledSchema(schema));
  t.not(compiledSchema(schema), schema, 'a clone: the catalog schema itself is unchanged');
});

t.test('for every event type, the compiled schema answers as the schema does', async (t) => {
  for (const type of eventTypes) {
    const schema = catalog[type].data;
    const sample = (samples as Record<string, unknown>)[type] as Record<string, unknown>;
    t.same(parseFields(schema, sample, 'data'), reference(schema, sample), `${type}: its sample`);
    const differs = fc.check(
      fc.property(mutation(sample), (value) => JSON.stringify(parseFields(schema, value, 'data')) === JSON.stringify(reference(schema, value))),
      { numRuns: 40 },
    );
    t.notOk(differs.failed, `${type}: 40 mutations of its sample${differs.counterexample ? `; differs on ${JSON.stringify(differs.counterexample[0])}` : ''}`);
  }
});

import t from 'tap';
import type { PendingEvent } from '../../src/domain/decider.js';
import type { NewReading, RecordReadings } from '../../src/domain/indicator/commands.js';
import { ReadingsRefusedError } from '../../src/domain/indicator/decide.js';
import { indicatorDecider } from '../../src/domain/indicator/decider.js';
import { ValidationError } from '../../src/errors.js';
import type { Actor } from '../../src/events/envelope.js';
import { spec } from './decider-spec.js';
import { actors, ctx, ids, partner3, samples, uuid } from './fixtures.js';

/** `RecordReadings` (the CSV import's command): every reading checked as `RecordReading` checks it; all or nothing. */

const given = spec(indicatorDecider).given;
const { indicator: indicatorId, initiative: initiativeId } = ids;
/** Percentage, disaggregated by district (North, South) and sex (female, male); without approval here. */
const defined: PendingEvent = { type: 'IndicatorDefined', data: { ...samples.IndicatorDefined, requiresApproval: false } };
const y2024 = { start: '2024-01-01', end: '2024-12-31' };
const y2025 = { start: '2025-01-01', end: '2025-12-31' };

const reading = (n: number, changes: Partial<NewReading> = {}): NewReading => ({ readingId: uuid(100 + n), partnerId: ids.partner, period: y2024, value: 50 + n, ...changes });
const batch = (readings: NewReading[], actor: Actor = actors.backbone): RecordReadings => ({ type: 'RecordReadings', indicatorId, readings, context: ctx(actor) });
const recorded = (n: number, changes: Record<string, unknown> = {}): PendingEvent => ({
  type: 'ReadingRecorded',
  data: { readingId: uuid(100 + n), indicatorId, initiativeId, partnerId: ids.partner, period: y2024, value: 50 + n, disaggregation: {}, status: 'accepted', ...changes },
});

const refusalsOf = (error: ReadingsRefusedError) => error.refusals.map(({ index, field, duplicateOf, error: e }) => ({ index, field, status: e.status, ...(duplicateOf === undefined ? {} : { duplicateOf }) }));

t.test('records every reading, one event each, in order', async (t) => {
  const readings = [reading(1), reading(2, { disaggregation: { district: 'North' } }), reading(3, { period: y2025, source: 'census' })];
  given([defined])
    .when(batch(readings))
    .then([recorded(1), recorded(2, { disaggregation: { district: 'North' } }), recorded(3, { period: y2025, source: 'census' })]);
  t.pass();
});

t.test('refuses the whole batch, naming every refused reading and the field', async (t) => {
  const error = given([defined, recorded(9, { readingId: uuid(999) })])
    .when(
      batch([
        reading(1, { disaggregation: { district: 'East' } }),
        reading(2, { period: y2025 }),
        reading(3, { value: undefined, narrative: 'words' }),
        reading(4, { partnerId: partner3 }),
        reading(5, { period: y2025 }),
        reading(6),
      ]),
    )
    .thenThrows(ReadingsRefusedError, '5 of 6 readings refused');
  t.same(refusalsOf(error), [
    { index: 0, field: 'disaggregation.district', status: 409 },
    { index: 2, field: 'narrative', status: 409 },
    { index: 3, field: 'partnerId', status: 409 },
    { index: 4, field: '', status: 409, duplicateOf: 1 },
    { index: 5, field: '', status: 409 },
  ], 'a duplicate of an earlier reading of the batch names it; the last one duplicates the reading recorded before the batch');
  t.equal(error.status, 409);
  t.match(error.errors, [
    { path: 'readings.0.disaggregation.district', message: /"East" is not a declared value of district/ },
    { path: 'readings.2.narrative', message: /takes a numeric value/ },
    { path: 'readings.3.partnerId', message: /is not a partner/ },
    { path: 'readings.4', message: /already reported/ },
    { path: 'readings.5', message: /already reported/ },
  ]);
});

t.test('a duplicate of a reading recorded before the batch points to it', async (t) => {
  const error = given([defined, recorded(9, { readingId: uuid(999) })]).when(batch([reading(1)])).thenThrows(ReadingsRefusedError);
  t.same(refusalsOf(error), [{ index: 0, field: '', status: 409 }]);
  t.equal(error.refusals[0]!.error.extensions?.existingReadingId, uuid(999));
});

t.test('a partner key acting for another partner makes the batch a 403; bad input a 400', async (t) => {
  const forbidden = given([defined]).when(batch([reading(1), reading(2, { partnerId: ids.partner2, value: undefined })], actors.partner)).thenThrows(ReadingsRefusedError);
  t.equal(forbidden.status, 403, 'a 403 outranks the other refusals');
  t.same(refusalsOf(forbidden), [{ index: 1, field: 'partnerId', status: 403 }]);

  const invalid = given([defined]).when(batch([reading(1, { value: undefined })])).thenThrows(ReadingsRefusedError);
  t.equal(invalid.status, 400);
  t.same(refusalsOf(invalid), [{ index: 0, field: 'value', status: 400 }]);
});

t.test('an empty batch is a 400', async (t) => {
  given([defined]).when(batch([])).thenThrows(ValidationError, 'no readings');
  t.pass();
});

t.test('one reading through RecordReading and through a batch of one decide alike', async (t) => {
  const one = reading(1, { disaggregation: { sex: 'female' } });
  const single = given([defined]).when({ type: 'RecordReading', indicatorId, ...one, context: ctx() }).then([recorded(1, { disaggregation: { sex: 'female' } })]);
  t.same(given([defined]).when(batch([one])).then(single), single);
});

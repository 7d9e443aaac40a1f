import t from 'tap';
import type { ReadingBefore } from '../../src/events/measurement.js';
import { emptyRegister, foldReading, readingQuery, readingsOf, registerReading } from '../../projections/readings-register.js';
import { canonicalView } from '../../projections/digest.js';
import { history } from './events.js';

/** Given the events of one indicator's stream, expect its readings as currently valid. */

const I = '11111111-1111-4111-8111-111111111111';
const P1 = '22222222-2222-4222-8222-222222222222';
const P2 = '33333333-3333-4333-8333-333333333333';
const G = '55555555-5555-4555-8555-555555555555';
const IND = '66666666-6666-4666-8666-666666666666';
const R1 = '00000000-0000-4000-8001-000000000001';
const R2 = '00000000-0000-4000-8001-000000000002';
const R3 = '00000000-0000-4000-8001-000000000003';
const Q1 = { start: '2026-01-01', end: '2026-03-31' };
const Q2 = { start: '2026-04-01', end: '2026-06-30' };
const stream = `indicator-${IND}`;
const at = (second: number) => `2026-05-01T10:00:${String(second).padStart(2, '0')}.000Z`;

const defined = () => {
  const h = history();
  h.add(
    'IndicatorDefined',
    {
      initiativeId: I,
      indicatorId: IND,
      goalId: G,
      name: 'Families enrolled',
      measure: 'count',
      unit: 'families',
      direction: 'increase',
      cumulative: false,
      baseline: { value: 100, date: '2025-12-31' },
      targets: [],
      frequency: 'quarterly',
      disaggregations: [{ dimension: 'district', values: ['North', 'South'] }],
      requiresApproval: true,
    },
    { stream, at: at(0) },
  );
  return h;
};

const before = (changes: Partial<ReadingBefore> = {}): ReadingBefore => ({ partnerId: P1, period: Q1, disaggregation: {}, value: 10, status: 'submitted', ...changes });

t.test('a recorded reading is a row: its cells, and the recording event\'s time and seq', async (t) => {
  const { add, events } = defined();
  add('ReadingRecorded', { readingId: R1, indicatorId: IND, initiativeId: I, partnerId: P1, period: Q1, value: 10, disaggregation: {}, source: 'survey, "spring"', status: 'submitted' }, { stream, at: at(1) });
  t.same(readingsOf(events), [
    { readingId: R1, indicatorId: IND, partnerId: P1, period: Q1, disaggregation: {}, value: 10, source: 'survey, "spring"', status: 'submitted', recordedAt: at(1), seq: 1 },
  ]);
});

t.test('a correction replaces the value and makes the row as of the correction; a retraction removes the row', async (t) => {
  const { add, events } = defined();
  add('ReadingRecorded', { readingId: R1, indicatorId: IND, initiativeId: I, partnerId: P1, period: Q1, value: 10, disaggregation: {}, status: 'submitted' }, { stream, at: at(1) })
    ('ReadingRecorded', { readingId: R2, indicatorId: IND, initiativeId: I, partnerId: P2, period: Q1, value: 4, disaggregation: { district: 'North' }, status: 'submitted' }, { stream, at: at(2) })
    ('ReadingRecorded', { readingId: R3, indicatorId: IND, initiativeId: I, partnerId: P1, period: Q2, value: 7, disaggregation: {}, status: 'submitted' }, { stream, at: at(3) })
    ('ReadingApproved', { readingId: R1, indicatorId: IND, before: before() }, { stream, at: at(4) })
    ('ReadingCorrected', { readingId: R1, indicatorId: IND, value: 12, reason: 'typo', status: 'submitted', before: before({ status: 'approved' }) }, { stream, at: at(5) })
    ('ReadingReturned', { readingId: R3, indicatorId: IND, comment: 'which survey?', before: before({ period: Q2, value: 7 }) }, { stream, at: at(6) })
    ('ReadingRetracted', { readingId: R2, indicatorId: IND, reason: 'double count', before: before({ partnerId: P2, value: 4, disaggregation: { district: 'North' } }) }, { stream, at: at(7) });
  t.same(readingsOf(events), [
    { readingId: R1, indicatorId: IND, partnerId: P1, period: Q1, disaggregation: {}, value: 12, status: 'submitted', recordedAt: at(5), seq: 5 },
    { readingId: R3, indicatorId: IND, partnerId: P1, period: Q2, disaggregation: {}, value: 7, status: 'returned', recordedAt: at(3), seq: 3 },
  ], 'corrected in place (recording order kept), the returned reading still holds its slot, the retracted one is gone');
  t.match(readingsOf(events.slice(0, 5))[0], { readingId: R1, value: 10, status: 'approved', recordedAt: at(1), seq: 1 }, 'a review changes the status, not the event that set the value');

  t.same(readingsOf(events.slice(0, 4)).map((r) => [r.readingId, r.value]), [[R1, 10], [R2, 4], [R3, 7]], 'and as it stood at seq 3');
});

t.test('a qualitative reading keeps its narrative; a correction to a narrative replaces it', async (t) => {
  const { add, events } = defined();
  add('ReadingRecorded', { readingId: R1, indicatorId: IND, initiativeId: I, partnerId: P1, period: Q1, narrative: 'Families asked,\n"when"?', disaggregation: {}, status: 'accepted' }, { stream, at: at(1) })
    ('ReadingCorrected', { readingId: R1, indicatorId: IND, narrative: 'Families asked when.', reason: 'wording', status: 'accepted', before: { partnerId: P1, period: Q1, disaggregation: {}, narrative: 'Families asked,\n"when"?', status: 'accepted' } }, { stream, at: at(2) });
  t.same(readingsOf(events), [{ readingId: R1, indicatorId: IND, partnerId: P1, period: Q1, disaggregation: {}, narrative: 'Families asked when.', status: 'accepted', recordedAt: at(2), seq: 2 }]);
});

t.test('pure and deterministic: the same events give the same rows, byte for byte; changes to unknown readings are ignored', async (t) => {
  const { add, events } = defined();
  add('ReadingRecorded', { readingId: R1, indicatorId: IND, initiativeId: I, partnerId: P1, period: Q1, value: 0.1, disaggregation: { district: 'South' }, status: 'submitted' }, { stream, at: at(1) })
    ('ReadingCorrected', { readingId: R2, indicatorId: IND, value: 3, reason: 'not ours', status: 'accepted', before: before() }, { stream, at: at(2) })
    ('ReadingRetracted', { readingId: R3, indicatorId: IND, reason: 'not ours', before: before() }, { stream, at: at(3) });
  const frozen = structuredClone(events);
  t.equal(canonicalView(readingsOf(events)), canonicalView(readingsOf(structuredClone(events))));
  t.same(events, frozen, 'the events are not modified');
  t.equal(readingsOf(events).length, 1);
  const register = emptyRegister();
  for (const event of events) t.equal(registerReading(register, event), register, 'folds in place');
  t.same([...register.values()], readingsOf(events));
});

t.test('one reading by id: as currently valid, its status, and every review, correction and retraction in its history', async (t) => {
  const { add, events } = defined();
  add('ReadingRecorded', { readingId: R1, indicatorId: IND, initiativeId: I, partnerId: P1, period: Q1, value: 10, disaggregation: {}, source: 'survey', status: 'submitted' }, { stream, at: at(1), partnerId: P1 })
    ('ReadingRecorded', { readingId: R2, indicatorId: IND, initiativeId: I, partnerId: P2, period: Q1, value: 4, disaggregation: { district: 'North' }, status: 'submitted' }, { stream, at: at(2), partnerId: P2 })
    ('ReadingReturned', { readingId: R1, indicatorId: IND, comment: 'which survey?', before: before() }, { stream, at: at(3) })
    ('ReadingCorrected', { readingId: R1, indicatorId: IND, value: 12, reason: 'typo', status: 'submitted', before: before({ status: 'returned' }) }, { stream, at: at(4), partnerId: P1 })
    ('ReadingApproved', { readingId: R1, indicatorId: IND, comment: 'thanks', before: before({ value: 12 }) }, { stream, at: at(5) })
    ('ReadingRetracted', { readingId: R2, indicatorId: IND, reason: 'double count', before: before({ partnerId: P2, value: 4, disaggregation: { district: 'North' } }) }, { stream, at: at(6), partnerId: P2 });
  const backbone = { keyId: 'test', role: 'backbone' };
  const partner = (partnerId: string) => ({ keyId: 'test', role: 'partner', partnerId });

  t.same(readingQuery(events, R1), {
    id: R1,
    indicatorId: IND,
    partnerId: P1,
    period: Q1,
    disaggregation: {},
    value: 12,
    source: 'survey',
    status: 'approved',
    counts: true,
    recordedAt: at(1),
    seq: 1,
    history: [
      { type: 'recorded', seq: 1, recordedAt: at(1), by: partner(P1), status: 'submitted', value: 10 },
      { type: 'returned', seq: 3, recordedAt: at(3), by: backbone, status: 'returned', comment: 'which survey?' },
      { type: 'corrected', seq: 4, recordedAt: at(4), by: partner(P1), status: 'submitted', value: 12, reason: 'typo' },
      { type: 'approved', seq: 5, recordedAt: at(5), by: backbone, status: 'approved', comment: 'thanks' },
    ],
  }, 'the corrected value, approved, with its whole history');

  t.same(readingQuery(events, R2), {
    id: R2,
    indicatorId: IND,
    partnerId: P2,
    period: Q1,
    disaggregation: { district: 'North' },
    value: 4,
    status: 'retracted',
    counts: false,
    recordedAt: at(2),
    seq: 2,
    history: [
      { type: 'recorded', seq: 2, recordedAt: at(2), by: partner(P2), status: 'submitted', value: 4 },
      { type: 'retracted', seq: 6, recordedAt: at(6), by: partner(P2), status: 'retracted', reason: 'double count' },
    ],
    retraction: { reason: 'double count', recordedAt: at(6), seq: 6 },
  }, 'a retracted reading says so, keeps the value it had, and counts no more');

  t.match(readingQuery(events.slice(0, 4), R1), { value: 10, status: 'returned', counts: false, history: { length: 2 } }, 'as it stood at seq 3: returned, not yet corrected');
  t.equal(readingQuery(events.slice(0, 1), R1), undefined, 'before it was recorded → undefined');
  t.equal(readingQuery(events, R3), undefined, 'a reading the stream does not hold → undefined');
});

t.test('one reading by id: a narrative correction replaces the narrative; an accepted reading counts at once; the fold is pure', async (t) => {
  const { add, events } = defined();
  add('ReadingRecorded', { readingId: R1, indicatorId: IND, initiativeId: I, partnerId: P1, period: Q1, narrative: 'Families asked.', disaggregation: {}, status: 'accepted' }, { stream, at: at(1) })
    ('ReadingCorrected', { readingId: R1, indicatorId: IND, narrative: 'Families asked when.', reason: 'wording', status: 'accepted', before: { partnerId: P1, period: Q1, disaggregation: {}, narrative: 'Families asked.', status: 'accepted' } }, { stream, at: at(2) })
    ('ReadingCorrected', { readingId: R2, indicatorId: IND, value: 3, reason: 'not ours', status: 'accepted', before: before() }, { stream, at: at(3) });
  t.match(readingQuery(events.slice(0, 2), R1), { status: 'accepted', counts: true, narrative: 'Families asked.' });
  const reading = readingQuery(events, R1)!;
  t.equal(reading.narrative, 'Families asked when.');
  t.notOk('value' in reading);
  t.same(reading.history.map((h) => [h.type, h.narrative]), [['recorded', 'Families asked.'], ['corrected', 'Families asked when.']]);
  t.equal(readingQuery(events, R2), undefined, 'a change to a reading never recorded → undefined');

  const frozen = structuredClone(events);
  const first = foldReading(undefined, events[1]!, R1)!;
  const copy = structuredClone(first);
  foldReading(first, events[2]!, R1);
  t.same(first, copy, 'folding returns a new record and leaves the one given as it was');
  t.same(events, frozen, 'the events are not modified');
  t.equal(canonicalView(readingQuery(events, R1)), canonicalView(readingQuery(structuredClone(events), R1)), 'the same events give the same record, byte for byte');
});

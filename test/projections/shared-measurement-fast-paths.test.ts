import fc from 'fast-check';
import t from 'tap';
import { addExact } from '../../projections/exact-decimal.js';
import { measurementQuery } from '../../projections/measurement-queries.js';
import { sharedMeasurement, type MeasurementState, type MeasurementView } from '../../projections/shared-measurement.js';
import type { EventData } from '../../src/events/catalog.js';
import { history, replay } from './events.js';

const I = '11111111-1111-4111-8111-111111111111';
const I2 = '12121212-1212-4212-8212-121212121212';
const P = ['22222222-2222-4222-8222-222222222222', '33333333-3333-4333-8333-333333333333', '44444444-4444-4444-8444-444444444444'];
const G = '55555555-5555-4555-8555-555555555555';
const IND = '66666666-6666-4666-8666-666666666666';
const QUAL = '77777777-7777-4777-8777-777777777777';
const OTHER = '88888888-8888-4888-8888-888888888888';
const reading = (n: number) => `00000000-0000-4000-8001-${String(n).padStart(12, '0')}`;

/** Two initiatives; counted, submitted, corrected and retracted readings; breakdowns (values with separators); narratives. */
const measurementHistory = () => {
  const h = history();
  for (const initiativeId of [I, I2]) h.add('InitiativeLaunched', { initiativeId, name: 'Ready by Five', problemStatement: 'Too few children ready for school.' });
  for (const partnerId of P) h.add('PartnerJoined', { initiativeId: I, partnerId, name: 'Partner', sector: 'nonprofit', primaryInterests: [], isBackbone: false });
  h.add('PartnerJoined', { initiativeId: I2, partnerId: P[0]!, name: 'Partner', sector: 'community', primaryInterests: [], isBackbone: false });
  const indicator = (initiativeId: string, indicatorId: string, measure: 'count' | 'qualitative', requiresApproval: boolean) =>
    h.add('IndicatorDefined', {
      initiativeId,
      indicatorId,
      goalId: G,
      name: 'Families enrolled',
      measure,
      unit: 'families',
      direction: 'increase',
      cumulative: false,
      baseline: measure === 'count' ? { value: 10, date: '2025-12-31' } : { narrative: 'Silos', date: '2025-12-31' },
      targets: [],
      frequency: 'quarterly',
      disaggregations: measure === 'count' ? [{ dimension: 'district', values: ['North', 'South=Old;%'] }] : [],
      requiresApproval,
    });
  indicator(I, IND, 'count', false);
  indicator(I, QUAL, 'qualitative', true);
  indicator(I2, OTHER, 'count', false);
  const periods = [
    { start: '2026-01-01', end: '2026-03-31' },
    { start: '2026-04-01', end: '2026-06-30' },
  ];
  let n = 0;
  const live: Array<{ readingId: string; before: EventData<'ReadingRetracted'>['before'] }> = [];
  const breakdowns: Array<Record<string, string>> = [{}, { district: 'North' }, { district: 'South=Old;%' }];
  for (const period of periods) {
    for (const partnerId of P) {
      for (const disaggregation of breakdowns) {
        const readingId = reading(n++);
        const value = n * 1.25;
        h.add('ReadingRecorded', { readingId, indicatorId: IND, initiativeId: I, partnerId, period, value, disaggregation, status: 'accepted' });
        live.push({ readingId, before: { partnerId, period, disaggregation, value, status: 'accepted' as const } });
      }
      const narrativeId = reading(n++);
      h.add('ReadingRecorded', { readingId: narrativeId, indicatorId: QUAL, initiativeId: I, partnerId, period, narrative: `Story ${n}`, disaggregation: {}, status: 'submitted' });
      h.add('ReadingApproved', { readingId: narrativeId, indicatorId: QUAL, before: { partnerId, period, disaggregation: {}, narrative: `Story ${n}`, status: 'submitted' } });
    }
    h.add('ReadingRecorded', { readingId: reading(n++), indicatorId: OTHER, initiativeId: I2, partnerId: P[0]!, period, value: 3, disaggregation: {}, status: 'accepted' });
  }
  const [first, second, third] = live;
  h.add('ReadingCorrected', { readingId: first!.readingId, indicatorId: IND, value: 99.5, reason: 'Typo', status: 'accepted', before: first!.before });
  // P1 has no live reading left in the first period's total and North cells, P2 none in the second's total.
  h.add('ReadingRetracted', { readingId: second!.readingId, indicatorId: IND, reason: 'Duplicate', before: second!.before });
  h.add('ReadingRetracted', { readingId: third!.readingId, indicatorId: IND, reason: 'Duplicate', before: third!.before });
  h.add('ReadingRetracted', { readingId: live[12]!.readingId, indicatorId: IND, reason: 'Duplicate', before: live[12]!.before });
  return h.events;
};

/** The compliance of the first version of `measurementQuery` (a partner's periods counted with `includes`), for comparison. */
const referenceCompliance = (view: MeasurementView, indicatorId: string) => {
  const indicator = view.indicators[indicatorId]!;
  const expected = Object.keys(view.partners).filter((id) => view.partners[id]!.status === 'active').sort();
  const periods = Object.entries(indicator.periods)
    .map(([key, aggregate]) => ({ key, aggregate }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ key, aggregate }) => {
      const [start, end] = key.split('..');
      const reported = view.reporters.filter((_, slot) => (aggregate.reported[slot] ?? 0) > 0).sort();
      const missing = expected.filter((id) => !reported.includes(id));
      return { period: { start, end }, reported, share: expected.length === 0 ? null : (expected.length - missing.length) / expected.length };
    });
  const partnerIds = [...new Set([...expected, ...periods.flatMap((p) => p.reported)])].sort();
  const byPartner = partnerIds.map((partnerId) => {
    const missedPeriods = periods.flatMap((p, index) => (p.reported.includes(partnerId) ? [] : [index]));
    const periodsReported = periods.length - missedPeriods.length;
    return { partnerId, expected: view.partners[partnerId]?.status === 'active', periodsReported, share: periods.length === 0 ? null : periodsReported / periods.length, missedPeriods };
  });
  return {
    periods: periods.map(({ period, reported, share }) => ({ period, reportedCount: reported.length, share })),
    byPartner,
  };
};

t.test('measurement compliance: the same answer as the first, simple version', async (t) => {
  const events = measurementHistory();
  const state = replay(sharedMeasurement, events);
  const check = (label: string, s: MeasurementState) => {
    for (const indicator of measurementQuery(s.views[I]!, '2026-12-31').indicators) {
      t.same(indicator.compliance, referenceCompliance(s.views[I]!, indicator.id), `${label}: ${indicator.id.slice(0, 8)}`);
    }
  };
  check('all partners active', state);
  const left = replay(sharedMeasurement, [...events, { ...events[0]!, seq: events.length, type: 'PartnerLeft', data: { initiativeId: I, partnerId: P[1], reason: 'Merged' } }]);
  check('a partner left', left);
  // A reading from a partner the view does not know (the deciders never record one; the query must still answer).
  const stranger = structuredClone(state);
  const strangerView = stranger.views[I]!;
  strangerView.reporterSlots['99999999-9999-4999-8999-999999999999'] = strangerView.reporters.push('99999999-9999-4999-8999-999999999999') - 1;
  strangerView.indicators[IND]!.periods['2026-01-01..2026-03-31']!.reported[strangerView.reporters.length - 1] = 1;
  check('an unknown partner reported', stranger);
});

t.test('addExact: the fast path gives the BigInt answer', async (t) => {
  const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i;
  const parse = (text: string) => {
    const [, sign, whole = '0', fraction = '', exponent = '0'] = DECIMAL.exec(text)!;
    let units = BigInt(whole + fraction);
    let scale = fraction.length - Number(exponent);
    if (scale < 0) {
      units *= 10n ** BigInt(-scale);
      scale = 0;
    }
    return { units: sign === '-' ? -units : units, scale };
  };
  const format = (units: bigint, scale: number) => {
    while (scale > 0 && units % 10n === 0n) {
      units /= 10n;
      scale -= 1;
    }
    const negative = units < 0n;
    const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
    return `${negative ? '-' : ''}${digits.slice(0, digits.length - scale)}${scale > 0 ? `.${digits.slice(digits.length - scale)}` : ''}`;
  };
  const reference = (a: string, b: string | number) => {
    const x = parse(a);
    const y = parse(typeof b === 'number' ? String(b) : b);
    const scale = Math.max(x.scale, y.scale);
    return format(x.units * 10n ** BigInt(scale - x.scale) + y.units * 10n ** BigInt(scale - y.scale), scale);
  };
  const decimal = fc.oneof(
    fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
    fc.integer().map((n) => String(n / 100)),
    fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).chain((units) => fc.nat(12).map((scale) => format(units, scale))),
    fc.maxSafeInteger().map(String),
  );
  // Integer operands (counts) take the first fast path.
  const operand = fc.oneof(decimal, fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer().map((n) => n / 1000), fc.integer(), fc.maxSafeInteger());
  fc.assert(fc.property(decimal, operand, (a, b) => addExact(a, b) === reference(a, b)), { numRuns: 20_000 });
  for (const [a, b] of [['-0', -0], ['9007199254740991', 1], ['9007199254740990', 1], ['-9007199254740991', -1], ['12', -12], ['1.5', 2], ['999999999999999', 0.5], ['0.000000000000001', '-0.000000000000001'], ['1e21', 1]] as const) {
    t.equal(addExact(a, b), reference(a, b), `${a} + ${b}`);
  }
});

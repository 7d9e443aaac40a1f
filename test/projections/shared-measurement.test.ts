import t from 'tap';
import type { InitiativeFacts, PartnerStatus } from '../../src/domain/context.js';
import type { PendingEvent } from '../../src/domain/decider.js';
import type { DefineIndicator, IndicatorCommand } from '../../src/domain/indicator/commands.js';
import { indicatorDecider, indicatorStream, type IndicatorState } from '../../src/domain/indicator/decider.js';
import { validateEventData } from '../../src/events/catalog.js';
import { canonicalView, digestsOf } from '../../projections/digest.js';
import { addExact } from '../../projections/exact-decimal.js';
import { disaggregationKey, parseDisaggregationKey } from '../../projections/measurement-keys.js';
import { measurementQuery, seriesQuery } from '../../projections/measurement-queries.js';
import { type MeasurementState, type MeasurementView, type PeriodAggregate, sharedMeasurement } from '../../projections/shared-measurement.js';
import { history, replay } from './events.js';

const I = '11111111-1111-4111-8111-111111111111';
const P1 = '22222222-2222-4222-8222-222222222222';
const P2 = '33333333-3333-4333-8333-333333333333';
const P3 = '44444444-4444-4444-8444-444444444444';
const G = '55555555-5555-4555-8555-555555555555';
const IND = '66666666-6666-4666-8666-666666666666';
const IND2 = '77777777-7777-4777-8777-777777777777';
const id = (kind: number, n: number): string => `00000000-0000-4000-${8000 + kind}-${String(n).padStart(12, '0')}`;

const Q1 = { start: '2026-01-01', end: '2026-03-31' };
const Q2 = { start: '2026-04-01', end: '2026-06-30' };
const Q3 = { start: '2026-07-01', end: '2026-09-30' };
const q1 = '2026-01-01..2026-03-31';
const q2 = '2026-04-01..2026-06-30';

type Definition = Omit<DefineIndicator, 'type' | 'indicatorId' | 'initiativeId' | 'context'>;
const countIndicator: Definition = {
  goalId: G,
  name: 'Families enrolled',
  measure: 'count',
  unit: 'families',
  direction: 'increase',
  cumulative: false,
  baseline: { value: 1000, date: '2025-12-31' },
  targets: [{ periodEnd: '2026-12-31', value: 2000 }],
  frequency: 'quarterly',
  disaggregations: [
    { dimension: 'district', values: ['North', 'South', 'East'] },
    { dimension: 'sex', values: ['female', 'male'] },
  ],
  requiresApproval: false,
};

interface ReadingInput {
  partnerId: string;
  period: { start: string; end: string };
  value?: number;
  narrative?: string;
  disaggregation?: Record<string, string>;
}

/**
 * Given events, written through the real indicator decider: the reading events carry exactly the `before`
 * (and correction `status`) the service would store, validated against the catalog. The projection then
 * sees only the events (`replay`), never the decider's state.
 */
const scenario = ({ validate = true } = {}) => {
  const h = history();
  const partners = new Map<string, PartnerStatus>();
  const states = new Map<string, IndicatorState>();
  const indicatorOfReading = new Map<string, string>();
  let readings = 0;
  let facts: { actor: { keyId: string; role: 'backbone' }; initiative: InitiativeFacts } | undefined;
  /** The initiative's facts as they stand (rebuilt when a partner joins or leaves). */
  const context = () =>
    (facts ??= {
      actor: { keyId: 'key-backbone', role: 'backbone' },
      initiative: { initiativeId: I, partners: new Map(partners), goalIds: new Set([G]), strategyIds: new Set() },
    });
  const run = (indicatorId: string, command: IndicatorCommand): void => {
    const state = states.get(indicatorId) ?? indicatorDecider.initialState();
    const events: PendingEvent[] = indicatorDecider.decide(command, state);
    states.set(indicatorId, events.reduce(indicatorDecider.evolve, state));
    for (const event of events) {
      if (validate) validateEventData(event.type, event.data);
      h.add(event.type, event.data, { stream: indicatorStream(indicatorId) });
    }
  };
  const onReading = (readingId: string) => {
    const indicatorId = indicatorOfReading.get(readingId)!;
    return { indicatorId, readingId, context: context() };
  };
  const s = {
    events: h.events,
    launch() {
      h.add('InitiativeLaunched', { initiativeId: I, name: 'Ready by Five', problemStatement: 'Too few children ready for school.' }, { stream: `initiative-${I}` });
      return s;
    },
    join(partnerId: string, name = `Partner ${partnerId.slice(0, 4)}`) {
      partners.set(partnerId, 'active');
      facts = undefined;
      h.add('PartnerJoined', { initiativeId: I, partnerId, name, sector: 'nonprofit', primaryInterests: [], isBackbone: false }, { stream: `initiative-${I}` });
      return s;
    },
    leave(partnerId: string) {
      partners.set(partnerId, 'left');
      facts = undefined;
      h.add('PartnerLeft', { initiativeId: I, partnerId, reason: 'Programme ended' }, { stream: `initiative-${I}` });
      return s;
    },
    define(indicatorId: string, changes: Partial<Definition> = {}) {
      run(indicatorId, { type: 'DefineIndicator', indicatorId, initiativeId: I, ...countIndicator, ...changes, context: context() });
      return s;
    },
    revise(indicatorId: string, periodEnd: string, value: number) {
      run(indicatorId, { type: 'ReviseTarget', indicatorId, periodEnd, value, reason: 'New funding', context: context() });
      return s;
    },
    record(indicatorId: string, reading: ReadingInput): string {
      const readingId = id(1, readings++);
      indicatorOfReading.set(readingId, indicatorId);
      run(indicatorId, { type: 'RecordReading', indicatorId, readingId, ...reading, context: context() });
      return readingId;
    },
    approve(readingId: string) {
      const r = onReading(readingId);
      run(r.indicatorId, { type: 'ReviewReading', ...r, outcome: 'approve' });
      return s;
    },
    sendBack(readingId: string) {
      const r = onReading(readingId);
      run(r.indicatorId, { type: 'ReviewReading', ...r, outcome: 'return', comment: 'Please check the source' });
      return s;
    },
    correct(readingId: string, point: { value: number } | { narrative: string }) {
      const r = onReading(readingId);
      run(r.indicatorId, { type: 'CorrectReading', ...r, ...point, reason: 'Data entry error' });
      return s;
    },
    retract(readingId: string) {
      const r = onReading(readingId);
      run(r.indicatorId, { type: 'RetractReading', ...r, reason: 'Duplicate' });
      return s;
    },
    state: (): MeasurementState => replay(sharedMeasurement, h.events),
    view: () => s.state().views[I]!,
  };
  return s;
};

/** Launched, with partners P1 and P2 (and P3 if asked). */
const given = (...extra: string[]) => {
  const s = scenario().launch().join(P1, 'City Library').join(P2, 'Family Centre');
  for (const partnerId of extra) s.join(partnerId);
  return s;
};

/** A period's aggregates as the tests state them: `reported` as partner id → live readings (the state keeps counts by partner slot). */
const readablePeriod = (view: MeasurementView, period: PeriodAggregate | undefined) => {
  if (!period) return undefined;
  const { reported, ...rest } = period;
  const byPartner: Record<string, number> = {};
  reported.forEach((count, slot) => {
    if (count > 0) byPartner[view.reporters[slot]!] = count;
  });
  return { ...rest, reported: byPartner };
};
const readablePeriods = (view: MeasurementView, indicatorId: string) =>
  Object.fromEntries(Object.entries(view.indicators[indicatorId]!.periods).map(([key, period]) => [key, readablePeriod(view, period)]));

const indicatorIn = (s: ReturnType<typeof scenario>, indicatorId = IND, asOfDate = '2026-12-31') =>
  measurementQuery(s.view(), asOfDate).indicators.find((x) => x.id === indicatorId)!;

t.test('keys and exact sums', async (t) => {
  t.equal(disaggregationKey({}), '', 'no disaggregation is the total');
  t.equal(disaggregationKey({ sex: 'female', district: 'North' }), 'district=North;sex=female', 'sorted by dimension');
  const odd = { district: 'A;b=c%d', sex: 'x' };
  t.equal(disaggregationKey(odd), 'district=A%3Bb%3Dc%25d;sex=x', 'separators inside values are escaped');
  t.same(parseDisaggregationKey(disaggregationKey(odd)), odd, 'and parse back');
  t.equal(addExact(addExact('0', 0.1), 0.2), '0.3', 'no binary-float residue');
  t.equal(addExact(addExact('0.3', -0.1), -0.2), '0');
  t.equal(addExact('0', 1e21), '1000000000000000000000');
  t.equal(addExact('1', 1.5e-7), '1.00000015');
});

t.test('corrections are applied and retractions removed', async (t) => {
  const s = given(P3).define(IND);
  const r1 = s.record(IND, { partnerId: P1, period: Q1, value: 100 });
  const r2 = s.record(IND, { partnerId: P2, period: Q1, value: 50 });
  const r3 = s.record(IND, { partnerId: P1, period: Q2, value: 300 });
  s.correct(r1, { value: 120 }).retract(r2);
  t.same(readablePeriods(s.view(), IND), {
    [q1]: { cells: { '': { sum: '120', count: 1 } }, reported: { [P1]: 1 } },
    [q2]: { cells: { '': { sum: '300', count: 1 } }, reported: { [P1]: 1 } },
  }, 'the corrected value replaces the first one; the retracted reading is gone');

  s.retract(r3);
  t.same(Object.keys(s.view().indicators[IND]!.periods), [q1], 'a period whose only reading was retracted is gone');
  s.record(IND, { partnerId: P1, period: Q2, value: 310 });
  t.same(readablePeriods(s.view(), IND)[q2], { cells: { '': { sum: '310', count: 1 } }, reported: { [P1]: 1 } }, 'reported again, it counts again');

  const a = s.record(IND, { partnerId: P1, period: Q3, value: 0.1 });
  s.record(IND, { partnerId: P2, period: Q3, value: 0.2 });
  s.record(IND, { partnerId: P3, period: Q3, value: 0.3 });
  t.same(s.view().indicators[IND]!.periods['2026-07-01..2026-09-30']?.cells[''], { sum: '0.6', count: 3 }, 'exact decimal sums');
  s.retract(a);
  t.same(s.view().indicators[IND]!.periods['2026-07-01..2026-09-30']?.cells[''], { sum: '0.5', count: 2 });

  const series = indicatorIn(s).series;
  t.same(series.map((p) => [p.period.start, p.total]), [
    ['2026-01-01', { value: 120, count: 1 }],
    ['2026-04-01', { value: 310, count: 1 }],
    ['2026-07-01', { value: 0.5, count: 2 }],
  ], 'the series by period, corrected, without retracted readings');
});

t.test('approval: submitted and returned readings do not count until approved; a correction is reviewed again', async (t) => {
  const s = given().define(IND, { measure: 'percentage', unit: '%', baseline: { value: 50, date: '2025-12-31' }, targets: [{ periodEnd: '2026-12-31', value: 80 }], requiresApproval: true });
  const periodOf = () => readablePeriods(s.view(), IND)[q1];
  const r1 = s.record(IND, { partnerId: P1, period: Q1, value: 60 });
  t.same(periodOf(), { cells: {}, reported: { [P1]: 1 } }, 'submitted: reported, not counted');
  t.equal(indicatorIn(s).latest, null);
  t.equal(indicatorIn(s).onTrack, 'no_data');

  s.approve(r1);
  t.same(periodOf()?.cells, { '': { sum: '60', count: 1 } }, 'approved: counted');

  const r2 = s.record(IND, { partnerId: P2, period: Q1, value: 70 });
  s.sendBack(r2);
  t.same(periodOf(), { cells: { '': { sum: '60', count: 1 } }, reported: { [P1]: 1, [P2]: 1 } }, 'returned: still reported, not counted');
  s.correct(r2, { value: 72 });
  t.same(periodOf()?.cells, { '': { sum: '60', count: 1 } }, 'corrected after return: submitted, not counted yet');
  s.approve(r2);
  t.same(periodOf()?.cells, { '': { sum: '132', count: 2 } });
  t.same(indicatorIn(s).latest, { period: Q1, value: 66 }, 'a percentage is the mean over the readings that count');

  s.correct(r1, { value: 64 });
  t.same(periodOf()?.cells, { '': { sum: '72', count: 1 } }, 'corrected after approval: back to submitted, out of the figures');
  t.equal(indicatorIn(s).latest?.value, 72);
  s.approve(r1);
  t.same(periodOf()?.cells, { '': { sum: '136', count: 2 } }, 'approved again with its corrected value');
  t.equal(indicatorIn(s).level, 68);
});

t.test('series per disaggregation, filtered by period range and disaggregation', async (t) => {
  const s = given().define(IND);
  s.record(IND, { partnerId: P1, period: Q1, value: 100 });
  s.record(IND, { partnerId: P1, period: Q1, value: 60, disaggregation: { district: 'North' } });
  s.record(IND, { partnerId: P1, period: Q1, value: 40, disaggregation: { district: 'South' } });
  s.record(IND, { partnerId: P1, period: Q1, value: 35, disaggregation: { sex: 'female', district: 'North' } });
  s.record(IND, { partnerId: P2, period: Q1, value: 50 });
  s.record(IND, { partnerId: P2, period: Q1, value: 50, disaggregation: { district: 'North' } });
  s.record(IND, { partnerId: P1, period: Q2, value: 80 });
  s.record(IND, { partnerId: P1, period: Q2, value: 30, disaggregation: { district: 'North' } });

  t.same(s.view().indicators[IND]!.periods[q1]?.cells, {
    '': { sum: '150', count: 2 },
    'district=North': { sum: '110', count: 2 },
    'district=South': { sum: '40', count: 1 },
    'district=North;sex=female': { sum: '35', count: 1 },
  }, 'one cell per canonical disaggregation key; breakdowns are not added into the total');

  const view = s.view();
  const all = seriesQuery(view, IND)!;
  t.match(all, { indicatorId: IND, measure: 'count', unit: 'families', aggregation: 'sum', disaggregation: null });
  t.same(all.series, [
    {
      period: Q1,
      total: { value: 150, count: 2 },
      byDisaggregation: {
        'district=North': { value: 110, count: 2 },
        'district=North;sex=female': { value: 35, count: 1 },
        'district=South': { value: 40, count: 1 },
      },
    },
    { period: Q2, total: { value: 80, count: 1 }, byDisaggregation: { 'district=North': { value: 30, count: 1 } } },
  ]);
  const north = seriesQuery(view, IND, { disaggregation: { district: 'North' } })!;
  t.equal(north.disaggregation, 'district=North');
  t.same(north.series.map((p) => Object.keys(p.byDisaggregation)), [['district=North', 'district=North;sex=female'], ['district=North']], 'a filter keeps the breakdowns that include it');
  t.same(seriesQuery(view, IND, { disaggregation: 'sex=female' })!.series.map((p) => p.period), [Q1], 'as a key too; periods without it are left out');
  t.same(seriesQuery(view, IND, { from: '2026-04-01' })!.series.map((p) => p.period), [Q2]);
  t.same(seriesQuery(view, IND, { to: '2026-03-31' })!.series.map((p) => p.period), [Q1]);
  t.same(seriesQuery(view, IND, { from: '2026-02-01', to: '2026-12-31' })!.series.map((p) => p.period), [Q2], 'periods lie wholly inside the range');
  t.same(seriesQuery(view, IND, { from: '2026-02-01', to: '2026-05-31' })!.series, []);
  t.equal(seriesQuery(view, IND2), undefined, 'an unknown indicator has no series');
});

t.test('progress and on-track status', async (t) => {
  t.test('increase: an increment count, against the straight line to the last target', async (t) => {
    const s = given().define(IND, { targets: [{ periodEnd: '2026-06-30', value: 1400 }, { periodEnd: '2026-12-31', value: 2000 }] });
    s.record(IND, { partnerId: P1, period: Q1, value: 300 });
    const q2p1 = s.record(IND, { partnerId: P1, period: Q2, value: 200 });
    s.record(IND, { partnerId: P2, period: Q2, value: 50 });
    const x = indicatorIn(s, IND, '2026-05-01');
    t.same(x.baseline, { value: 1000, date: '2025-12-31' });
    t.same(x.target, { periodEnd: '2026-12-31', value: 2000 }, 'the current target is the last one');
    t.same(x.nextTarget, { periodEnd: '2026-06-30', value: 1400 }, 'the next target after the view date');
    t.same(x.latest, { period: Q2, value: 250 }, 'the latest period\'s total');
    t.equal(x.level, 1550, 'baseline plus every period\'s increment');
    t.equal(x.progressPercent, 55);
    t.equal(x.trajectory?.date, '2026-06-30');
    t.equal(Math.round(x.trajectory!.expected * 100) / 100, 1495.89, '1000 + 1000 × 181/365 at the latest period end');
    t.equal(x.onTrack, 'on_track');
    t.same(indicatorIn(s, IND, '2026-07-15').nextTarget, { periodEnd: '2026-12-31', value: 2000 }, 'the date comes from the caller, not the clock');
    t.equal(indicatorIn(s, IND, '2027-01-01').nextTarget, null);

    s.correct(q2p1, { value: 100 });
    t.equal(indicatorIn(s).level, 1450);
    t.equal(indicatorIn(s).progressPercent, 45);
    t.equal(indicatorIn(s).onTrack, 'off_track', 'below the line');
    s.revise(IND, '2026-12-31', 1800);
    t.same(indicatorIn(s).target, { periodEnd: '2026-12-31', value: 1800 }, 'a revised target stands');
    t.equal(indicatorIn(s).progressPercent, 56.3, '450 / 800');
    t.equal(indicatorIn(s).onTrack, 'on_track', '1000 + 800 × 181/365 = 1396.7');
  });

  t.test('decrease: a percentage, the mean over partners', async (t) => {
    const s = given().define(IND, {
      measure: 'percentage',
      unit: '%',
      direction: 'decrease',
      baseline: { value: 20, date: '2025-12-31' },
      targets: [{ periodEnd: '2026-12-31', value: 10 }],
    });
    const a = s.record(IND, { partnerId: P1, period: Q2, value: 18 });
    s.record(IND, { partnerId: P2, period: Q2, value: 16 });
    const x = indicatorIn(s);
    t.equal(x.aggregation, 'mean');
    t.equal(x.level, 17);
    t.equal(x.progressPercent, 30, '(17 − 20) / (10 − 20)');
    t.equal(x.onTrack, 'off_track', 'above the line (15.04) is behind for a decrease');
    s.correct(a, { value: 12 });
    t.equal(indicatorIn(s).level, 14);
    t.equal(indicatorIn(s).progressPercent, 60);
    t.equal(indicatorIn(s).onTrack, 'on_track');
  });

  t.test('maintain: no progress figure, on track within 5 % of the baseline', async (t) => {
    const s = given().define(IND, {
      measure: 'percentage',
      unit: '%',
      direction: 'maintain',
      baseline: { value: 95, date: '2025-12-31' },
      targets: [{ periodEnd: '2026-12-31', value: 95 }],
    });
    t.equal(indicatorIn(s).onTrack, 'no_data', 'no reading, no status');
    const r = s.record(IND, { partnerId: P1, period: Q1, value: 92 });
    t.equal(indicatorIn(s).progressPercent, null);
    t.equal(indicatorIn(s).onTrack, 'on_track', '|92 − 95| ≤ 4.75');
    s.correct(r, { value: 90 });
    t.equal(indicatorIn(s).onTrack, 'off_track');
  });

  t.test('no data: no numbers, no status', async (t) => {
    const x = indicatorIn(given().define(IND));
    t.same([x.latest, x.level, x.progressPercent, x.onTrack, x.trajectory, x.series], [null, null, null, 'no_data', null, []]);
  });
});

t.test('cumulative readings are running totals; increments add up', async (t) => {
  const s = given().define(IND, { cumulative: true }).define(IND2);
  for (const indicatorId of [IND, IND2]) {
    s.record(indicatorId, { partnerId: P1, period: Q1, value: 700 });
    s.record(indicatorId, { partnerId: P2, period: Q1, value: 500 });
    s.record(indicatorId, { partnerId: P1, period: Q2, value: 800 });
    s.record(indicatorId, { partnerId: P2, period: Q2, value: 700 });
  }
  t.equal(indicatorIn(s, IND).level, 1500, 'cumulative: the latest period\'s total');
  t.equal(indicatorIn(s, IND).progressPercent, 50);
  t.equal(indicatorIn(s, IND2).level, 3700, 'increments: baseline 1000 + 1200 + 1500');
  t.equal(indicatorIn(s, IND2).progressPercent, 270);
});

t.test('reporting compliance survives a retraction and expects the active partners', async (t) => {
  const s = given(P3).define(IND);
  s.record(IND, { partnerId: P1, period: Q1, value: 1 });
  s.record(IND, { partnerId: P2, period: Q1, value: 1 });
  s.record(IND, { partnerId: P3, period: Q1, value: 1 });
  s.record(IND, { partnerId: P1, period: Q2, value: 1 });
  const north = s.record(IND, { partnerId: P1, period: Q2, value: 1, disaggregation: { district: 'North' } });
  const p2q2 = s.record(IND, { partnerId: P2, period: Q2, value: 1 });
  s.retract(north).retract(p2q2).leave(P3);

  t.same(readablePeriods(s.view(), IND)[q2]?.reported, { [P1]: 1 }, 'one live reading of P1 is left for Q2; P2 has none');
  const { compliance } = indicatorIn(s);
  t.same(compliance.periods, [
    { period: Q1, reportedCount: 3, share: 1 },
    { period: Q2, reportedCount: 1, share: 0.5 },
  ], 'the share counts the expected partners only: P3 reported for Q1 but left');
  t.same(compliance.byPartner, [
    { partnerId: P1, expected: true, periodsReported: 2, share: 1, missedPeriods: [] },
    { partnerId: P2, expected: true, periodsReported: 1, share: 0.5, missedPeriods: [1] },
    { partnerId: P3, expected: false, periodsReported: 1, share: 0.5, missedPeriods: [1] },
  ], 'the partners active in the view are expected; a partner who left keeps what it reported, but is not expected');
  t.same(measurementQuery(s.view(), '2026-12-31').partners.map((p) => [p.id, p.status]), [[P1, 'active'], [P2, 'active'], [P3, 'left']]);
});

t.test('qualitative indicators keep the narratives that count, per period and partner', async (t) => {
  const qualitative: Partial<Definition> = {
    measure: 'qualitative',
    unit: 'narrative',
    baseline: { narrative: 'Few families know the programme', date: '2025-12-31' },
    targets: [{ periodEnd: '2026-12-31', narrative: 'Most families know it' }],
  };
  const s = given().define(IND, qualitative).define(IND2, { ...qualitative, requiresApproval: true });
  s.record(IND, { partnerId: P1, period: Q1, narrative: 'Parents ask for it' });
  const p2 = s.record(IND, { partnerId: P2, period: Q1, narrative: 'Teachers notice' });
  const north = s.record(IND, { partnerId: P1, period: Q1, narrative: 'The North library is full', disaggregation: { district: 'North' } });
  s.correct(p2, { narrative: 'Teachers notice more reading' }).retract(north);
  t.same(readablePeriods(s.view(), IND)[q1], {
    cells: {},
    reported: { [P1]: 1, [P2]: 1 },
    narratives: { [P1]: { '': 'Parents ask for it' }, [P2]: { '': 'Teachers notice more reading' } },
  });
  const x = indicatorIn(s);
  t.same([x.aggregation, x.latest, x.level, x.progressPercent, x.onTrack], ['narrative', null, null, null, 'no_data']);
  t.same(x.series[0]?.narratives, { [P1]: { '': 'Parents ask for it' }, [P2]: { '': 'Teachers notice more reading' } });
  t.same(x.target, { periodEnd: '2026-12-31', narrative: 'Most families know it' });

  const pending = s.record(IND2, { partnerId: P1, period: Q1, narrative: 'Awaiting review' });
  t.same(readablePeriods(s.view(), IND2)[q1], { cells: {}, reported: { [P1]: 1 } }, 'a submitted narrative is not shown yet');
  s.approve(pending);
  t.same(s.view().indicators[IND2]!.periods[q1]?.narratives, { [P1]: { '': 'Awaiting review' } });
});

t.test('definitions: the view keeps what the indicator says, with its current targets', async (t) => {
  const s = given().define(IND, { targets: [{ periodEnd: '2027-12-31', value: 3000 }, { periodEnd: '2026-12-31', value: 2000 }] });
  s.revise(IND, '2026-12-31', 1900).revise(IND, '2026-06-30', 1300);
  const { periods, ...definition } = s.view().indicators[IND]!;
  t.same(periods, {});
  t.same(definition, {
    ...countIndicator,
    targets: [{ periodEnd: '2026-06-30', value: 1300 }, { periodEnd: '2026-12-31', value: 1900 }, { periodEnd: '2027-12-31', value: 3000 }],
  });
  t.same(s.view().indicatorOrder, [IND]);
});

t.test('events of an indicator the projection never saw defined are ignored', async (t) => {
  const s = given().define(IND);
  const r = s.record(IND, { partnerId: P1, period: Q1, value: 1 });
  s.correct(r, { value: 2 }).retract(r);
  const orphan = s.events.filter((e) => e.type !== 'IndicatorDefined');
  t.same(replay(sharedMeasurement, orphan).views[I]?.indicators, {});
});

t.test('deterministic: a replay, and a snapshot resumed, give the same digest', async (t) => {
  const s = given(P3).define(IND, { requiresApproval: true }).define(IND2, { measure: 'percentage', unit: '%' });
  const a = s.record(IND, { partnerId: P1, period: Q1, value: 10.1 });
  const b = s.record(IND, { partnerId: P2, period: Q1, value: 20.2, disaggregation: { district: 'East' } });
  s.approve(a).sendBack(b).correct(b, { value: 20.3 }).approve(b).correct(a, { value: 10.15 });
  const c = s.record(IND2, { partnerId: P3, period: Q2, value: 33.3 });
  s.record(IND2, { partnerId: P1, period: Q2, value: 66.6 });
  s.retract(c).leave(P3);

  const first = replay(sharedMeasurement, s.events);
  const second = replay(sharedMeasurement, s.events);
  t.same(digestsOf(sharedMeasurement, first), digestsOf(sharedMeasurement, second));
  t.match(digestsOf(sharedMeasurement, first)[I], /^[0-9a-f]{64}$/);

  const half = Math.floor(s.events.length / 2);
  const snapshot = JSON.parse(JSON.stringify(replay(sharedMeasurement, s.events.slice(0, half)))) as MeasurementState;
  const resumed = s.events.slice(half).reduce((state, event) => sharedMeasurement.apply(state, structuredClone(event)), snapshot);
  t.equal(canonicalView(resumed), canonicalView(first), 'a JSON snapshot plus the rest of the events is the same state');
  t.not(digestsOf(sharedMeasurement, replay(sharedMeasurement, s.events.slice(0, -1)))[I], digestsOf(sharedMeasurement, first)[I]);
});

t.test('the state holds aggregates only: 50,000 readings fit in the cells', async (t) => {
  const partners = [P1, P2, P3, id(2, 4), id(2, 5)];
  const indicators = Array.from({ length: 10 }, (_, i) => id(3, i));
  const months = Array.from({ length: 12 }, (_, m) => {
    const month = String(m + 1).padStart(2, '0');
    const end = new Date(Date.UTC(2026, m + 1, 0)).toISOString().slice(0, 10);
    return { start: `2026-${month}-01`, end };
  });
  const breakdowns: Record<string, string>[] = [{}];
  for (const district of ['North', 'South', 'East']) breakdowns.push({ district });
  for (const sex of ['female', 'male']) breakdowns.push({ sex });
  for (const district of ['North', 'South', 'East']) for (const sex of ['female', 'male']) breakdowns.push({ district, sex });
  const slots = indicators.length * months.length * partners.length * breakdowns.length; // 7,200
  const needsApproval = (indicatorId: string) => indicatorId === indicators[0] || indicatorId === indicators[1];
  const value = (i: number) => (i % 97) / 4;

  const build = (readingNumbers: number[]) => {
    const s = scenario({ validate: false }).launch();
    for (const partnerId of partners) s.join(partnerId);
    indicators.forEach((indicatorId, i) =>
      s.define(indicatorId, i % 2 === 0 ? { requiresApproval: needsApproval(indicatorId) } : { measure: 'percentage', unit: '%', requiresApproval: needsApproval(indicatorId) }),
    );
    const live = new Map<number, string>();
    let recorded = 0;
    for (const i of readingNumbers) {
      const slot = i % slots;
      const previous = live.get(slot);
      if (previous !== undefined) {
        if (i % 2 === 1) s.correct(previous, { value: value(i) + 1 });
        s.retract(previous);
      }
      const indicatorId = indicators[slot % indicators.length]!;
      const rest = Math.floor(slot / indicators.length);
      const reading = s.record(indicatorId, {
        partnerId: partners[rest % partners.length]!,
        period: months[Math.floor(rest / partners.length) % months.length]!,
        value: value(i),
        disaggregation: breakdowns[Math.floor(rest / (partners.length * months.length))]!,
      });
      recorded++;
      if (needsApproval(indicatorId) && i % 3 !== 0) s.approve(reading);
      live.set(slot, reading);
    }
    return { s, recorded };
  };

  const all = Array.from({ length: 50_000 }, (_, i) => i);
  const started = performance.now();
  const { s, recorded } = build(all);
  const state = s.state();
  const elapsed = performance.now() - started;
  t.equal(recorded, 50_000);
  const size = canonicalView(state).length;
  t.ok(size < 1_000_000, `canonical state of ${s.events.length} events (50,000 readings) is ${(size / 1024).toFixed(0)} KiB, under 1 MB`);

  const cells = Object.values(state.views[I]!.indicators).flatMap((x) => Object.values(x.periods)).flatMap((p) => Object.keys(p.cells));
  t.ok(cells.length <= indicators.length * months.length * breakdowns.length, `${cells.length} cells: at most indicator × period × disaggregation`);

  // Only the last reading of each slot is still live: recording just those gives the very same state.
  const lastOfSlot = all.slice(-slots).sort((a, b) => (a % slots) - (b % slots));
  const fresh = build(lastOfSlot).s.state();
  t.equal(digestsOf(sharedMeasurement, state)[I], digestsOf(sharedMeasurement, fresh)[I], 'the state is that of the live readings alone: nothing of the history it replaced remains');
  t.ok(elapsed < 60_000, `built and replayed in ${(elapsed / 1000).toFixed(1)} s`);
});

import type { EventData } from '../src/events/catalog.js';
import { defineProjection, viewsByInitiative } from './projection.js';

/**
 * shared-measurement (design §5): per initiative, per indicator, its definition (current targets) and the
 * aggregates of its readings — never a registry of readings. A snapshot therefore grows with the cells
 * (indicator × period × disaggregation, and partners per period), not with the number of readings: every
 * event that changes an existing reading carries the reading as it stood (`before`), so the change is
 * "take `before` out of the aggregates, put the changed reading in".
 *
 * What counts (design §1): a reading counts while it is `accepted` (indicator without approval) or `approved`;
 * `submitted` and `returned` readings do not, nor retracted ones. A correction replaces the value (or narrative)
 * and, where the indicator requires approval, makes the reading `submitted` again (the event's `status`).
 *
 * Sums are exact decimals (strings): each value enters as the shortest decimal that round-trips its JSON
 * number, so adding and removing readings in any order never leaves a binary-float residue, and the state's
 * canonical form (its digest) is the same in every replay.
 */

export interface Target {
  periodEnd: string;
  value?: number;
  narrative?: string;
}

/** Sum (exact decimal string) and count of the values of the readings that count, in one cell. */
export interface Cell {
  sum: string;
  count: number;
}

export interface PeriodAggregate {
  /** Disaggregation key (`disaggregationKey`; `''` = the total) → sum and count of counting values. */
  cells: Record<string, Cell>;
  /**
   * How many of each partner's readings for this period are live (not retracted), whatever their review status, by
   * the partner's slot in the view's `reporters` (trailing partners without any may be absent): reporting compliance
   * ("did the partner report?") survives a retraction of one of several readings. An array of counts, not a map of
   * ids: this is most of the state, and every snapshot and `asOf` serializes or parses it.
   */
  reported: number[];
  /** Qualitative indicators: partner → disaggregation key → the narrative of a reading that counts. */
  narratives?: Record<string, Record<string, string>>;
}

export interface IndicatorAggregate {
  goalId: string;
  name: string;
  measure: 'count' | 'percentage' | 'currency' | 'ordinal' | 'qualitative';
  unit: string;
  direction: 'increase' | 'decrease' | 'maintain';
  cumulative: boolean;
  baseline: { value?: number; narrative?: string; date: string };
  /** The targets that stand now (a revision replaces its period's target), by period end. */
  targets: Target[];
  frequency: string;
  disaggregations: { dimension: string; values: string[] }[];
  requiresApproval: boolean;
  /** Period key (`start..end`) → its aggregates; a period whose every reading was retracted is removed. */
  periods: Record<string, PeriodAggregate>;
}

export interface MeasurementView {
  /** Every partner that joined, and whether it is still active (compliance expects the active ones). */
  partners: Record<string, { name: string; status: 'active' | 'left' }>;
  /** Partner ids in the order they joined (or first reported): a period's `reported` counts are by this slot. */
  reporters: string[];
  /** Partner id → its slot in `reporters`. */
  reporterSlots: Record<string, number>;
  /** Definition order. */
  indicatorOrder: string[];
  indicators: Record<string, IndicatorAggregate>;
}

export interface MeasurementState {
  views: Record<string, MeasurementView>;
  /** indicator id → initiative, for the reading events that name only their indicator. */
  owners: Record<string, string>;
}

type Status = 'submitted' | 'accepted' | 'approved' | 'returned';

/** A reading as the events describe it: `ReadingRecorded`'s data, or a change's `before`. */
interface ReadingFacts {
  partnerId: string;
  period: { start: string; end: string };
  disaggregation: Record<string, string>;
  value?: number;
  narrative?: string;
  status: Status;
}

// ---------------------------------------------------------------------------------------------------------
// Exact decimal sums

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
  const bText = typeof b === 'number' ? String(b) : b;
  // Fast path, same result: both operands and the sum are integers of units below 2^53, so doubles are exact.
  const small = smallDecimal(a);
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

// ---------------------------------------------------------------------------------------------------------
// Keys

export const periodKey = (period: { start: string; end: string }): string => `${period.start}..${period.end}`;

const parsePeriodKey = (key: string): { start: string; end: string } => {
  const [start = '', end = ''] = key.split('..');
  return { start, end };
};

const SEPARATORS = /[%;=]/;
const escapeValue = (value: string): string =>
  SEPARATORS.test(value) ? value.replace(/[%;=]/g, (c) => (c === '%' ? '%25' : c === ';' ? '%3B' : '%3D')) : value;
const unescapeValue = (value: string): string => value.replace(/%(25|3B|3D)/g, (_m, code: string) => (code === '25' ? '%' : code === '3B' ? ';' : '='));

/**
 * Canonical key of a disaggregation: `dimension=value` pairs sorted by dimension, joined by `;` (`''` = the
 * total). Dimensions are slugs; in values `%`, `;` and `=` are percent-escaped so every key parses back.
 */
export const disaggregationKey = (disaggregation: Readonly<Record<string, string>>): string =>
  Object.keys(disaggregation)
    .sort()
    .map((dimension) => `${dimension}=${escapeValue(disaggregation[dimension]!)}`)
    .join(';');

/** The disaggregation of a canonical key (`''` → `{}`). */
export const parseDisaggregationKey = (key: string): Record<string, string> => {
  const disaggregation: Record<string, string> = {};
  if (key === '') return disaggregation;
  for (const pair of key.split(';')) {
    const at = pair.indexOf('=');
    if (at > 0) disaggregation[pair.slice(0, at)] = unescapeValue(pair.slice(at + 1));
  }
  return disaggregation;
};

// ---------------------------------------------------------------------------------------------------------
// The projection

const counts = (status: Status): boolean => status === 'accepted' || status === 'approved';

/** The partner's slot in the view's `reporters`, given one if it has none yet. */
const slotOf = (view: MeasurementView, partnerId: string): number => {
  let slot = view.reporterSlots[partnerId];
  if (slot === undefined) {
    slot = view.reporters.push(partnerId) - 1;
    view.reporterSlots[partnerId] = slot;
  }
  return slot;
};

/** Puts a reading into its indicator's aggregates (`sign` 1) or takes it out (`sign` -1). */
const enter = (view: MeasurementView, indicator: IndicatorAggregate, reading: ReadingFacts, sign: 1 | -1): void => {
  const key = periodKey(reading.period);
  const period = (indicator.periods[key] ??= { cells: {}, reported: [] });
  const { partnerId } = reading;
  const slot = slotOf(view, partnerId);
  while (period.reported.length <= slot) period.reported.push(0);
  const had = period.reported[slot]!;
  const has = Math.max(0, had + sign); // a change to a reading never entered (not possible through the deciders) is a no-op
  period.reported[slot] = has;
  // The period goes with its last live reading, whoever's it was.
  const emptied = has === 0 && period.reported.every((count) => count === 0);
  if (counts(reading.status)) {
    const cellKey = disaggregationKey(reading.disaggregation);
    if (reading.value !== undefined) {
      const cell = period.cells[cellKey] ?? { sum: '0', count: 0 };
      cell.count += sign;
      cell.sum = addExact(cell.sum, sign * reading.value);
      if (cell.count > 0) period.cells[cellKey] = cell;
      else delete period.cells[cellKey];
    }
    if (reading.narrative !== undefined) {
      if (sign > 0) {
        ((period.narratives ??= {})[partnerId] ??= {})[cellKey] = reading.narrative;
      } else if (period.narratives?.[partnerId]) {
        delete period.narratives[partnerId][cellKey];
        if (Object.keys(period.narratives[partnerId]).length === 0) delete period.narratives[partnerId];
        if (Object.keys(period.narratives).length === 0) delete period.narratives;
      }
    }
  }
  if (emptied) delete indicator.periods[key];
};

/** A change to an existing reading: `before` out, the changed reading in. */
const change = (owned: Owned | undefined, before: ReadingFacts, after: Partial<ReadingFacts>): void => {
  if (!owned) return;
  enter(owned.view, owned.indicator, before, -1);
  enter(owned.view, owned.indicator, { ...before, ...after }, 1);
};

/** An indicator's aggregates and the view they belong to. */
interface Owned {
  view: MeasurementView;
  indicator: IndicatorAggregate;
}

/** `{ value }` or `{ narrative }`, whichever the event has. */
const pointOf = (d: { value?: number | undefined; narrative?: string | undefined }): { value: number } | { narrative: string } | Record<string, never> =>
  d.value !== undefined ? { value: d.value } : d.narrative !== undefined ? { narrative: d.narrative } : {};

const byPeriodEnd = (a: Target, b: Target): number => (a.periodEnd < b.periodEnd ? -1 : a.periodEnd > b.periodEnd ? 1 : 0);

export const sharedMeasurement = defineProjection<MeasurementState>({
  name: 'shared-measurement',
  // 2: a period's `reported` is an array of counts by partner slot (was a map of partner ids).
  version: 2,
  init: () => ({ views: {}, owners: {} }),
  ...viewsByInitiative,

  apply(state, event) {
    const viewFor = (initiativeId: string): MeasurementView =>
      (state.views[initiativeId] ??= { partners: {}, reporters: [], reporterSlots: {}, indicatorOrder: [], indicators: {} });
    const indicatorOf = (indicatorId: string): Owned | undefined => {
      const owner = state.owners[indicatorId];
      const view = owner === undefined ? undefined : state.views[owner];
      const indicator = view?.indicators[indicatorId];
      return view && indicator ? { view, indicator } : undefined;
    };
    switch (event.type) {
      case 'InitiativeLaunched': {
        viewFor((event.data as EventData<'InitiativeLaunched'>).initiativeId);
        break;
      }
      case 'PartnerJoined': {
        const d = event.data as EventData<'PartnerJoined'>;
        const view = viewFor(d.initiativeId);
        view.partners[d.partnerId] = { name: d.name, status: 'active' };
        slotOf(view, d.partnerId);
        break;
      }
      case 'PartnerLeft': {
        const d = event.data as EventData<'PartnerLeft'>;
        const partner = state.views[d.initiativeId]?.partners[d.partnerId];
        if (partner) partner.status = 'left';
        break;
      }
      case 'IndicatorDefined': {
        const d = event.data as EventData<'IndicatorDefined'>;
        const view = viewFor(d.initiativeId);
        if (view.indicators[d.indicatorId]) break;
        state.owners[d.indicatorId] = d.initiativeId;
        view.indicatorOrder.push(d.indicatorId);
        view.indicators[d.indicatorId] = {
          goalId: d.goalId,
          name: d.name,
          measure: d.measure,
          unit: d.unit,
          direction: d.direction,
          cumulative: d.cumulative,
          baseline: { ...pointOf(d.baseline), date: d.baseline.date },
          targets: d.targets.map((t) => ({ periodEnd: t.periodEnd, ...pointOf(t) })).sort(byPeriodEnd),
          frequency: d.frequency,
          disaggregations: d.disaggregations.map((dis) => ({ dimension: dis.dimension, values: [...dis.values] })),
          requiresApproval: d.requiresApproval,
          periods: {},
        };
        break;
      }
      case 'IndicatorTargetRevised': {
        const d = event.data as EventData<'IndicatorTargetRevised'>;
        const indicator = indicatorOf(d.indicatorId)?.indicator;
        if (!indicator) break;
        indicator.targets = [...indicator.targets.filter((t) => t.periodEnd !== d.periodEnd), { periodEnd: d.periodEnd, ...pointOf(d) }].sort(byPeriodEnd);
        break;
      }
      case 'ReadingRecorded': {
        const d = event.data as EventData<'ReadingRecorded'>;
        const owned = indicatorOf(d.indicatorId);
        if (owned) enter(owned.view, owned.indicator, d, 1);
        break;
      }
      case 'ReadingApproved': {
        const d = event.data as EventData<'ReadingApproved'>;
        change(indicatorOf(d.indicatorId), d.before, { status: 'approved' });
        break;
      }
      case 'ReadingReturned': {
        const d = event.data as EventData<'ReadingReturned'>;
        change(indicatorOf(d.indicatorId), d.before, { status: 'returned' });
        break;
      }
      case 'ReadingCorrected': {
        const d = event.data as EventData<'ReadingCorrected'>;
        const { value: _value, narrative: _narrative, ...identity } = d.before;
        const owned = indicatorOf(d.indicatorId);
        if (!owned) break;
        enter(owned.view, owned.indicator, d.before, -1);
        enter(owned.view, owned.indicator, { ...identity, ...pointOf(d), status: d.status }, 1);
        break;
      }
      case 'ReadingRetracted': {
        const d = event.data as EventData<'ReadingRetracted'>;
        const owned = indicatorOf(d.indicatorId);
        if (owned) enter(owned.view, owned.indicator, d.before, -1);
        break;
      }
    }
    return state;
  },
});

// ---------------------------------------------------------------------------------------------------------
// Queries (pure: the view and, where time matters, a date — never the clock)

/**
 * How a period's readings make one figure. `sum` for `count` and `currency` (partners' numbers add up);
 * `mean` for `percentage` and `ordinal` (a rate or a scale point does not add up across partners: the
 * period's figure is the mean over the readings that count); `narrative` for `qualitative` (no figure).
 */
export type Aggregation = 'sum' | 'mean' | 'narrative';

export const aggregationOf = (measure: IndicatorAggregate['measure']): Aggregation =>
  measure === 'qualitative' ? 'narrative' : measure === 'percentage' || measure === 'ordinal' ? 'mean' : 'sum';

export interface CellFigure {
  value: number;
  /** How many readings that count make it. */
  count: number;
}

export interface SeriesPoint {
  period: { start: string; end: string };
  /**
   * The total: the readings reported without disaggregation. Disaggregated readings are breakdowns and are
   * never added into the total (a partner reporting both would count twice). `null` when no total counts.
   */
  total: CellFigure | null;
  /** Disaggregation key (`dimension=value;…`, sorted) → figure. */
  byDisaggregation: Record<string, CellFigure>;
  /** Qualitative indicators: partner → disaggregation key (`''` = total) → narrative. */
  narratives?: Record<string, Record<string, string>>;
}

const figureOf = (cell: Cell, aggregation: Aggregation): CellFigure => ({
  value: aggregation === 'mean' ? Number(cell.sum) / cell.count : Number(cell.sum),
  count: cell.count,
});

const comparePeriods = (a: { start: string; end: string }, b: { start: string; end: string }): number =>
  a.start !== b.start ? (a.start < b.start ? -1 : 1) : a.end < b.end ? -1 : a.end > b.end ? 1 : 0;

type SortedPeriod = { period: { start: string; end: string }; aggregate: PeriodAggregate };

/** The indicator's periods, sorted by start then end. */
const sortedPeriods = (indicator: IndicatorAggregate): SortedPeriod[] =>
  Object.entries(indicator.periods)
    .map(([key, aggregate]) => ({ period: parsePeriodKey(key), aggregate }))
    .sort((a, b) => comparePeriods(a.period, b.period));

const pointOfPeriod = (
  period: { start: string; end: string },
  aggregate: PeriodAggregate,
  aggregation: Aggregation,
  keep: (cellKey: string) => boolean = () => true,
): SeriesPoint => {
  const total = aggregate.cells[''];
  const byDisaggregation: Record<string, CellFigure> = {};
  for (const key of Object.keys(aggregate.cells).sort()) {
    if (key !== '' && keep(key)) byDisaggregation[key] = figureOf(aggregate.cells[key]!, aggregation);
  }
  const point: SeriesPoint = { period, total: total ? figureOf(total, aggregation) : null, byDisaggregation };
  if (aggregate.narratives) {
    const narratives: Record<string, Record<string, string>> = {};
    for (const partnerId of Object.keys(aggregate.narratives).sort()) {
      const byKey = aggregate.narratives[partnerId]!;
      const kept = Object.fromEntries(Object.keys(byKey).sort().filter(keep).map((key) => [key, byKey[key]!]));
      if (Object.keys(kept).length > 0) narratives[partnerId] = kept;
    }
    point.narratives = narratives;
  }
  return point;
};

const DAY_MS = 86_400_000;
const dayNumber = (date: string): number => Date.parse(`${date}T00:00:00Z`) / DAY_MS;

/** a ≥ b, forgiving the last bits of binary floating point. */
const atLeast = (a: number, b: number): boolean => a >= b - 1e-9 * Math.max(1, Math.abs(b));

const round1 = (x: number): number => Math.round(x * 10) / 10;

export type TrackStatus = 'on_track' | 'off_track' | 'no_data';

/** A `maintain` indicator is on track while its level stays within 5 % of the baseline. */
export const MAINTAIN_TOLERANCE = 0.05;

/**
 * One indicator's figures as of `asOfDate`.
 * - `target`: the last target (by period end) — the one progress is measured against; `nextTarget`: the
 *   first target ending after `asOfDate`.
 * - `latest`: the latest period (by end, then start) that has a total, and its figure.
 * - `level` to date: a cumulative indicator's latest total; an increment `count`/`currency` indicator's
 *   baseline plus the sum of every period's total; a `percentage`/`ordinal` indicator's latest total (the
 *   mean over the partners' readings); `null` for qualitative indicators or without data.
 * - `progressPercent`: `(level − baseline) / (target − baseline) × 100` (one decimal), which reads the same
 *   for `increase` and `decrease`; `null` for `maintain`, without a numeric target or when target = baseline.
 * - `onTrack`: against the straight line from (baseline date, baseline) to (target period end, target),
 *   evaluated at the latest period's end (clamped to the line's ends): `increase` is on track at or above
 *   it, `decrease` at or below it; `maintain` within 5 % of the baseline; `no_data` without a level.
 */
const indicatorFigures = (indicator: IndicatorAggregate, asOfDate: string, periods: SortedPeriod[] = sortedPeriods(indicator)) => {
  const aggregation = aggregationOf(indicator.measure);
  const series = periods.map(({ period, aggregate }) => pointOfPeriod(period, aggregate, aggregation));
  const target = indicator.targets.at(-1) ?? null;
  const nextTarget = indicator.targets.find((t) => t.periodEnd > asOfDate) ?? null;

  const withTotal = periods.filter(({ aggregate }) => aggregate.cells[''] !== undefined);
  const latestPeriod = withTotal.reduce<(typeof withTotal)[number] | undefined>(
    (latest, p) => (latest === undefined || p.period.end > latest.period.end || (p.period.end === latest.period.end && p.period.start > latest.period.start) ? p : latest),
    undefined,
  );
  const latest = aggregation === 'narrative' || !latestPeriod
    ? null
    : { period: latestPeriod.period, value: figureOf(latestPeriod.aggregate.cells['']!, aggregation).value };

  const baseline = indicator.baseline.value;
  let level: number | null = null;
  if (latest) {
    if (aggregation === 'sum' && !indicator.cumulative) {
      level = baseline === undefined ? null : Number(withTotal.reduce((sum, p) => addExact(sum, p.aggregate.cells['']!.sum), String(baseline)));
    } else {
      level = latest.value;
    }
  }

  const targetValue = target?.value;
  const progressPercent =
    indicator.direction === 'maintain' || level === null || baseline === undefined || targetValue === undefined || targetValue === baseline
      ? null
      : round1(((level - baseline) / (targetValue - baseline)) * 100);

  let onTrack: TrackStatus = 'no_data';
  let trajectory: { date: string; expected: number } | null = null;
  if (level !== null && baseline !== undefined && latest) {
    if (indicator.direction === 'maintain') {
      onTrack = Math.abs(level - baseline) <= MAINTAIN_TOLERANCE * Math.abs(baseline) + 1e-9 ? 'on_track' : 'off_track';
    } else if (target !== null && targetValue !== undefined) {
      const from = dayNumber(indicator.baseline.date);
      const to = dayNumber(target.periodEnd);
      const share = Math.min(1, Math.max(0, (dayNumber(latest.period.end) - from) / (to - from)));
      const expected = baseline + (targetValue - baseline) * share;
      trajectory = { date: latest.period.end, expected };
      const ahead = indicator.direction === 'increase' ? atLeast(level, expected) : atLeast(expected, level);
      onTrack = ahead ? 'on_track' : 'off_track';
    }
  }
  return { aggregation, series, target, nextTarget, latest, level, progressPercent, onTrack, trajectory };
};

/**
 * Reporting compliance of one indicator: for each period with a live reading, how many partners reported (any live
 * reading, reviewed or not), which of the expected ones did not (`missing`) and which partners reported without being
 * expected (`unexpected`: one that left since). Together with `expected`, listed once, that is the whole
 * partner × period table — reported = expected − missing + unexpected — without naming the ~85 % of partners who
 * did report in every period (the answer was mostly those lists, bench:views).
 *
 * Expected partners are those active in the view (as of its `asOf` point), for every period: partners join and
 * leave at system time, which says nothing about which business periods they owed, and backfilled periods
 * would otherwise expect nobody. A partner who left still counts as having reported, but is not expected and
 * does not count in the share. `share` = expected partners that reported / expected partners (null if none).
 */
const complianceOf = (view: MeasurementView, periodsOfIndicator: SortedPeriod[], expected: string[]) => {
  const expectedSlots = expected.map((id) => view.reporterSlots[id]);
  const isExpected = new Set(expectedSlots);
  const periodsReported = new Array<number>(view.reporters.length).fill(0);
  const periods = periodsOfIndicator.map(({ period, aggregate }) => {
    let reportedCount = 0;
    const unexpected: string[] = [];
    aggregate.reported.forEach((count, slot) => {
      if (count === 0) return;
      reportedCount += 1;
      periodsReported[slot]! += 1;
      if (!isExpected.has(slot)) unexpected.push(view.reporters[slot]!);
    });
    const missing = expected.filter((_, i) => {
      const slot = expectedSlots[i];
      return slot === undefined || (aggregate.reported[slot] ?? 0) === 0;
    });
    const share = expected.length === 0 ? null : (expected.length - missing.length) / expected.length;
    return { period, reportedCount, missing, unexpected: unexpected.sort(), share };
  });
  const partnerIds = [...new Set([...expected, ...view.reporters.filter((_, slot) => periodsReported[slot]! > 0)])].sort();
  const byPartner = partnerIds.map((partnerId) => {
    const slot = view.reporterSlots[partnerId];
    const reported = slot === undefined ? 0 : periodsReported[slot]!;
    return {
      partnerId,
      expected: view.partners[partnerId]?.status === 'active',
      periodsReported: reported,
      share: periods.length === 0 ? null : reported / periods.length,
    };
  });
  return { expected, periods, byPartner };
};

/** `GET /initiatives/:id/measurement`: every indicator with its definition, figures, series and compliance. */
export const measurementQuery = (view: MeasurementView, asOfDate: string) => {
  const sorted = Object.keys(view.partners).sort();
  const expected = sorted.filter((id) => view.partners[id]!.status === 'active');
  return {
    partners: sorted.map((id) => ({ id, ...view.partners[id]! })),
    indicators: view.indicatorOrder.map((id) => {
      const indicator = view.indicators[id]!;
      const { periods: _periods, ...definition } = indicator;
      const periods = sortedPeriods(indicator);
      // A copy of `expected` per indicator: no two parts of the answer share an array.
      return { id, ...definition, ...indicatorFigures(indicator, asOfDate, periods), compliance: complianceOf(view, periods, [...expected]) };
    }),
  };
};

export interface SeriesFilter {
  /** Only periods starting on or after this date. */
  from?: string;
  /** Only periods ending on or before this date. */
  to?: string;
  /**
   * Only the breakdowns that include every given `dimension=value` (e.g. `{ district: 'North' }` keeps
   * `district=North` and `district=North;sex=female`), as an object or a canonical key; periods with no such
   * breakdown are left out. The total stays on each point.
   */
  disaggregation?: Readonly<Record<string, string>> | string;
}

/** `GET /indicators/:id/series`: the indicator's series, filtered; `undefined` when the view has no such indicator. */
export const seriesQuery = (view: MeasurementView, indicatorId: string, filter: SeriesFilter = {}) => {
  const indicator = view.indicators[indicatorId];
  if (!indicator) return undefined;
  const aggregation = aggregationOf(indicator.measure);
  const wanted = typeof filter.disaggregation === 'string' ? parseDisaggregationKey(filter.disaggregation) : { ...(filter.disaggregation ?? {}) };
  const pairs = Object.entries(wanted);
  const keep = (cellKey: string): boolean => {
    if (pairs.length === 0) return true;
    const cell = parseDisaggregationKey(cellKey);
    return pairs.every(([dimension, value]) => cell[dimension] === value);
  };
  const series = sortedPeriods(indicator)
    .filter(({ period }) => (filter.from === undefined || period.start >= filter.from) && (filter.to === undefined || period.end <= filter.to))
    .map(({ period, aggregate }) => pointOfPeriod(period, aggregate, aggregation, keep))
    .filter((point) => pairs.length === 0 || Object.keys(point.byDisaggregation).length > 0 || Object.keys(point.narratives ?? {}).length > 0);
  return {
    indicatorId,
    name: indicator.name,
    measure: indicator.measure,
    unit: indicator.unit,
    aggregation,
    disaggregation: pairs.length === 0 ? null : disaggregationKey(wanted),
    series,
  };
};

/**
 * `GET /indicators/:id`: one indicator's definition and figures (latest, level, progress, on-track status) as of
 * `asOfDate`, without its series (that is `/indicators/:id/series`) or compliance (in `/measurement`);
 * `undefined` when the view has no such indicator.
 */
export const indicatorQuery = (view: MeasurementView, indicatorId: string, asOfDate: string) => {
  const indicator = view.indicators[indicatorId];
  if (!indicator) return undefined;
  const { periods: _periods, ...definition } = indicator;
  const { series: _series, ...figures } = indicatorFigures(indicator, asOfDate);
  return { id: indicatorId, ...definition, ...figures };
};

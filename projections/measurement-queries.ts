import { addExact } from './exact-decimal.js';
import { disaggregationKey, parseDisaggregationKey, parsePeriodKey } from './measurement-keys.js';
import type { Cell, IndicatorAggregate, MeasurementView, PeriodAggregate } from './shared-measurement.js';

/** Queries over shared-measurement's state (shared-measurement.ts): pure — the view and, where time matters, a date, never the clock. */

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
 * Reporting compliance of one indicator: which partners reported for which period. Per period (`periods`, in the
 * series' order) how many partners have a live reading (reviewed or not) and the share of the expected partners that
 * do; per partner (`byPartner`: every expected partner and every one that reported) how many periods it reported and,
 * as indexes into `periods`, the ones it did not (`missedPeriods`). That is the whole partner × period table, each
 * partner named once: naming, per period, the partners that did or did not report made the `/measurement` answer
 * mostly partner ids (three quarters of its 6.6 MiB in bench:views, and of the time to write it).
 *
 * Expected partners are those active in the view (as of its `asOf` point), for every period: partners join and
 * leave at system time, which says nothing about which business periods they owed, and backfilled periods
 * would otherwise expect nobody. A partner who left still counts as having reported, but is not expected and
 * does not count in the share. `share` = expected partners that reported / expected partners (null if none).
 */
/** The partners compliance can name, in id order, each with its slot (if it has one) and whether it is expected. */
interface Roster {
  partners: { partnerId: string; slot: number | undefined; expected: boolean }[];
  expectedCount: number;
  /** By slot: 1 for an expected partner. */
  expectedSlots: Uint8Array;
}

/** The view's roster: every partner the view knows or that reported, the expected ones (active at the asOf point) marked. */
const rosterOf = (view: MeasurementView): Roster => {
  const ids = [...new Set([...Object.keys(view.partners), ...view.reporters])].sort();
  const expectedSlots = new Uint8Array(view.reporters.length);
  let expectedCount = 0;
  const partners = ids.map((partnerId) => {
    const slot = view.reporterSlots[partnerId];
    const expected = view.partners[partnerId]?.status === 'active';
    if (expected) {
      expectedCount += 1;
      if (slot !== undefined) expectedSlots[slot] = 1;
    }
    return { partnerId, slot, expected };
  });
  return { partners, expectedCount, expectedSlots };
};

const complianceOf = (periodsOfIndicator: SortedPeriod[], roster: Roster) => {
  const { expectedCount, expectedSlots } = roster;
  const slotCount = expectedSlots.length;
  /** Per slot, the indexes of the periods it has no live reading for. */
  const missed: number[][] = Array.from({ length: slotCount }, () => []);
  const periods = periodsOfIndicator.map(({ period, aggregate }, index) => {
    let reportedCount = 0;
    let expectedReported = 0;
    const { reported } = aggregate;
    // Trailing slots without a count are absent from `reported`: not read there (a read past the end is slow).
    const counted = Math.min(reported.length, slotCount);
    for (let slot = 0; slot < counted; slot++) {
      if (reported[slot]! > 0) {
        reportedCount += 1;
        expectedReported += expectedSlots[slot]!;
      } else missed[slot]!.push(index);
    }
    for (let slot = counted; slot < slotCount; slot++) missed[slot]!.push(index);
    return { period, reportedCount, share: expectedCount === 0 ? null : expectedReported / expectedCount };
  });
  const byPartner = [];
  for (const { partnerId, slot, expected } of roster.partners) {
    // A partner without a slot never reported anything.
    const missedPeriods = slot === undefined ? periods.map((_, index) => index) : missed[slot]!;
    const periodsReported = periods.length - missedPeriods.length;
    if (!expected && periodsReported === 0) continue;
    byPartner.push({ partnerId, expected, periodsReported, share: periods.length === 0 ? null : periodsReported / periods.length, missedPeriods });
  }
  return { periods, byPartner };
};

/** `GET /initiatives/:id/measurement`: every indicator with its definition, figures, series and compliance. */
export const measurementQuery = (view: MeasurementView, asOfDate: string) => {
  const sorted = Object.keys(view.partners).sort();
  const roster = rosterOf(view);
  return {
    partners: sorted.map((id) => ({ id, ...view.partners[id]! })),
    indicators: view.indicatorOrder.map((id) => {
      const indicator = view.indicators[id]!;
      const { periods: _periods, ...definition } = indicator;
      const periods = sortedPeriods(indicator);
      return { id, ...definition, ...indicatorFigures(indicator, asOfDate, periods), compliance: complianceOf(periods, roster) };
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

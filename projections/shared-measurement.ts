import type { EventData } from '../src/events/catalog.js';
import { addExact } from './exact-decimal.js';
import { disaggregationKey, periodKey } from './measurement-keys.js';
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
 * Sums are exact decimals (strings, exact-decimal.ts), so the state's canonical form (its digest) is the same in every
 * replay. The queries over this state (the `/measurement` answer, series, one indicator's figures) are
 * measurement-queries.ts.
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

/** The initiative's view, made empty if it has none yet. */
const viewOfInitiative = (state: MeasurementState, initiativeId: string): MeasurementView =>
  (state.views[initiativeId] ??= { partners: {}, reporters: [], reporterSlots: {}, indicatorOrder: [], indicators: {} });

/** The indicator's aggregates and its view, if the state knows it. */
const ownedIndicator = (state: MeasurementState, indicatorId: string): Owned | undefined => {
  const owner = state.owners[indicatorId];
  const view = owner === undefined ? undefined : state.views[owner];
  const indicator = view?.indicators[indicatorId];
  return view && indicator ? { view, indicator } : undefined;
};

const byPeriodEnd = (a: Target, b: Target): number => (a.periodEnd < b.periodEnd ? -1 : a.periodEnd > b.periodEnd ? 1 : 0);

export const sharedMeasurement = defineProjection<MeasurementState>({
  name: 'shared-measurement',
  // 2: a period's `reported` is an array of counts by partner slot (was a map of partner ids).
  version: 2,
  readsMetadata: false,
  init: () => ({ views: {}, owners: {} }),
  ...viewsByInitiative,

  apply(state, event) {
    switch (event.type) {
      case 'InitiativeLaunched': {
        viewOfInitiative(state, (event.data as EventData<'InitiativeLaunched'>).initiativeId);
        break;
      }
      case 'PartnerJoined': {
        const d = event.data as EventData<'PartnerJoined'>;
        const view = viewOfInitiative(state, d.initiativeId);
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
        const view = viewOfInitiative(state, d.initiativeId);
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
        const indicator = ownedIndicator(state, d.indicatorId)?.indicator;
        if (!indicator) break;
        indicator.targets = [...indicator.targets.filter((t) => t.periodEnd !== d.periodEnd), { periodEnd: d.periodEnd, ...pointOf(d) }].sort(byPeriodEnd);
        break;
      }
      case 'ReadingRecorded': {
        const d = event.data as EventData<'ReadingRecorded'>;
        const owned = ownedIndicator(state, d.indicatorId);
        if (owned) enter(owned.view, owned.indicator, d, 1);
        break;
      }
      case 'ReadingApproved': {
        const d = event.data as EventData<'ReadingApproved'>;
        change(ownedIndicator(state, d.indicatorId), d.before, { status: 'approved' });
        break;
      }
      case 'ReadingReturned': {
        const d = event.data as EventData<'ReadingReturned'>;
        change(ownedIndicator(state, d.indicatorId), d.before, { status: 'returned' });
        break;
      }
      case 'ReadingCorrected': {
        const d = event.data as EventData<'ReadingCorrected'>;
        const { value: _value, narrative: _narrative, ...identity } = d.before;
        const owned = ownedIndicator(state, d.indicatorId);
        if (!owned) break;
        enter(owned.view, owned.indicator, d.before, -1);
        enter(owned.view, owned.indicator, { ...identity, ...pointOf(d), status: d.status }, 1);
        break;
      }
      case 'ReadingRetracted': {
        const d = event.data as EventData<'ReadingRetracted'>;
        const owned = ownedIndicator(state, d.indicatorId);
        if (owned) enter(owned.view, owned.indicator, d.before, -1);
        break;
      }
    }
    return state;
  },
});

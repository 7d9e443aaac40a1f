import { Map as ImmutableMap } from 'immutable';
import type { Measure, Period } from '../../events/common.js';
import type { ReadingBefore, ReadingLifeStatus } from '../../events/measurement.js';
import type { PendingEvent } from '../decider.js';
import { readingKey } from './readings.js';

/**
 * A reading's life: `submitted` (awaits review) → `approved` | `returned`; `accepted` counts at once (indicator
 * without approval); any → `retracted`. A correction in an indicator that requires approval sends the reading
 * back to `submitted`: a changed value is reviewed again (the event says so in its `status`, and projections
 * read it from there).
 */
export type ReadingState = ReadingLifeStatus | 'retracted';

/** What the indicator knows of one reading: enough to check the rules and to say what a change changes. */
export interface ReadingEntry {
  readonly partnerId: string;
  readonly period: Readonly<Period>;
  readonly disaggregation: Readonly<Record<string, string>>;
  readonly value?: number;
  readonly narrative?: string;
  readonly status: ReadingState;
  /** `readingKey`: partner, period and disaggregation. */
  readonly key: string;
}

export interface IndicatorDefinition {
  indicatorId: string;
  initiativeId: string;
  measure: Measure;
  baselineDate: string;
  requiresApproval: boolean;
  /** dimension → its declared values. */
  dimensions: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * Persistent state: an indicator can hold tens of thousands of readings, so each event and each decision costs
 * O(log n) — a new state shares all but a path of its maps with its predecessor (never changing it), and a
 * decision looks a reading up instead of indexing the whole history.
 */
export interface IndicatorState {
  readonly indicator?: IndicatorDefinition;
  /** readingId → the reading, retracted ones included (an id is used once). */
  readonly readings: ImmutableMap<string, ReadingEntry>;
  /** readingKey → id of the reading that holds it (not retracted). */
  readonly live: ImmutableMap<string, string>;
}

export const initialState = (): IndicatorState => ({ readings: ImmutableMap(), live: ImmutableMap() });

/** The reading as a `before` of an event that changes it; a retracted reading is changed no more. */
export const beforeOf = (reading: ReadingEntry): ReadingBefore => {
  const { status } = reading;
  if (status === 'retracted') throw new Error('a retracted reading has no state to change');
  return {
    partnerId: reading.partnerId,
    period: { start: reading.period.start, end: reading.period.end },
    disaggregation: { ...reading.disaggregation },
    ...(reading.value !== undefined ? { value: reading.value } : {}),
    ...(reading.narrative !== undefined ? { narrative: reading.narrative } : {}),
    status,
  };
};

/** Replaces one reading's entry (an id this stream does not know is left alone). */
const update = (state: IndicatorState, readingId: string, change: (reading: ReadingEntry) => ReadingEntry): IndicatorState => {
  const reading = state.readings.get(readingId);
  if (!reading) return state;
  return { ...state, readings: state.readings.set(readingId, change(reading)) };
};

export const evolve = (state: IndicatorState, event: PendingEvent): IndicatorState => {
  switch (event.type) {
    case 'IndicatorDefined': {
      const d = event.data;
      return {
        ...state,
        indicator: {
          indicatorId: d.indicatorId,
          initiativeId: d.initiativeId,
          measure: d.measure,
          baselineDate: d.baseline.date,
          requiresApproval: d.requiresApproval,
          dimensions: new Map(d.disaggregations.map((dis) => [dis.dimension, new Set(dis.values)])),
        },
      };
    }
    case 'ReadingRecorded': {
      const { readingId, partnerId, period, disaggregation, value, narrative, status } = event.data;
      const key = readingKey(partnerId, period, disaggregation);
      const reading: ReadingEntry = {
        partnerId,
        period: { start: period.start, end: period.end },
        disaggregation: { ...disaggregation },
        ...(value !== undefined ? { value } : {}),
        ...(narrative !== undefined ? { narrative } : {}),
        status,
        key,
      };
      return { ...state, readings: state.readings.set(readingId, reading), live: state.live.set(key, readingId) };
    }
    case 'ReadingApproved':
      return update(state, event.data.readingId, (reading) => ({ ...reading, status: 'approved' }));
    case 'ReadingReturned':
      return update(state, event.data.readingId, (reading) => ({ ...reading, status: 'returned' }));
    case 'ReadingCorrected': {
      const { value, narrative, status } = event.data;
      return update(state, event.data.readingId, ({ value: _v, narrative: _n, ...reading }) => ({
        ...reading,
        ...(value !== undefined ? { value } : {}),
        ...(narrative !== undefined ? { narrative } : {}),
        status,
      }));
    }
    case 'ReadingRetracted': {
      const { readingId } = event.data;
      const reading = state.readings.get(readingId);
      if (!reading) return state;
      const live = state.live.get(reading.key) === readingId ? state.live.delete(reading.key) : state.live;
      return { ...state, readings: state.readings.set(readingId, { ...reading, status: 'retracted' }), live };
    }
    default:
      return state;
  }
};

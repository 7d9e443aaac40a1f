import type { Measure } from '../../events/common.js';
import type { PendingEvent } from '../decider.js';
import { readingKey } from './readings.js';

/**
 * A reading's life: `submitted` (awaits review) → `approved` | `returned`; `accepted` counts at once (indicator
 * without approval); any → `retracted`. A correction in an indicator that requires approval sends the reading
 * back to `submitted`: a changed value is reviewed again (projections apply the same rule).
 */
export type ReadingState = 'submitted' | 'accepted' | 'approved' | 'returned' | 'retracted';

export interface ReadingEntry {
  partnerId: string;
  /** `readingKey`: partner, period and disaggregation. */
  key: string;
  status: ReadingState;
}

/** One step of a reading's life: recorded (with what identifies it) or moved to another status. */
export interface ReadingChange {
  readingId: string;
  status: ReadingState;
  recorded?: { partnerId: string; key: string };
}

/**
 * Reading changes, newest first. An indicator can hold thousands of readings; copying a map per event would
 * make folding the stream quadratic, so each state extends its predecessor's list in O(1) (sharing it, never
 * changing it) and `indexReadings` builds the lookup once per decision.
 */
export interface ReadingLog {
  readonly change: ReadingChange;
  readonly previous: ReadingLog | undefined;
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

export interface IndicatorState {
  indicator?: IndicatorDefinition;
  readingLog?: ReadingLog;
}

export interface ReadingIndex {
  readings: ReadonlyMap<string, ReadingEntry>;
  /** readingKey → id of the reading that holds it (not retracted). */
  live: ReadonlyMap<string, string>;
}

export const indexReadings = (log: ReadingLog | undefined): ReadingIndex => {
  const changes: ReadingChange[] = [];
  for (let node = log; node !== undefined; node = node.previous) changes.push(node.change);
  const readings = new Map<string, ReadingEntry>();
  const live = new Map<string, string>();
  for (const { readingId, status, recorded } of changes.reverse()) {
    if (recorded) {
      readings.set(readingId, { ...recorded, status });
      live.set(recorded.key, readingId);
      continue;
    }
    const reading = readings.get(readingId);
    if (!reading) continue;
    readings.set(readingId, { ...reading, status });
    if (status === 'retracted' && live.get(reading.key) === readingId) live.delete(reading.key);
  }
  return { readings, live };
};

export const initialState = (): IndicatorState => ({});

const withChange = (state: IndicatorState, change: ReadingChange): IndicatorState => ({
  ...state,
  readingLog: { change, previous: state.readingLog },
});

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
      const { readingId, partnerId, period, disaggregation, status } = event.data;
      const key = readingKey(partnerId, period, disaggregation);
      return withChange(state, { readingId, status, recorded: { partnerId, key } });
    }
    case 'ReadingApproved':
      return withChange(state, { readingId: event.data.readingId, status: 'approved' });
    case 'ReadingReturned':
      return withChange(state, { readingId: event.data.readingId, status: 'returned' });
    case 'ReadingCorrected':
      // Reviewed again where the indicator requires approval; otherwise the status stays as it was.
      if (!state.indicator?.requiresApproval) return state;
      return withChange(state, { readingId: event.data.readingId, status: 'submitted' });
    case 'ReadingRetracted':
      return withChange(state, { readingId: event.data.readingId, status: 'retracted' });
    default:
      return state;
  }
};

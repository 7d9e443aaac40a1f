import type { EventData } from '../src/events/catalog.js';
import type { ProjectedEvent } from './projection.js';

/**
 * readings-register: the readings of ONE indicator as currently valid — corrections applied, retracted readings
 * removed — one row per reading, folded from that indicator's stream (`indicator-<id>`) at query time. It backs
 * `GET /initiatives/:id/readings.csv`.
 *
 * Deliberately not a registered projection: a registry of every reading of every initiative, held by the views
 * runner, would grow with the readings and be written whole into every snapshot (the reason `shared-measurement`
 * keeps aggregates only). Folding one indicator's stream when asked costs that stream's length and holds one
 * indicator's readings at a time. Pure and deterministic like a projection: no clock, no randomness, no I/O; the
 * result depends only on the events given, in their order.
 *
 * Every reading that is not retracted is a row, whatever its review status (`submitted`, `returned`, `accepted`,
 * `approved`): these are exactly the readings that hold their (partner, period, disaggregation) slot, the ones a
 * new reading for the same slot would duplicate.
 */

export interface RegisteredReading {
  readingId: string;
  indicatorId: string;
  partnerId: string;
  period: { start: string; end: string };
  disaggregation: Record<string, string>;
  value?: number;
  narrative?: string;
  source?: string;
  /** When the event that set the current value (or narrative) was recorded: the recording, or the latest correction. */
  recordedAt: string;
  /** That event's place in the global order. */
  seq: number;
}

/** readingId → the reading; a `Map` keeps the order readings were first recorded in. */
export type ReadingsRegister = Map<string, RegisteredReading>;

export const emptyRegister = (): ReadingsRegister => new Map();

/** Folds one event of the indicator's stream into the register (in place); other events leave it as it is. */
export const registerReading = (register: ReadingsRegister, event: ProjectedEvent): ReadingsRegister => {
  switch (event.type) {
    case 'ReadingRecorded': {
      const d = event.data as EventData<'ReadingRecorded'>;
      register.set(d.readingId, {
        readingId: d.readingId,
        indicatorId: d.indicatorId,
        partnerId: d.partnerId,
        period: { start: d.period.start, end: d.period.end },
        disaggregation: { ...d.disaggregation },
        ...(d.value !== undefined ? { value: d.value } : {}),
        ...(d.narrative !== undefined ? { narrative: d.narrative } : {}),
        ...(d.source !== undefined ? { source: d.source } : {}),
        recordedAt: event.metadata.recordedAt,
        seq: event.seq,
      });
      break;
    }
    case 'ReadingCorrected': {
      const d = event.data as EventData<'ReadingCorrected'>;
      const reading = register.get(d.readingId);
      if (!reading) break;
      const { value: _value, narrative: _narrative, ...rest } = reading;
      register.set(d.readingId, {
        ...rest,
        ...(d.value !== undefined ? { value: d.value } : {}),
        ...(d.narrative !== undefined ? { narrative: d.narrative } : {}),
        recordedAt: event.metadata.recordedAt,
        seq: event.seq,
      });
      break;
    }
    case 'ReadingRetracted': {
      register.delete((event.data as EventData<'ReadingRetracted'>).readingId);
      break;
    }
  }
  return register;
};

/** The register after `events` (one indicator's stream, in order). */
export const readingsOf = (events: Iterable<ProjectedEvent>): RegisteredReading[] => {
  const register = emptyRegister();
  for (const event of events) registerReading(register, event);
  return [...register.values()];
};

import type { EventData } from '../src/events/catalog.js';
import type { ReadingLifeStatus } from '../src/events/measurement.js';
import type { ProjectedEvent } from './projection.js';

/**
 * readings-register: the readings of ONE indicator as currently valid — corrections applied, retracted readings
 * removed — one row per reading, folded from that indicator's stream (`indicator-<id>`) at query time. It backs
 * `GET /initiatives/:id/readings.csv`; `readingQuery` below folds the same stream for one reading and its history
 * (`GET /readings/:id`).
 *
 * Deliberately not a registered projection: a registry of every reading of every initiative, held by the views
 * runner, would grow with the readings and be written whole into every snapshot (the reason `shared-measurement`
 * keeps aggregates only). Folding one indicator's stream when asked costs that stream's length and holds one
 * indicator's readings at a time. Pure and deterministic like a projection: no clock, no randomness, no I/O; the
 * result depends only on the events given, in their order.
 *
 * Every reading that is not retracted is a row, whatever its review status (`submitted`, `returned`, `accepted`,
 * `approved`, kept as `status`): these are exactly the readings that hold their (partner, period, disaggregation)
 * slot, the ones a new reading for the same slot would duplicate; only `accepted` and `approved` ones count in views.
 */

/** What a reading says: who reported what, for which period and breakdown (value or narrative). */
export interface ReadingFacts {
  indicatorId: string;
  partnerId: string;
  period: { start: string; end: string };
  disaggregation: Record<string, string>;
  value?: number;
  narrative?: string;
  source?: string;
}

export interface RegisteredReading extends ReadingFacts {
  readingId: string;
  /**
   * Its review status: `accepted` (no review needed) and `approved` readings count in the views; `submitted` ones await
   * review and `returned` ones await a correction — they hold their slot but count nowhere yet.
   */
  status: ReadingLifeStatus;
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
        status: d.status,
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
        status: d.status,
        recordedAt: event.metadata.recordedAt,
        seq: event.seq,
      });
      break;
    }
    case 'ReadingApproved':
    case 'ReadingReturned': {
      // A review changes the status only: the value, and the event that set it, stay.
      const reading = register.get((event.data as EventData<'ReadingApproved'>).readingId);
      if (reading) reading.status = event.type === 'ReadingApproved' ? 'approved' : 'returned';
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

// ---------------------------------------------------------------------------------------------------------
// One reading with its history (`GET /readings/:id`)

/** One event in a reading's life, as its history lists it. */
export interface ReadingChange {
  type: 'recorded' | 'approved' | 'returned' | 'corrected' | 'retracted';
  seq: number;
  recordedAt: string;
  /** Business time, where the client gave one. */
  occurredAt?: string;
  /** The key that made the change. */
  by: { keyId: string; role: string; partnerId?: string };
  /** The reading's status after the change. */
  status: ReadingLifeStatus | 'retracted';
  /** The value (or narrative) recorded or corrected to. */
  value?: number;
  narrative?: string;
  /** Why it was corrected or retracted. */
  reason?: string;
  /** The reviewer's comment (always given when returned). */
  comment?: string;
}

/**
 * One reading as currently valid — corrections applied — and its status: `submitted`, `accepted`, `approved`,
 * `returned`, or `retracted` (then it keeps the value it had when it was retracted, counts no more, and
 * `retraction` says why); `counts` is whether the indicator's figures count it (accepted or approved, not
 * retracted). `recordedAt` and `seq` are those of its recording; `history` lists every event in its life, oldest
 * first, the recording included.
 */
export interface ReadingRecord extends ReadingFacts {
  id: string;
  status: ReadingLifeStatus | 'retracted';
  counts: boolean;
  recordedAt: string;
  seq: number;
  retraction?: { reason: string; recordedAt: string; seq: number };
  history: ReadingChange[];
}

const changeOf = (event: ProjectedEvent, type: ReadingChange['type'], status: ReadingChange['status'], details: Partial<ReadingChange> = {}): ReadingChange => {
  const { keyId, role, partnerId } = event.metadata.actor;
  return {
    type,
    seq: event.seq,
    recordedAt: event.metadata.recordedAt,
    ...(event.metadata.occurredAt !== undefined ? { occurredAt: event.metadata.occurredAt } : {}),
    by: { keyId, role, ...(partnerId !== undefined ? { partnerId } : {}) },
    status,
    ...details,
  };
};

const withStatus = (record: ReadingRecord, change: ReadingChange): ReadingRecord => ({
  ...record,
  status: change.status,
  counts: change.status === 'accepted' || change.status === 'approved',
  history: [...record.history, change],
});

/**
 * Folds one event of the indicator's stream into the record of reading `readingId` and returns the new record (the
 * one given is not modified); events about other readings, and changes before the recording, leave it as it is.
 */
export const foldReading = (record: ReadingRecord | undefined, event: ProjectedEvent, readingId: string): ReadingRecord | undefined => {
  if ((event.data as { readingId?: unknown } | null)?.readingId !== readingId) return record;
  switch (event.type) {
    case 'ReadingRecorded': {
      if (record) return record;
      const d = event.data as EventData<'ReadingRecorded'>;
      const point = d.value !== undefined ? { value: d.value } : d.narrative !== undefined ? { narrative: d.narrative } : {};
      return {
        id: d.readingId,
        indicatorId: d.indicatorId,
        partnerId: d.partnerId,
        period: { start: d.period.start, end: d.period.end },
        disaggregation: { ...d.disaggregation },
        ...point,
        ...(d.source !== undefined ? { source: d.source } : {}),
        status: d.status,
        counts: d.status === 'accepted',
        recordedAt: event.metadata.recordedAt,
        seq: event.seq,
        history: [changeOf(event, 'recorded', d.status, point)],
      };
    }
    case 'ReadingApproved': {
      if (!record) return record;
      const d = event.data as EventData<'ReadingApproved'>;
      return withStatus(record, changeOf(event, 'approved', 'approved', d.comment !== undefined ? { comment: d.comment } : {}));
    }
    case 'ReadingReturned': {
      if (!record) return record;
      const d = event.data as EventData<'ReadingReturned'>;
      return withStatus(record, changeOf(event, 'returned', 'returned', { comment: d.comment }));
    }
    case 'ReadingCorrected': {
      if (!record) return record;
      const d = event.data as EventData<'ReadingCorrected'>;
      const point = d.value !== undefined ? { value: d.value } : d.narrative !== undefined ? { narrative: d.narrative } : {};
      const { value: _value, narrative: _narrative, ...rest } = record;
      return withStatus({ ...rest, ...point }, changeOf(event, 'corrected', d.status, { ...point, reason: d.reason }));
    }
    case 'ReadingRetracted': {
      if (!record) return record;
      const d = event.data as EventData<'ReadingRetracted'>;
      const change = changeOf(event, 'retracted', 'retracted', { reason: d.reason });
      return { ...withStatus(record, change), retraction: { reason: d.reason, recordedAt: change.recordedAt, seq: change.seq } };
    }
  }
  return record;
};

/** `GET /readings/:id`: reading `readingId` after `events` (its indicator's stream, in order); `undefined` if not recorded. */
export const readingQuery = (events: Iterable<ProjectedEvent>, readingId: string): ReadingRecord | undefined => {
  let record: ReadingRecord | undefined;
  for (const event of events) record = foldReading(record, event, readingId);
  return record;
};

import type { Direction, Frequency, Measure, Period } from '../../events/common.js';
import type { Target } from '../../events/measurement.js';
import type { InitiativeContext } from '../context.js';

/**
 * Commands on the indicator aggregate (stream `indicator-<id>`). Readings live in the indicator's stream, so
 * "one reading per (partner, period, disaggregation)" is checked inside one stream. Each command carries the
 * initiative's facts (goals, partners) and the acting key as `context`.
 */

export interface ValueOrNarrative {
  value?: number;
  narrative?: string;
}

export interface DefineIndicator {
  type: 'DefineIndicator';
  indicatorId: string;
  initiativeId: string;
  goalId: string;
  name: string;
  measure: Measure;
  unit: string;
  direction: Direction;
  /** Default false: each reading is the increment for its period. */
  cumulative?: boolean;
  baseline: ValueOrNarrative & { date: string };
  targets: Target[];
  frequency: Frequency;
  disaggregations?: { dimension: string; values: string[] }[];
  /** Default false: readings count at once (`accepted`). */
  requiresApproval?: boolean;
  context: InitiativeContext;
}

export interface ReviseTarget extends ValueOrNarrative {
  type: 'ReviseTarget';
  indicatorId: string;
  periodEnd: string;
  reason: string;
  context: InitiativeContext;
}

export interface RecordReading extends ValueOrNarrative {
  type: 'RecordReading';
  indicatorId: string;
  readingId: string;
  partnerId: string;
  period: Period;
  /** `{ <dimension>: <value> }`; absent or empty = the total. */
  disaggregation?: Record<string, string>;
  source?: string;
  context: InitiativeContext;
}

/** One reading of a `RecordReadings` batch: what `RecordReading` carries, less what the batch carries once. */
export type NewReading = Omit<RecordReading, 'type' | 'indicatorId' | 'context'>;

/**
 * Many readings of one indicator at once (a CSV import): every one is checked as `RecordReading` checks it, each
 * against the state the ones before it leave (so two readings of the batch for the same partner, period and
 * disaggregation are a duplicate too). All are recorded, or none: the refusals of every reading are reported
 * together (`ReadingsRefusedError`).
 */
export interface RecordReadings {
  type: 'RecordReadings';
  indicatorId: string;
  readings: NewReading[];
  context: InitiativeContext;
}

export interface CorrectReading extends ValueOrNarrative {
  type: 'CorrectReading';
  indicatorId: string;
  readingId: string;
  reason: string;
  context: InitiativeContext;
}

export interface RetractReading {
  type: 'RetractReading';
  indicatorId: string;
  readingId: string;
  reason: string;
  context: InitiativeContext;
}

export interface ReviewReading {
  type: 'ReviewReading';
  indicatorId: string;
  readingId: string;
  outcome: 'approve' | 'return';
  /** Required to return a reading: it says what to fix. */
  comment?: string;
  context: InitiativeContext;
}

export type IndicatorCommand =
  | DefineIndicator
  | ReviseTarget
  | RecordReading
  | RecordReadings
  | CorrectReading
  | RetractReading
  | ReviewReading;

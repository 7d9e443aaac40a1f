import { ForbiddenError, NotFoundError, ProblemError, ValidationError } from '../../errors.js';
import { compact } from '../compact.js';
import {
  assertActivePartner,
  assertActsFor,
  assertFactsFor,
  assertMayChangeRecordOf,
  type InitiativeContext,
} from '../context.js';
import { type PendingEvent, RuleViolationError } from '../decider.js';
import type { DefineIndicator, IndicatorCommand, NewReading, RecordReading, RecordReadings, ReviewReading } from './commands.js';
import { checkDisaggregation, checkMeasureFits, checkPeriod, readingKey } from './readings.js';
import { beforeOf, evolve, type IndicatorDefinition, type IndicatorState, type ReadingEntry } from './state.js';

/** 404 unless defined; the context's facts must be those of the indicator's initiative. */
const requireIndicator = (
  state: IndicatorState,
  command: { indicatorId: string; context: InitiativeContext },
): IndicatorDefinition => {
  const { indicator } = state;
  if (!indicator) throw new NotFoundError(`indicator ${command.indicatorId} is not defined`);
  if (indicator.indicatorId !== command.indicatorId) {
    throw new Error(`command for indicator ${command.indicatorId} was sent to the stream of ${indicator.indicatorId}`);
  }
  assertFactsFor(command.context.initiative, indicator.initiativeId);
  return indicator;
};

const requireReading = (state: IndicatorState, readingId: string): ReadingEntry => {
  const reading = state.readings.get(readingId);
  if (!reading) throw new NotFoundError(`reading ${readingId} is not a reading of this indicator`);
  return reading;
};

const defineIndicator = (command: DefineIndicator, state: IndicatorState): PendingEvent[] => {
  if (state.indicator) throw new RuleViolationError(`indicator ${command.indicatorId} is already defined`);
  const { type: _type, context, cumulative, baseline, targets, disaggregations, requiresApproval, ...rest } = command;
  assertFactsFor(context.initiative, command.initiativeId);
  if (!context.initiative.goalIds.has(command.goalId)) {
    throw new RuleViolationError(`goal ${command.goalId} is not a goal of initiative ${command.initiativeId}`);
  }
  const data = {
    ...rest,
    cumulative: cumulative ?? false,
    baseline: compact(baseline),
    targets: targets.map(compact),
    disaggregations: disaggregations ?? [],
    requiresApproval: requiresApproval ?? false,
  };
  return [{ type: 'IndicatorDefined', data }];
};

/** Why one reading may not be recorded: the error `RecordReading` throws for it, and the field that error is about. */
export interface ReadingRefusal {
  /** The reading's index in its batch. */
  index: number;
  /** `partnerId`, `readingId`, `period`, `value`, `narrative`, `disaggregation.<dimension>`, or `''`: the reading as a whole. */
  field: string;
  error: ProblemError;
  /** A duplicate of an earlier reading of the same batch: that reading's index. */
  duplicateOf?: number;
}

/** How the refusals of a batch answer as one: a partner key acting for another partner first, then bad input, then rules. */
const BATCH_STATUS = [
  { status: 403, type: 'forbidden', title: 'Forbidden' },
  { status: 400, type: 'validation', title: 'Invalid request' },
  { status: 409, type: 'rule-violation', title: 'Business rule violated' },
] as const;

/** At most this many refusals are listed in the problem (its `detail` gives the count). */
export const MAX_LISTED_REFUSALS = 100;

/**
 * A `RecordReadings` batch refused as a whole: nothing is recorded. `refusals` names every refused reading and
 * field; as a problem, `errors` lists them with paths `readings.<index>.<field>` (callers that know better names,
 * such as CSV rows and columns, rewrite them from `refusals`).
 */
export class ReadingsRefusedError extends ProblemError {
  readonly refusals: readonly ReadingRefusal[];

  constructor(refusals: readonly ReadingRefusal[], total: number) {
    const kind = BATCH_STATUS.find((k) => refusals.some((r) => r.error.status === k.status)) ?? BATCH_STATUS[2];
    super({
      ...kind,
      detail: `${refusals.length} of ${total} readings refused, so none was recorded`,
      errors: refusals.slice(0, MAX_LISTED_REFUSALS).map((r) => ({
        path: ['readings', r.index, ...(r.field ? [r.field] : [])].join('.'),
        message: r.error.detail ?? r.error.title,
      })),
    });
    this.refusals = refusals;
  }
}

/** Runs one check; its problem becomes a refusal of `field`. */
const check = (field: string, run: () => void): Omit<ReadingRefusal, 'index'> | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof ProblemError) return { field, error };
    throw error;
  }
};

/**
 * The first rule a new reading breaks, in the order `RecordReading` has always checked them (so its errors are
 * unchanged), with the field it concerns; `undefined` when the reading may be recorded on `state`.
 */
const refusalOf = (
  indicator: IndicatorDefinition,
  reading: NewReading,
  context: InitiativeContext,
  state: IndicatorState,
): Omit<ReadingRefusal, 'index'> | undefined => {
  const { readingId, partnerId, period } = reading;
  const disaggregation = reading.disaggregation ?? {};
  const measure = check('value', () => checkMeasureFits(indicator.measure, reading));
  return (
    check('partnerId', () => assertActsFor(context.actor, partnerId)) ??
    check('partnerId', () => assertActivePartner(context.initiative, partnerId, 'report readings')) ??
    check('readingId', () => {
      if (state.readings.has(readingId)) throw new RuleViolationError(`reading ${readingId} was already recorded`);
    }) ??
    check('period', () => checkPeriod(period)) ??
    (measure && {
      ...measure,
      field: measure.error instanceof ValidationError ? (measure.error.errors?.[0]?.path ?? 'value') : reading.value !== undefined ? 'value' : 'narrative',
    }) ??
    Object.entries(disaggregation).reduce<Omit<ReadingRefusal, 'index'> | undefined>(
      (found, [dimension, value]) => found ?? check(`disaggregation.${dimension}`, () => checkDisaggregation(indicator.dimensions, { [dimension]: value })),
      undefined,
    ) ??
    check('', () => {
      const existingReadingId = state.live.get(readingKey(partnerId, period, disaggregation));
      if (existingReadingId !== undefined) {
        throw new RuleViolationError(
          `partner ${partnerId} already reported period ${period.start}..${period.end} for this disaggregation; correct that reading instead`,
          { existingReadingId, correctWith: `/readings/${existingReadingId}/corrections` },
        );
      }
    })
  );
};

const readingRecorded = (indicator: IndicatorDefinition, reading: NewReading): PendingEvent => ({
  type: 'ReadingRecorded',
  data: compact({
    readingId: reading.readingId,
    indicatorId: indicator.indicatorId,
    initiativeId: indicator.initiativeId,
    partnerId: reading.partnerId,
    period: reading.period,
    value: reading.value,
    narrative: reading.narrative,
    disaggregation: reading.disaggregation ?? {},
    source: reading.source,
    status: indicator.requiresApproval ? ('submitted' as const) : ('accepted' as const),
  }),
});

const recordReading = (command: RecordReading, state: IndicatorState): PendingEvent[] => {
  const indicator = requireIndicator(state, command);
  const { type: _type, indicatorId: _indicatorId, context, ...reading } = command;
  const refusal = refusalOf(indicator, reading, context, state);
  if (refusal) throw refusal.error;
  return [readingRecorded(indicator, reading)];
};

/** All or nothing: every reading checked on the state the accepted ones before it leave; any refusal refuses the batch. */
const recordReadings = (command: RecordReadings, state: IndicatorState): PendingEvent[] => {
  const indicator = requireIndicator(state, command);
  if (command.readings.length === 0) {
    throw new ValidationError('no readings to record', [{ path: 'readings', message: 'at least one reading is required' }]);
  }
  const events: PendingEvent[] = [];
  const refusals: ReadingRefusal[] = [];
  /** readingId → its index, for naming which reading of the batch a duplicate repeats. */
  const indexOf = new Map<string, number>();
  let current = state;
  command.readings.forEach((reading, index) => {
    const refusal = refusalOf(indicator, reading, command.context, current);
    if (refusal) {
      const existing = refusal.error.extensions?.existingReadingId;
      const duplicateOf = typeof existing === 'string' ? indexOf.get(existing) : undefined;
      refusals.push({ index, ...refusal, ...(duplicateOf === undefined ? {} : { duplicateOf }) });
      return;
    }
    const event = readingRecorded(indicator, reading);
    events.push(event);
    indexOf.set(reading.readingId, index);
    current = evolve(current, event);
  });
  if (refusals.length > 0) throw new ReadingsRefusedError(refusals, command.readings.length);
  return events;
};

/** The backbone reviews; a partner key never approves or returns a reading (not even another partner's). */
const reviewReading = (command: ReviewReading, state: IndicatorState): PendingEvent[] => {
  const indicator = requireIndicator(state, command);
  const reading = requireReading(state, command.readingId);
  if (command.context.actor.role === 'partner') throw new ForbiddenError('readings are reviewed by the backbone');
  if (reading.status !== 'submitted') {
    throw new RuleViolationError(`only a submitted reading is reviewed; reading ${command.readingId} is ${reading.status}`);
  }
  const { readingId, comment } = command;
  const { indicatorId } = indicator;
  const before = beforeOf(reading);
  if (command.outcome === 'approve') return [{ type: 'ReadingApproved', data: compact({ readingId, indicatorId, comment, before }) }];
  if (comment === undefined) {
    throw new ValidationError('a returned reading needs a comment', [{ path: 'comment', message: 'say what to fix' }]);
  }
  return [{ type: 'ReadingReturned', data: { readingId, indicatorId, comment, before } }];
};

export const decide = (command: IndicatorCommand, state: IndicatorState): PendingEvent[] => {
  switch (command.type) {
    case 'DefineIndicator':
      return defineIndicator(command, state);
    case 'ReviseTarget': {
      const indicator = requireIndicator(state, command);
      checkMeasureFits(indicator.measure, command);
      if (command.periodEnd <= indicator.baselineDate) {
        throw new RuleViolationError(`a target period must end after the baseline date (${indicator.baselineDate})`);
      }
      const { type: _type, context: _context, ...rest } = command;
      return [{ type: 'IndicatorTargetRevised', data: compact({ initiativeId: indicator.initiativeId, ...rest }) }];
    }
    case 'RecordReading':
      return recordReading(command, state);
    case 'RecordReadings':
      return recordReadings(command, state);
    case 'CorrectReading': {
      const indicator = requireIndicator(state, command);
      const reading = requireReading(state, command.readingId);
      assertMayChangeRecordOf(command.context, reading.partnerId, 'correct readings');
      if (reading.status === 'retracted') throw new RuleViolationError(`reading ${command.readingId} was retracted`);
      checkMeasureFits(indicator.measure, command);
      const { type: _type, context: _context, ...data } = command;
      // A changed value is reviewed again where the indicator requires approval; otherwise the status stays.
      const status = indicator.requiresApproval ? 'submitted' : reading.status;
      return [{ type: 'ReadingCorrected', data: compact({ ...data, status, before: beforeOf(reading) }) }];
    }
    case 'RetractReading': {
      requireIndicator(state, command);
      const reading = requireReading(state, command.readingId);
      assertMayChangeRecordOf(command.context, reading.partnerId, 'retract readings');
      if (reading.status === 'retracted') throw new RuleViolationError(`reading ${command.readingId} was already retracted`);
      const { type: _type, context: _context, ...data } = command;
      return [{ type: 'ReadingRetracted', data: { ...data, before: beforeOf(reading) } }];
    }
    case 'ReviewReading':
      return reviewReading(command, state);
  }
};

import { ForbiddenError, NotFoundError, ValidationError } from '../../errors.js';
import { compact } from '../compact.js';
import {
  assertActivePartner,
  assertActsFor,
  assertFactsFor,
  assertMayChangeRecordOf,
  type InitiativeContext,
} from '../context.js';
import { type PendingEvent, RuleViolationError } from '../decider.js';
import type { DefineIndicator, IndicatorCommand, RecordReading, ReviewReading } from './commands.js';
import { checkDisaggregation, checkMeasureFits, checkPeriod, readingKey } from './readings.js';
import { beforeOf, type IndicatorDefinition, type IndicatorState, type ReadingEntry } from './state.js';

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

const recordReading = (command: RecordReading, state: IndicatorState): PendingEvent[] => {
  const indicator = requireIndicator(state, command);
  const { readingId, partnerId, period, context } = command;
  assertActsFor(context.actor, partnerId);
  assertActivePartner(context.initiative, partnerId, 'report readings');
  const { readings, live } = state;
  if (readings.has(readingId)) throw new RuleViolationError(`reading ${readingId} was already recorded`);
  checkPeriod(period);
  checkMeasureFits(indicator.measure, command);
  const disaggregation = command.disaggregation ?? {};
  checkDisaggregation(indicator.dimensions, disaggregation);
  const existingReadingId = live.get(readingKey(partnerId, period, disaggregation));
  if (existingReadingId !== undefined) {
    throw new RuleViolationError(
      `partner ${partnerId} already reported period ${period.start}..${period.end} for this disaggregation; correct that reading instead`,
      { existingReadingId, correctWith: `/readings/${existingReadingId}/corrections` },
    );
  }
  const data = compact({
    readingId,
    indicatorId: indicator.indicatorId,
    initiativeId: indicator.initiativeId,
    partnerId,
    period,
    value: command.value,
    narrative: command.narrative,
    disaggregation,
    source: command.source,
    status: indicator.requiresApproval ? ('submitted' as const) : ('accepted' as const),
  });
  return [{ type: 'ReadingRecorded', data }];
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

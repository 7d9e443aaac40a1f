import { NotFoundError } from '../../errors.js';
import { compact } from '../compact.js';
import { type PendingEvent, RuleViolationError } from '../decider.js';
import type {
  AddPartner,
  AssignResponsibility,
  InitiativeCommand,
  LogActivity,
  RecordLesson,
  RecordPartnerDeparture,
} from './commands.js';
import { nameKey, requireGoal, requireLaunched, requirePartner, requireStrategy } from './guards.js';
import type { InitiativeState } from './state.js';

const addPartner = (command: AddPartner, state: InitiativeState): PendingEvent[] => {
  const { initiativeId, partnerId, name, sector, primaryInterests, isBackbone } = command;
  if (state.partners.has(partnerId)) throw new RuleViolationError(`partner ${partnerId} already joined`);
  const key = nameKey(name);
  for (const [existingId, partner] of state.partners) {
    if (nameKey(partner.name) === key) {
      throw new RuleViolationError(`a partner named "${partner.name}" is already in this initiative`, {
        existingPartnerId: existingId,
      });
    }
  }
  return [
    {
      type: 'PartnerJoined',
      data: { initiativeId, partnerId, name, sector, primaryInterests, isBackbone: isBackbone ?? false },
    },
  ];
};

const recordDeparture = (command: RecordPartnerDeparture, state: InitiativeState): PendingEvent[] => {
  const partner = state.partners.get(command.partnerId);
  if (!partner) throw new NotFoundError(`partner ${command.partnerId} is not in this initiative`);
  if (partner.status === 'left') throw new RuleViolationError(`partner ${command.partnerId} has already left`);
  const { type: _type, ...data } = command;
  return [{ type: 'PartnerLeft', data }];
};

/**
 * A RACI cell is (strategy, partner) → one letter; assigning another letter to the same partner replaces it.
 * At most one active partner is Accountable per strategy: a second "A" is refused, naming the current one,
 * rather than silently replacing it (the event could not say whom it displaced). To move accountability,
 * give the current holder another letter first. An "A" held by a partner who left no longer counts.
 */
const assignResponsibility = (command: AssignResponsibility, state: InitiativeState): PendingEvent[] => {
  const { initiativeId, strategyId, partnerId, role } = command;
  requireStrategy(state, strategyId);
  requirePartner(state, partnerId, true);
  const cells = state.raci.get(strategyId) ?? new Map<string, string>();
  if (cells.get(partnerId) === role) {
    throw new RuleViolationError(`partner ${partnerId} already holds "${role}" for strategy ${strategyId}`);
  }
  if (role === 'A') {
    for (const [holderId, held] of cells) {
      if (held === 'A' && holderId !== partnerId && state.partners.get(holderId)?.status === 'active') {
        throw new RuleViolationError(
          `strategy ${strategyId} already has an accountable partner (${holderId}); give it another role first`,
          { accountablePartnerId: holderId },
        );
      }
    }
  }
  return [{ type: 'ResponsibilityAssigned', data: { initiativeId, strategyId, partnerId, role } }];
};

/** Partners involved must be partners of the initiative; one who has since left may be named (it is history). */
const logActivity = (command: LogActivity, state: InitiativeState): PendingEvent[] => {
  if (command.strategyId !== undefined) requireStrategy(state, command.strategyId);
  for (const partnerId of command.partnerIds) requirePartner(state, partnerId, false);
  const { type: _type, ...data } = command;
  return [{ type: 'ActivityLogged', data: compact(data) }];
};

const recordLesson = (command: RecordLesson, state: InitiativeState): PendingEvent[] => {
  if (command.goalId !== undefined) requireGoal(state, command.goalId);
  if (command.strategyId !== undefined) {
    const goalId = requireStrategy(state, command.strategyId);
    if (command.goalId !== undefined && command.goalId !== goalId) {
      throw new RuleViolationError(`strategy ${command.strategyId} serves goal ${goalId}, not ${command.goalId}`);
    }
  }
  const { type: _type, ...data } = command;
  return [{ type: 'LessonRecorded', data: compact(data) }];
};

export const decide = (command: InitiativeCommand, state: InitiativeState): PendingEvent[] => {
  if (command.type === 'LaunchInitiative') {
    if (state.launched) throw new RuleViolationError(`initiative ${command.initiativeId} was already launched`);
    const { type: _type, ...data } = command;
    return [{ type: 'InitiativeLaunched', data: compact(data) }];
  }
  requireLaunched(state, command.initiativeId);
  switch (command.type) {
    case 'AddPartner':
      return addPartner(command, state);
    case 'RecordPartnerDeparture':
      return recordDeparture(command, state);
    case 'AdoptGoal': {
      if (state.goalIds.has(command.goalId)) throw new RuleViolationError(`goal ${command.goalId} was already adopted`);
      const { type: _type, ...data } = command;
      return [{ type: 'GoalAdopted', data: compact(data) }];
    }
    case 'ReviseGoal': {
      if (!state.goalIds.has(command.goalId)) throw new NotFoundError(`goal ${command.goalId} is not in this initiative`);
      const { type: _type, ...data } = command;
      return [{ type: 'GoalRevised', data: compact(data) }];
    }
    case 'AdoptStrategy': {
      if (state.strategies.has(command.strategyId)) {
        throw new RuleViolationError(`strategy ${command.strategyId} was already adopted`);
      }
      requireGoal(state, command.goalId);
      const { type: _type, ...data } = command;
      return [{ type: 'StrategyAdopted', data: compact(data) }];
    }
    case 'AssignResponsibility':
      return assignResponsibility(command, state);
    case 'LogActivity':
      return logActivity(command, state);
    case 'RecordLesson':
      return recordLesson(command, state);
  }
};

import { NotFoundError } from '../../errors.js';
import { RuleViolationError } from '../decider.js';
import type { InitiativeState, PartnerEntry } from './state.js';

/** 404 unless launched: every command but LaunchInitiative addresses an existing initiative. */
export const requireLaunched = (state: InitiativeState, initiativeId: string): void => {
  if (!state.launched) throw new NotFoundError(`initiative ${initiativeId} was not launched`);
  if (state.initiativeId !== initiativeId) {
    throw new Error(`command for initiative ${initiativeId} was sent to the stream of ${state.initiativeId}`);
  }
};

/** 409: a partner named in the body must be one of the initiative's partners (still active, where asked). */
export const requirePartner = (state: InitiativeState, partnerId: string, mustBeActive: boolean): PartnerEntry => {
  const partner = state.partners.get(partnerId);
  if (!partner) throw new RuleViolationError(`${partnerId} is not a partner of this initiative`);
  if (mustBeActive && partner.status === 'left') {
    throw new RuleViolationError(`partner ${partnerId} (${partner.name}) has left the initiative`);
  }
  return partner;
};

export const requireGoal = (state: InitiativeState, goalId: string): void => {
  if (!state.goalIds.has(goalId)) throw new RuleViolationError(`goal ${goalId} is not a goal of this initiative`);
};

/** Returns the goal the strategy serves. */
export const requireStrategy = (state: InitiativeState, strategyId: string): string => {
  const goalId = state.strategies.get(strategyId);
  if (goalId === undefined) throw new RuleViolationError(`strategy ${strategyId} is not a strategy of this initiative`);
  return goalId;
};

/** Partner names compare without case, surrounding space or repeated inner space (`Acme  Trust` = `acme trust`). */
export const nameKey = (name: string): string => name.normalize('NFKC').trim().replace(/\s+/gu, ' ').toLowerCase();

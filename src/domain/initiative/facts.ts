import { NotFoundError } from '../../errors.js';
import type { InitiativeFacts, PartnerStatus } from '../context.js';
import type { InitiativeState } from './state.js';

/** The facts other aggregates' deciders need, from the initiative's folded state (404 if not launched). */
export const initiativeFacts = (state: InitiativeState): InitiativeFacts => {
  if (!state.launched || state.initiativeId === undefined) throw new NotFoundError('the initiative was not launched');
  const partners = new Map<string, PartnerStatus>();
  for (const [partnerId, partner] of state.partners) partners.set(partnerId, partner.status);
  return {
    initiativeId: state.initiativeId,
    partners,
    goalIds: new Set(state.goalIds),
    strategyIds: new Set(state.strategies.keys()),
  };
};

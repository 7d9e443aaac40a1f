import type { PendingEvent } from '../decider.js';
import type { Ballot } from './tally.js';

export interface Proposal extends Ballot {
  decisionId: string;
  initiativeId: string;
  closesAt?: string;
}

export type DecisionState =
  | { phase: 'none' }
  /** Proposed; `votes` maps each partner to the option of its latest vote. */
  | { phase: 'open' | 'closed'; proposal: Proposal; votes: ReadonlyMap<string, string> }
  /** Taken in a meeting and recorded: there is nothing to vote on. */
  | { phase: 'recorded'; decisionId: string; initiativeId: string };

export const initialState = (): DecisionState => ({ phase: 'none' });

export const evolve = (state: DecisionState, event: PendingEvent): DecisionState => {
  switch (event.type) {
    case 'DecisionProposed': {
      const { decisionId, initiativeId, options, rule, quorum, closesAt } = event.data;
      const proposal: Proposal = { decisionId, initiativeId, options, rule, quorum, ...(closesAt ? { closesAt } : {}) };
      return { phase: 'open', proposal, votes: new Map() };
    }
    case 'VoteCast':
      if (state.phase !== 'open') return state;
      return { ...state, votes: new Map(state.votes).set(event.data.partnerId, event.data.option) };
    case 'DecisionClosed':
      return state.phase === 'open' ? { ...state, phase: 'closed' } : state;
    case 'DecisionRecorded':
      return { phase: 'recorded', decisionId: event.data.decisionId, initiativeId: event.data.initiativeId };
    default:
      return state;
  }
};

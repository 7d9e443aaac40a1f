import type { PendingEvent } from '../decider.js';

export interface ContributionState {
  contribution?: { contributionId: string; initiativeId: string; partnerId: string };
  reversed: boolean;
}

export const initialState = (): ContributionState => ({ reversed: false });

export const evolve = (state: ContributionState, event: PendingEvent): ContributionState => {
  switch (event.type) {
    case 'ContributionRecorded': {
      const { contributionId, initiativeId, partnerId } = event.data;
      return { ...state, contribution: { contributionId, initiativeId, partnerId } };
    }
    case 'ContributionReversed':
      return { ...state, reversed: true };
    default:
      return state;
  }
};

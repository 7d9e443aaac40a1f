import type { CommitmentKind } from '../../events/resources.js';
import type { PendingEvent } from '../decider.js';

export interface CommitmentInfo {
  commitmentId: string;
  initiativeId: string;
  partnerId: string;
  kind: CommitmentKind;
  /** A funding commitment's currency (it never changes). */
  currency?: string;
}

export interface CommitmentState {
  commitment?: CommitmentInfo;
  withdrawn: boolean;
  /** Contributions recorded against this commitment: id → reversed? */
  contributions: ReadonlyMap<string, { reversed: boolean }>;
}

export const initialState = (): CommitmentState => ({ withdrawn: false, contributions: new Map() });

export const evolve = (state: CommitmentState, event: PendingEvent): CommitmentState => {
  switch (event.type) {
    case 'CommitmentMade': {
      const { commitmentId, initiativeId, partnerId, kind, money } = event.data;
      const currency = money?.currency;
      return { ...state, commitment: { commitmentId, initiativeId, partnerId, kind, ...(currency ? { currency } : {}) } };
    }
    case 'CommitmentWithdrawn':
      return { ...state, withdrawn: true };
    case 'ContributionRecorded':
      return { ...state, contributions: new Map(state.contributions).set(event.data.contributionId, { reversed: false }) };
    case 'ContributionReversed':
      if (!state.contributions.has(event.data.contributionId)) return state;
      return { ...state, contributions: new Map(state.contributions).set(event.data.contributionId, { reversed: true }) };
    default:
      return state;
  }
};

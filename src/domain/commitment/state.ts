import type { CommitmentKind } from '../../events/resources.js';
import type { PendingEvent } from '../decider.js';

export interface CommitmentInfo {
  commitmentId: string;
  initiativeId: string;
  partnerId: string;
  kind: CommitmentKind;
  /**
   * The currency the commitment is valued in, which it never changes: its money's (funding) or its estimated value's
   * (the other kinds; set by the first revision or contribution that values a commitment made without one). Contributions and
   * revisions in another currency are refused, so the ledger never has to leave a valued amount aside.
   */
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
      const { commitmentId, initiativeId, partnerId, kind, money, estimatedValue } = event.data;
      const currency = money?.currency ?? estimatedValue?.currency;
      return { ...state, commitment: { commitmentId, initiativeId, partnerId, kind, ...(currency ? { currency } : {}) } };
    }
    case 'CommitmentRevised': {
      const currency = event.data.estimatedValue?.currency;
      if (!state.commitment || state.commitment.currency !== undefined || currency === undefined) return state;
      return { ...state, commitment: { ...state.commitment, currency } };
    }
    case 'CommitmentWithdrawn':
      return { ...state, withdrawn: true };
    case 'ContributionRecorded': {
      const contributions = new Map(state.contributions).set(event.data.contributionId, { reversed: false });
      // The first valued delivery to a commitment made without a value fixes its currency, as a valuing revision does.
      const currency = event.data.estimatedValue?.currency;
      if (state.commitment && state.commitment.currency === undefined && currency !== undefined) {
        return { ...state, contributions, commitment: { ...state.commitment, currency } };
      }
      return { ...state, contributions };
    }
    case 'ContributionReversed':
      if (!state.contributions.has(event.data.contributionId)) return state;
      return { ...state, contributions: new Map(state.contributions).set(event.data.contributionId, { reversed: true }) };
    default:
      return state;
  }
};

import type { PendingEvent } from '../decider.js';

export interface RiskState {
  risk?: { riskId: string; initiativeId: string };
  closed: boolean;
}

export const initialState = (): RiskState => ({ closed: false });

export const evolve = (state: RiskState, event: PendingEvent): RiskState => {
  switch (event.type) {
    case 'RiskRaised':
      return { ...state, risk: { riskId: event.data.riskId, initiativeId: event.data.initiativeId } };
    case 'RiskClosed':
      return { ...state, closed: true };
    default:
      return state;
  }
};

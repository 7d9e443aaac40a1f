import type { PendingEvent } from '../decider.js';

export type SubscriptionStatus = 'active' | 'disabled' | 'removed';

export interface SubscriptionState {
  subscription?: { subscriptionId: string; initiativeId: string; partnerId?: string };
  status?: SubscriptionStatus;
}

export const initialState = (): SubscriptionState => ({});

export const evolve = (state: SubscriptionState, event: PendingEvent): SubscriptionState => {
  switch (event.type) {
    case 'SubscriptionCreated': {
      const { subscriptionId, initiativeId, partnerId } = event.data;
      return { subscription: { subscriptionId, initiativeId, ...(partnerId ? { partnerId } : {}) }, status: 'active' };
    }
    case 'SubscriptionDisabled':
      return { ...state, status: 'disabled' };
    case 'SubscriptionEnabled':
      return { ...state, status: 'active' };
    case 'SubscriptionRemoved':
      return { ...state, status: 'removed' };
    default:
      return state;
  }
};

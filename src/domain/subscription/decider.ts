import type { Decider } from '../decider.js';
import type { SubscriptionCommand } from './commands.js';
import { decide } from './decide.js';
import { evolve, initialState, type SubscriptionState } from './state.js';

export type { SubscriptionState } from './state.js';

export const subscriptionDecider: Decider<SubscriptionState, SubscriptionCommand> = { decide, evolve, initialState };

export const subscriptionStream = (subscriptionId: string): string => `subscription-${subscriptionId}`;

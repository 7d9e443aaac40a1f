import type { Decider } from '../decider.js';
import type { DecisionCommand } from './commands.js';
import { decide } from './decide.js';
import { type DecisionState, evolve, initialState } from './state.js';

export type { DecisionState } from './state.js';

export const decisionDecider: Decider<DecisionState, DecisionCommand> = { decide, evolve, initialState };

export const decisionStream = (decisionId: string): string => `decision-${decisionId}`;

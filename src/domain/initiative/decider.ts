import type { Decider } from '../decider.js';
import type { InitiativeCommand } from './commands.js';
import { decide } from './decide.js';
import { evolve, initialState, type InitiativeState } from './state.js';

export type { InitiativeState } from './state.js';

export const initiativeDecider: Decider<InitiativeState, InitiativeCommand> = { decide, evolve, initialState };

export const initiativeStream = (initiativeId: string): string => `initiative-${initiativeId}`;

import type { Decider } from '../decider.js';
import type { RiskCommand } from './commands.js';
import { decide } from './decide.js';
import { evolve, initialState, type RiskState } from './state.js';

export type { RiskState } from './state.js';

export const riskDecider: Decider<RiskState, RiskCommand> = { decide, evolve, initialState };

export const riskStream = (riskId: string): string => `risk-${riskId}`;

import type { Decider } from '../decider.js';
import type { IndicatorCommand } from './commands.js';
import { decide } from './decide.js';
import { evolve, initialState, type IndicatorState } from './state.js';

export type { IndicatorState } from './state.js';

export const indicatorDecider: Decider<IndicatorState, IndicatorCommand> = { decide, evolve, initialState };

export const indicatorStream = (indicatorId: string): string => `indicator-${indicatorId}`;

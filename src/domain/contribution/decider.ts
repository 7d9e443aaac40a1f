import type { Decider } from '../decider.js';
import type { ContributionCommand } from './commands.js';
import { decide } from './decide.js';
import { type ContributionState, evolve, initialState } from './state.js';

export type { ContributionState } from './state.js';

/** Unplanned contributions: one stream each, so a reversal is checked against the contribution itself. */
export const contributionDecider: Decider<ContributionState, ContributionCommand> = { decide, evolve, initialState };

export const contributionStream = (contributionId: string): string => `contribution-${contributionId}`;

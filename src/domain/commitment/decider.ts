import type { Decider } from '../decider.js';
import type { CommitmentCommand } from './commands.js';
import { decide } from './decide.js';
import { type CommitmentState, evolve, initialState } from './state.js';

export type { CommitmentState } from './state.js';

export const commitmentDecider: Decider<CommitmentState, CommitmentCommand> = { decide, evolve, initialState };

export const commitmentStream = (commitmentId: string): string => `commitment-${commitmentId}`;

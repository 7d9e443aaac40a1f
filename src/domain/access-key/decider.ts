import type { Decider } from '../decider.js';
import type { AccessKeyCommand } from './commands.js';
import { decide } from './decide.js';
import { type AccessKeyState, evolve, initialState } from './state.js';

export type { AccessKeyState } from './state.js';

export const accessKeyDecider: Decider<AccessKeyState, AccessKeyCommand> = { decide, evolve, initialState };

export const accessKeyStream = (keyId: string): string => `access-key-${keyId}`;

import { commonAgenda } from './common-agenda.js';
import { decisionsRegister } from './decisions-register.js';
import { equityLens } from './equity-lens.js';
import { initiativeLog } from './initiative-log.js';
import type { Projection } from './projection.js';
import { resourceLedger } from './resource-ledger.js';
import { sharedMeasurement } from './shared-measurement.js';

/**
 * Every read model the service runs and the auditor's verifier replays, in a fixed order. Each one is only
 * ever handed the state it made itself, so the list can erase the state types.
 */
export const allProjections = [
  commonAgenda,
  sharedMeasurement,
  resourceLedger,
  decisionsRegister,
  equityLens,
  initiativeLog,
] as unknown as readonly Projection<unknown>[];

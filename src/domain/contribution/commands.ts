import type { Evidence } from '../../events/resources.js';
import type { Resources } from '../commitment/commands.js';
import type { InitiativeContext } from '../context.js';

/**
 * Commands on an unplanned contribution (stream `contribution-<id>`): resources a partner delivered without a
 * commitment. A contribution against a commitment lives in the commitment's stream instead.
 */
export interface RecordUnplannedContribution extends Resources {
  type: 'RecordUnplannedContribution';
  contributionId: string;
  initiativeId: string;
  partnerId: string;
  date: string;
  evidence?: Evidence;
  context: InitiativeContext;
}

export interface ReverseUnplannedContribution {
  type: 'ReverseUnplannedContribution';
  contributionId: string;
  reason: string;
  context: InitiativeContext;
}

export type ContributionCommand = RecordUnplannedContribution | ReverseUnplannedContribution;

import type { Money } from '../../events/common.js';
import type { CommitmentKind, Evidence } from '../../events/resources.js';
import type { InitiativeContext } from '../context.js';

/**
 * Commands on the commitment aggregate (stream `commitment-<id>`): a partner's pledge and the contributions
 * delivered against it, so currency and kind are checked inside one stream. Unplanned contributions have their
 * own aggregate (`../contribution/`).
 */

/** What a pledge or a delivery consists of; which fields fit depends on the commitment's kind. */
export interface Resources {
  money?: Money;
  hours?: number;
  description?: string;
  /** What a non-money pledge or delivery is worth; never summed with funding. */
  estimatedValue?: Money;
}

export interface MakeCommitment extends Resources {
  type: 'MakeCommitment';
  commitmentId: string;
  initiativeId: string;
  partnerId: string;
  /** Exactly one of goalId or strategyId. */
  goalId?: string;
  strategyId?: string;
  kind: CommitmentKind;
  dueDate: string;
  context: InitiativeContext;
}

export interface ReviseCommitment extends Resources {
  type: 'ReviseCommitment';
  commitmentId: string;
  dueDate?: string;
  reason: string;
  context: InitiativeContext;
}

export interface WithdrawCommitment {
  type: 'WithdrawCommitment';
  commitmentId: string;
  reason: string;
  context: InitiativeContext;
}

export interface RecordContribution extends Resources {
  type: 'RecordContribution';
  commitmentId: string;
  contributionId: string;
  date: string;
  evidence?: Evidence;
  context: InitiativeContext;
}

export interface ReverseContribution {
  type: 'ReverseContribution';
  commitmentId: string;
  contributionId: string;
  reason: string;
  context: InitiativeContext;
}

export type CommitmentCommand =
  | MakeCommitment
  | ReviseCommitment
  | WithdrawCommitment
  | RecordContribution
  | ReverseContribution;

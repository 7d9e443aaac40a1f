import type { DecisionRule } from '../../events/governance.js';
import type { InitiativeContext } from '../context.js';

/**
 * Commands on the decision aggregate (stream `decision-<id>`). `now` (RFC 3339, the server's clock read by
 * the caller) is what `closesAt` and `takenAt` are compared with: the decider never reads the clock.
 */
export interface DecisionContext extends InitiativeContext {
  now: string;
}

export interface ProposeDecision {
  type: 'ProposeDecision';
  decisionId: string;
  initiativeId: string;
  title: string;
  description?: string;
  options: string[];
  rule: DecisionRule;
  /** Fraction of active partners that must vote, in (0, 1]. */
  quorum: number;
  closesAt?: string;
  /** The partner that put the decision forward (an active partner of the initiative). */
  proposingPartnerId?: string;
  context: DecisionContext;
}

export interface CastVote {
  type: 'CastVote';
  decisionId: string;
  partnerId: string;
  option: string;
  comment?: string;
  context: DecisionContext;
}

export interface CloseDecision {
  type: 'CloseDecision';
  decisionId: string;
  context: DecisionContext;
}

/** A decision taken in a meeting, recorded after the fact (no vote in the service). */
export interface RecordDecision {
  type: 'RecordDecision';
  decisionId: string;
  initiativeId: string;
  title: string;
  description?: string;
  options: string[];
  outcome: 'adopted' | 'rejected';
  chosenOption?: string;
  takenAt: string;
  /** The partner that put the decision forward (an active partner of the initiative). */
  proposingPartnerId?: string;
  context: DecisionContext;
}

export type DecisionCommand = ProposeDecision | CastVote | CloseDecision | RecordDecision;

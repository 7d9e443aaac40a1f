import { NotFoundError } from '../../errors.js';
import { compact } from '../compact.js';
import {
  assertActivePartner,
  assertActsFor,
  assertFactsFor,
  assertMayChangeRecordOf,
  type InitiativeContext,
} from '../context.js';
import { type PendingEvent, RuleViolationError } from '../decider.js';
import type { CommitmentCommand, MakeCommitment, RecordContribution } from './commands.js';
import { checkContributionFits, checkRevisionFits } from './kind-fit.js';
import type { CommitmentInfo, CommitmentState } from './state.js';

/** 404 unless made; the context's facts must be those of the commitment's initiative. */
const requireCommitment = (
  state: CommitmentState,
  command: { commitmentId: string; context: InitiativeContext },
): CommitmentInfo => {
  const { commitment } = state;
  if (!commitment) throw new NotFoundError(`commitment ${command.commitmentId} was not made`);
  if (commitment.commitmentId !== command.commitmentId) {
    throw new Error(`command for commitment ${command.commitmentId} was sent to the stream of ${commitment.commitmentId}`);
  }
  assertFactsFor(command.context.initiative, commitment.initiativeId);
  return commitment;
};

const requireNotWithdrawn = (state: CommitmentState, doing: string): void => {
  if (state.withdrawn) throw new RuleViolationError(`the commitment was withdrawn and takes no ${doing}`);
};

const makeCommitment = (command: MakeCommitment, state: CommitmentState): PendingEvent[] => {
  const { type: _type, context, ...data } = command;
  if (state.commitment) throw new RuleViolationError(`commitment ${command.commitmentId} was already made`);
  assertFactsFor(context.initiative, command.initiativeId);
  assertActsFor(context.actor, command.partnerId);
  assertActivePartner(context.initiative, command.partnerId, 'make commitments');
  if (command.goalId !== undefined && !context.initiative.goalIds.has(command.goalId)) {
    throw new RuleViolationError(`goal ${command.goalId} is not a goal of this initiative`);
  }
  if (command.strategyId !== undefined && !context.initiative.strategyIds.has(command.strategyId)) {
    throw new RuleViolationError(`strategy ${command.strategyId} is not a strategy of this initiative`);
  }
  return [{ type: 'CommitmentMade', data: compact(data) }];
};

/** Only an active partner contributes, and only to a commitment that stands, in the kind it pledged. */
const recordContribution = (command: RecordContribution, state: CommitmentState): PendingEvent[] => {
  const commitment = requireCommitment(state, command);
  const { partnerId, initiativeId, commitmentId, kind, currency } = commitment;
  assertActsFor(command.context.actor, partnerId);
  requireNotWithdrawn(state, 'contributions');
  assertActivePartner(command.context.initiative, partnerId, 'contribute');
  if (state.contributions.has(command.contributionId)) {
    throw new RuleViolationError(`contribution ${command.contributionId} was already recorded`);
  }
  checkContributionFits(kind, currency, command);
  const { type: _type, context: _context, ...given } = command;
  return [{ type: 'ContributionRecorded', data: compact({ ...given, initiativeId, partnerId, commitmentId }) }];
};

export const decide = (command: CommitmentCommand, state: CommitmentState): PendingEvent[] => {
  switch (command.type) {
    case 'MakeCommitment':
      return makeCommitment(command, state);
    case 'ReviseCommitment': {
      const commitment = requireCommitment(state, command);
      assertMayChangeRecordOf(command.context, commitment.partnerId, 'revise commitments');
      requireNotWithdrawn(state, 'revisions');
      checkRevisionFits(commitment.kind, commitment.currency, command);
      const { type: _type, context: _context, ...data } = command;
      return [{ type: 'CommitmentRevised', data: compact(data) }];
    }
    case 'WithdrawCommitment': {
      const commitment = requireCommitment(state, command);
      assertMayChangeRecordOf(command.context, commitment.partnerId, 'withdraw commitments');
      if (state.withdrawn) throw new RuleViolationError(`commitment ${command.commitmentId} was already withdrawn`);
      const { type: _type, context: _context, ...data } = command;
      return [{ type: 'CommitmentWithdrawn', data }];
    }
    case 'RecordContribution':
      return recordContribution(command, state);
    case 'ReverseContribution': {
      const commitment = requireCommitment(state, command);
      const contribution = state.contributions.get(command.contributionId);
      if (!contribution) throw new NotFoundError(`contribution ${command.contributionId} is not recorded against this commitment`);
      assertMayChangeRecordOf(command.context, commitment.partnerId, 'reverse contributions');
      if (contribution.reversed) throw new RuleViolationError(`contribution ${command.contributionId} was already reversed`);
      const { type: _type, context: _context, ...data } = command;
      return [{ type: 'ContributionReversed', data }];
    }
  }
};

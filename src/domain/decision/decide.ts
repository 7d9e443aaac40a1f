import { NotFoundError, ValidationError } from '../../errors.js';
import { compact } from '../compact.js';
import { activePartnerCount, assertActivePartner, assertActsFor, assertFactsFor } from '../context.js';
import { type PendingEvent, RuleViolationError } from '../decider.js';
import type { CastVote, CloseDecision, DecisionCommand, DecisionContext } from './commands.js';
import type { DecisionState, Proposal } from './state.js';
import { tallyVotes } from './tally.js';

/** Milliseconds since the epoch of an RFC 3339 time; a malformed one is the caller's input error. */
const instant = (time: string, path: string): number => {
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) throw new ValidationError('invalid time', [{ path, message: 'must be an RFC 3339 date-time' }]);
  return ms;
};

type OpenState = Extract<DecisionState, { phase: 'open' | 'closed' }>;

/** 404 unless proposed or recorded; 409 unless still open (a recorded decision was never open). */
const requireOpen = (state: DecisionState, command: { decisionId: string; context: DecisionContext }): OpenState => {
  if (state.phase === 'none') throw new NotFoundError(`decision ${command.decisionId} was not proposed`);
  if (state.phase === 'recorded') {
    throw new RuleViolationError(`decision ${command.decisionId} was taken in a meeting and recorded; it is not voted on`);
  }
  if (state.proposal.decisionId !== command.decisionId) {
    throw new Error(`command for decision ${command.decisionId} was sent to the stream of ${state.proposal.decisionId}`);
  }
  assertFactsFor(command.context.initiative, state.proposal.initiativeId);
  if (state.phase === 'closed') throw new RuleViolationError(`decision ${command.decisionId} is closed`);
  return state;
};

const votingEnded = (proposal: Proposal, now: string): boolean =>
  proposal.closesAt !== undefined && instant(now, 'context.now') >= instant(proposal.closesAt, 'closesAt');

/** One vote per partner: a later vote replaces the earlier one while the decision is open. */
const castVote = (command: CastVote, state: DecisionState): PendingEvent[] => {
  const { proposal } = requireOpen(state, command);
  const { decisionId, partnerId, option, comment, context } = command;
  assertActsFor(context.actor, partnerId);
  if (votingEnded(proposal, context.now)) {
    throw new RuleViolationError(`voting on decision ${decisionId} ended at ${proposal.closesAt}`);
  }
  if (!proposal.options.includes(option)) {
    throw new RuleViolationError(`"${option}" is not an option of this decision (${proposal.options.join(' | ')})`);
  }
  assertActivePartner(context.initiative, partnerId, 'vote');
  return [{ type: 'VoteCast', data: compact({ decisionId, partnerId, option, comment }) }];
};

/**
 * Eligible voters are the initiative's active partners when the decision closes; the vote of a partner who has
 * left since is not counted (so votes cast never exceed eligible voters). Closing before `closesAt` is allowed.
 */
const closeDecision = (command: CloseDecision, state: DecisionState): PendingEvent[] => {
  const { proposal, votes } = requireOpen(state, command);
  const { partners } = command.context.initiative;
  const eligibleVoters = activePartnerCount(command.context.initiative);
  const counted = [...votes].filter(([partnerId]) => partners.get(partnerId) === 'active').map(([, option]) => option);
  const result = tallyVotes(proposal, counted, eligibleVoters);
  return [{ type: 'DecisionClosed', data: { decisionId: proposal.decisionId, ...result } }];
};

export const decide = (command: DecisionCommand, state: DecisionState): PendingEvent[] => {
  switch (command.type) {
    case 'ProposeDecision': {
      const { type: _type, context, ...data } = command;
      if (state.phase !== 'none') throw new RuleViolationError(`decision ${command.decisionId} already exists`);
      assertFactsFor(context.initiative, command.initiativeId);
      if (data.closesAt !== undefined && instant(data.closesAt, 'closesAt') <= instant(context.now, 'context.now')) {
        throw new RuleViolationError(`closesAt (${data.closesAt}) must be in the future`);
      }
      if (data.proposingPartnerId !== undefined) assertActivePartner(context.initiative, data.proposingPartnerId, 'propose a decision');
      return [{ type: 'DecisionProposed', data: compact(data) }];
    }
    case 'CastVote':
      return castVote(command, state);
    case 'CloseDecision':
      return closeDecision(command, state);
    case 'RecordDecision': {
      const { type: _type, context, ...data } = command;
      if (state.phase !== 'none') throw new RuleViolationError(`decision ${command.decisionId} already exists`);
      assertFactsFor(context.initiative, command.initiativeId);
      if (instant(data.takenAt, 'takenAt') > instant(context.now, 'context.now')) {
        throw new RuleViolationError(`takenAt (${data.takenAt}) is in the future; record a decision once it is taken`);
      }
      if (data.proposingPartnerId !== undefined) assertActivePartner(context.initiative, data.proposingPartnerId, 'propose a decision');
      return [{ type: 'DecisionRecorded', data: compact(data) }];
    }
  }
};

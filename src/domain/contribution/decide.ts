import { NotFoundError } from '../../errors.js';
import { compact } from '../compact.js';
import { assertActivePartner, assertActsFor, assertFactsFor, assertMayChangeRecordOf } from '../context.js';
import { type PendingEvent, RuleViolationError } from '../decider.js';
import type { ContributionCommand } from './commands.js';
import type { ContributionState } from './state.js';

export const decide = (command: ContributionCommand, state: ContributionState): PendingEvent[] => {
  switch (command.type) {
    case 'RecordUnplannedContribution': {
      const { type: _type, context, ...data } = command;
      if (state.contribution) throw new RuleViolationError(`contribution ${command.contributionId} was already recorded`);
      assertFactsFor(context.initiative, command.initiativeId);
      assertActsFor(context.actor, command.partnerId);
      assertActivePartner(context.initiative, command.partnerId, 'contribute');
      return [{ type: 'ContributionRecorded', data: compact(data) }];
    }
    case 'ReverseUnplannedContribution': {
      const { contribution } = state;
      if (!contribution) throw new NotFoundError(`contribution ${command.contributionId} was not recorded`);
      if (contribution.contributionId !== command.contributionId) {
        const { contributionId } = contribution;
        throw new Error(`command for contribution ${command.contributionId} was sent to the stream of ${contributionId}`);
      }
      assertFactsFor(command.context.initiative, contribution.initiativeId);
      assertMayChangeRecordOf(command.context, contribution.partnerId, 'reverse contributions');
      if (state.reversed) throw new RuleViolationError(`contribution ${command.contributionId} was already reversed`);
      const { contributionId, reason } = command;
      return [{ type: 'ContributionReversed', data: { contributionId, reason } }];
    }
  }
};

import type { CommitmentKind } from '../../events/resources.js';
import { RuleViolationError } from '../decider.js';
import type { Resources } from './commands.js';

/**
 * Which resource fields fit a commitment's kind (the kind lives in the stream, so the event schemas cannot
 * check revisions and contributions): funding is money in the commitment's currency, staff time is hours,
 * the other kinds are described (with an optional estimated value, in the commitment's currency once it has one).
 * A description fits every kind.
 */

const misfit = (detail: string): never => {
  throw new RuleViolationError(detail);
};

const checkCommon = (kind: CommitmentKind, currency: string | undefined, given: Resources, what: string): void => {
  if (given.money !== undefined && kind !== 'funding') {
    misfit(`a ${what} of a ${kind} commitment has no money (use estimatedValue)`);
  }
  if (given.hours !== undefined && kind !== 'staff_time') misfit(`a ${what} of a ${kind} commitment has no hours`);
  if (given.estimatedValue !== undefined && kind === 'funding') {
    misfit(`a ${what} of a funding commitment states its value as money`);
  }
  if (given.money !== undefined && given.money.currency !== currency) {
    misfit(
      `the commitment is in ${currency ?? 'no currency'}; a ${what} in ${given.money.currency} does not fit ` +
        '(amounts in different currencies are never mixed)',
    );
  }
  // A commitment in kind is valued in one currency too, once it states a value.
  if (given.estimatedValue !== undefined && currency !== undefined && given.estimatedValue.currency !== currency) {
    misfit(
      `the commitment is valued in ${currency}; a ${what} valued in ${given.estimatedValue.currency} does not fit ` +
        '(amounts in different currencies are never mixed)',
    );
  }
};

/** A revision changes fields of the commitment's own kind; a funding commitment keeps its currency. */
export const checkRevisionFits = (kind: CommitmentKind, currency: string | undefined, revision: Resources): void =>
  checkCommon(kind, currency, revision, 'revision');

/** A contribution delivers what was pledged: money for funding, hours for staff time. */
export const checkContributionFits = (kind: CommitmentKind, currency: string | undefined, delivered: Resources): void => {
  checkCommon(kind, currency, delivered, 'contribution');
  if (kind === 'funding' && delivered.money === undefined) {
    misfit('a contribution to a funding commitment delivers money');
  }
  if (kind === 'staff_time' && delivered.hours === undefined) {
    misfit('a contribution to a staff_time commitment delivers hours');
  }
};

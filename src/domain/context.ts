import { ForbiddenError } from '../errors.js';
import type { Actor } from '../events/envelope.js';
import { RuleViolationError } from './decider.js';

/**
 * Cross-aggregate facts. A decider sees only its own stream; what it must know about the initiative (its
 * partners, goals, strategies) travels inside the command as `context`, filled by the caller from the
 * initiative's state (`initiativeFacts` in `initiative/facts.ts`). Deciders never read the clock either:
 * where time matters the caller passes `now`.
 */

export type PartnerStatus = 'active' | 'left';

/** What the initiative stream knows that other streams' rules need. */
export interface InitiativeFacts {
  initiativeId: string;
  /** Every partner that ever joined, by id; a partner who left stays here as `left`. */
  partners: ReadonlyMap<string, PartnerStatus>;
  goalIds: ReadonlySet<string>;
  strategyIds: ReadonlySet<string>;
}

export interface ActorContext {
  actor: Actor;
}

/** The context of every command on a stream that belongs to an initiative (indicator, commitment, …). */
export interface InitiativeContext extends ActorContext {
  initiative: InitiativeFacts;
}

/** A caller bug (facts of another initiative), not bad input: it must never be mistaken for a rule. */
export const assertFactsFor = (facts: InitiativeFacts, initiativeId: string): void => {
  if (facts.initiativeId !== initiativeId) {
    throw new Error(`context holds facts of initiative ${facts.initiativeId}, the command concerns ${initiativeId}`);
  }
};

/** 403: a `partner` key acts for exactly one partner (design §7). Other roles are scoped by the routes. */
export const assertActsFor = (actor: Actor, partnerId: string): void => {
  if (actor.role === 'partner' && actor.partnerId !== partnerId) {
    throw new ForbiddenError(`a partner key acts only for its own partner, not for ${partnerId}`);
  }
};

/** 409: only an active partner of the initiative commits, contributes, reports or votes. */
export const assertActivePartner = (facts: InitiativeFacts, partnerId: string, doing: string): void => {
  const status = facts.partners.get(partnerId);
  if (status === undefined) {
    throw new RuleViolationError(`${partnerId} is not a partner of initiative ${facts.initiativeId}`);
  }
  if (status === 'left') throw new RuleViolationError(`partner ${partnerId} has left the initiative and cannot ${doing}`);
};

/**
 * For changes to a partner's existing records (corrections, retractions, reversals, revisions): a partner key
 * changes only its own, and only while its partner is active; the backbone or an admin may still correct or
 * withdraw the records of a partner who left (its history stays, wrong data must not).
 */
export const assertMayChangeRecordOf = (context: InitiativeContext, partnerId: string, doing: string): void => {
  assertActsFor(context.actor, partnerId);
  if (context.actor.role === 'partner') assertActivePartner(context.initiative, partnerId, doing);
};

export const activePartnerCount = (facts: InitiativeFacts): number =>
  [...facts.partners.values()].filter((status) => status === 'active').length;

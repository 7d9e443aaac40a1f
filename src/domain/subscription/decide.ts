import { ForbiddenError, NotFoundError } from '../../errors.js';
import type { Actor } from '../../events/envelope.js';
import { compact } from '../compact.js';
import { assertActivePartner, assertFactsFor } from '../context.js';
import { type PendingEvent, RuleViolationError } from '../decider.js';
import type { CreateSubscription, SubscriptionCommand } from './commands.js';
import type { SubscriptionState } from './state.js';

/**
 * Who manages a subscription: admins, the initiative's backbone (the routes check the initiative), the partner
 * that owns it, and the service itself (`system`, when an endpoint has failed for long). Viewers and auditors
 * read; they subscribe to nothing.
 */
const assertMayManage = (actor: Actor, owner: { partnerId?: string | undefined }): void => {
  if (actor.role === 'admin' || actor.role === 'backbone' || actor.role === 'system') return;
  if (actor.role === 'partner' && owner.partnerId !== undefined && actor.partnerId === owner.partnerId) return;
  throw new ForbiddenError(
    actor.role === 'partner' ? 'a partner key manages only its own partner’s subscriptions' : `a ${actor.role} key cannot manage subscriptions`,
  );
};

const create = (command: CreateSubscription, state: SubscriptionState): PendingEvent[] => {
  const { type: _type, context, ...data } = command;
  if (state.subscription) throw new RuleViolationError(`subscription ${command.subscriptionId} already exists`);
  assertFactsFor(context.initiative, command.initiativeId);
  if (context.actor.role === 'partner' && command.partnerId !== context.actor.partnerId) {
    throw new ForbiddenError('a partner key subscribes only for its own partner');
  }
  assertMayManage(context.actor, command);
  if (command.partnerId !== undefined) assertActivePartner(context.initiative, command.partnerId, 'subscribe');
  return [{ type: 'SubscriptionCreated', data: compact(data) }];
};

const existing = (state: SubscriptionState, subscriptionId: string) => {
  const { subscription, status } = state;
  if (!subscription || status === 'removed') throw new NotFoundError(`no subscription ${subscriptionId}`);
  if (subscription.subscriptionId !== subscriptionId) {
    throw new Error(`command for subscription ${subscriptionId} was sent to the stream of ${subscription.subscriptionId}`);
  }
  return { subscription, status };
};

export const decide = (command: SubscriptionCommand, state: SubscriptionState): PendingEvent[] => {
  if (command.type === 'CreateSubscription') return create(command, state);
  const { subscription, status } = existing(state, command.subscriptionId);
  assertMayManage(command.context.actor, subscription);
  const { subscriptionId, reason } = command;
  switch (command.type) {
    case 'DisableSubscription':
      if (status === 'disabled') throw new RuleViolationError(`subscription ${subscriptionId} is already disabled`);
      return [{ type: 'SubscriptionDisabled', data: compact({ subscriptionId, reason: command.reason, lastSeq: command.lastSeq }) }];
    case 'EnableSubscription':
      if (status === 'active') throw new RuleViolationError(`subscription ${subscriptionId} is already enabled`);
      // A partner that left keeps its history but does nothing new: deliveries to it do not start again, whoever asks.
      assertFactsFor(command.context.initiative, subscription.initiativeId);
      if (subscription.partnerId !== undefined) assertActivePartner(command.context.initiative, subscription.partnerId, 'have its subscription enabled again');
      return [{ type: 'SubscriptionEnabled', data: compact({ subscriptionId, reason }) }];
    case 'RemoveSubscription':
      return [{ type: 'SubscriptionRemoved', data: compact({ subscriptionId, reason }) }];
  }
};

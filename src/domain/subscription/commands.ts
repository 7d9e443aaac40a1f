import type { ActorContext, InitiativeFacts } from '../context.js';

/**
 * Commands on the subscription aggregate (stream `subscription-<id>`). The signing secret is derived from the
 * server secret and the subscription id when it is shown or used: no command or event carries it.
 */
export interface CreateSubscription {
  type: 'CreateSubscription';
  subscriptionId: string;
  initiativeId: string;
  url: string;
  types: string[];
  /** The partner that owns it (always the acting partner for a partner key). */
  partnerId?: string;
  context: ActorContext & { initiative: InitiativeFacts };
}

export interface DisableSubscription {
  type: 'DisableSubscription';
  subscriptionId: string;
  reason: string;
  /** The last seq below which every matching event was delivered; enabling again resumes after it. */
  lastSeq?: number;
  context: ActorContext;
}

export interface EnableSubscription {
  type: 'EnableSubscription';
  subscriptionId: string;
  reason?: string;
  /** The initiative's facts: a subscription whose owning partner has left is not enabled again. */
  context: ActorContext & { initiative: InitiativeFacts };
}

export interface RemoveSubscription {
  type: 'RemoveSubscription';
  subscriptionId: string;
  reason?: string;
  context: ActorContext;
}

export type SubscriptionCommand = CreateSubscription | DisableSubscription | EnableSubscription | RemoveSubscription;

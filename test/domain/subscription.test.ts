import t from 'tap';
import type { CreateSubscription, SubscriptionCommand } from '../../src/domain/subscription/commands.js';
import { subscriptionDecider, subscriptionStream } from '../../src/domain/subscription/decider.js';
import { type PendingEvent, RuleViolationError } from '../../src/domain/decider.js';
import { ForbiddenError, NotFoundError } from '../../src/errors.js';
import type { Actor } from '../../src/events/envelope.js';
import { spec } from './decider-spec.js';
import { actors, facts, ids, samples, uuid } from './fixtures.js';

const given = spec(subscriptionDecider).given;
const system: Actor = { keyId: 'system', role: 'system' };
const otherPartner: Actor = { keyId: 'key-partner-2', role: 'partner', partnerId: ids.partner2 };

const created: PendingEvent = { type: 'SubscriptionCreated', data: samples.SubscriptionCreated };
const disabled: PendingEvent = { type: 'SubscriptionDisabled', data: { subscriptionId: ids.subscription, reason: 'failing for 24h', lastSeq: 41 } };
const enabled: PendingEvent = { type: 'SubscriptionEnabled', data: { subscriptionId: ids.subscription } };
const removed: PendingEvent = { type: 'SubscriptionRemoved', data: { subscriptionId: ids.subscription } };

const create = (changes: Partial<CreateSubscription> = {}, actor: Actor = actors.partner): CreateSubscription => ({
  type: 'CreateSubscription',
  ...samples.SubscriptionCreated,
  context: { actor, initiative: facts() },
  ...changes,
});
const disable = (actor: Actor = system): SubscriptionCommand => ({
  type: 'DisableSubscription',
  subscriptionId: ids.subscription,
  reason: 'failing for 24h',
  lastSeq: 41,
  context: { actor },
});
const enable = (actor: Actor = actors.partner, partners: Parameters<typeof facts>[0] = {}): SubscriptionCommand => ({
  type: 'EnableSubscription',
  subscriptionId: ids.subscription,
  context: { actor, initiative: facts(partners) },
});
const remove = (actor: Actor = actors.partner): SubscriptionCommand => ({ type: 'RemoveSubscription', subscriptionId: ids.subscription, context: { actor } });

t.test('subscriptionStream names the stream', async (t) => {
  t.equal(subscriptionStream(ids.subscription), `subscription-${ids.subscription}`);
});

t.test('CreateSubscription', async (t) => {
  t.test('a partner subscribes for itself; the event holds no secret', async () => {
    given([]).when(create()).then([created]);
  });
  t.test('the backbone and admins subscribe, with or without an owning partner', async () => {
    given([]).when(create({}, actors.backbone)).then([created]);
    const { partnerId: _p, ...unowned } = samples.SubscriptionCreated;
    given([]).when(create({ partnerId: undefined }, actors.admin)).then([{ type: 'SubscriptionCreated', data: unowned }]);
  });
  t.test('a partner key cannot subscribe for another partner, nor without one', async () => {
    given([]).when(create({ partnerId: ids.partner2 })).thenThrows(ForbiddenError, 'own partner');
    given([]).when(create({ partnerId: undefined })).thenThrows(ForbiddenError);
  });
  t.test('auditors and viewers do not subscribe', async () => {
    given([]).when(create({}, actors.auditor)).thenThrows(ForbiddenError);
    given([]).when(create({}, { keyId: 'v', role: 'viewer' })).thenThrows(ForbiddenError);
  });
  t.test('the owner must be an active partner', async () => {
    given([]).when(create({ partnerId: uuid(77) }, actors.backbone)).thenThrows(RuleViolationError, 'is not a partner');
    given([])
      .when(create({ context: { actor: actors.backbone, initiative: facts({ [ids.partner]: 'left' }) } }, actors.backbone))
      .thenThrows(RuleViolationError, 'has left');
  });
  t.test('an id is used once', async () => {
    given([created]).when(create()).thenThrows(RuleViolationError, 'already exists');
  });
});

t.test('DisableSubscription', async (t) => {
  t.test('the service disables a failing endpoint, naming where delivery stopped', async () => {
    given([created]).when(disable()).then([disabled]);
  });
  t.test('a second disable is refused, so two instances racing record it once', async () => {
    given([created, disabled]).when(disable()).thenThrows(RuleViolationError, 'already disabled');
  });
  t.test('another partner cannot disable it', async () => {
    given([created]).when(disable(otherPartner)).thenThrows(ForbiddenError);
  });
});

t.test('EnableSubscription', async (t) => {
  t.test('the owner enables a disabled subscription', async () => {
    given([created, disabled]).when(enable()).then([enabled]);
  });
  t.test('an active one is refused', async () => {
    given([created]).when(enable()).thenThrows(RuleViolationError, 'already enabled');
    given([created, disabled, enabled]).when(enable(actors.backbone)).thenThrows(RuleViolationError);
  });
  t.test('viewers, auditors and other partners cannot', async () => {
    given([created, disabled]).when(enable(otherPartner)).thenThrows(ForbiddenError);
    given([created, disabled]).when(enable(actors.auditor)).thenThrows(ForbiddenError);
  });
  t.test('once its owning partner has left, nobody enables it again: deliveries to a partner that left do not restart', async () => {
    const owner = samples.SubscriptionCreated.partnerId!;
    given([created, disabled]).when(enable(actors.partner, { [owner]: 'left' })).thenThrows(RuleViolationError, 'has left');
    given([created, disabled]).when(enable(actors.backbone, { [owner]: 'left' })).thenThrows(RuleViolationError, 'has left');
    given([created, disabled]).when(enable(actors.backbone)).then([enabled]);
  });
});

t.test('RemoveSubscription', async (t) => {
  t.test('the owner or the backbone removes it; then it is gone', async () => {
    given([created]).when(remove()).then([removed]);
    given([created, disabled]).when(remove(actors.backbone)).then([removed]);
    given([created, removed]).when(remove()).thenThrows(NotFoundError);
    given([created, removed]).when(enable()).thenThrows(NotFoundError);
  });
  t.test('an unknown subscription is not found', async () => {
    given([]).when(remove()).thenThrows(NotFoundError);
  });
});

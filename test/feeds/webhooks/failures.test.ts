import t from 'tap';
import { admin } from '../../helpers/service.js';
import { deduplicated, deliveryLog, logActivity, untilDisabled, verified, webhookWorld } from './fixture.js';

const subscribe = async (world: NonNullable<Awaited<ReturnType<typeof webhookWorld>>>, initiativeId: string) => {
  const res = await world.client.post('/subscriptions', { url: world.receiver.url, initiativeId });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body as { id: string; secret: string; seq: number };
};

t.test('5xx is retried with the same webhook-id until it succeeds; the log shows each attempt and the next retry', async (t) => {
  const world = await webhookWorld(t, { respond: (_r, i) => ({ status: i < 2 ? 503 : 200 }) });
  if (!world) return;
  const initiative = await world.client.launch();
  const partner = await world.client.partner(initiative, 'River Trust');
  const sub = await subscribe(world, initiative);
  await logActivity(world.client, initiative, partner, 'Kick-off');

  await world.receiver.until((r) => r.length >= 3);
  const deliveries = verified(world.receiver.received, sub.secret);
  t.equal(new Set(deliveries.map((d) => d.webhookId)).size, 1, 'three attempts, one webhook-id');
  t.equal(new Set(deliveries.map((d) => d.request.headers['webhook-timestamp'])).size >= 1, true);
  t.equal(deduplicated(deliveries).length, 1);

  const attempts = await deliveryLog(world.service, sub.id, (a) => a.some((x) => x.outcome === 'delivered'));
  const oldestFirst = [...attempts].reverse();
  t.same(oldestFirst.map((a) => [a.attempt, a.outcome, a.statusCode]), [[1, 'failed', 503], [2, 'failed', 503], [3, 'delivered', 200]]);
  t.ok(oldestFirst[0]!.nextRetryAt && Date.parse(oldestFirst[0]!.nextRetryAt) > Date.parse(oldestFirst[0]!.at), 'a failed attempt says when it is retried');
});

t.test('a 4xx other than 408/429 is not retried; 408 and 429 are, and Retry-After is honoured', async (t) => {
  const world = await webhookWorld(t, { respond: () => ({ status: 400 }) });
  if (!world) return;
  const initiative = await world.client.launch();
  const partner = await world.client.partner(initiative, 'River Trust');
  const sub = await subscribe(world, initiative);
  await logActivity(world.client, initiative, partner, 'Refused');
  const refused = await deliveryLog(world.service, sub.id, (a) => a.length >= 1);
  t.same(refused.map((a) => [a.outcome, a.statusCode]), [['rejected', 400]]);
  await new Promise((r) => setTimeout(r, 700));
  t.equal(world.receiver.received.length, 1, 'exactly one attempt for a 400');

  world.receiver.respond((_r, i) => (i === 1 ? { status: 429, headers: { 'retry-after': '1' } } : i === 2 ? { status: 408 } : { status: 200 }));
  await logActivity(world.client, initiative, partner, 'Throttled');
  await world.receiver.until((r) => r.length >= 4, 10_000);
  const [, throttled, timedOut, delivered] = world.receiver.received;
  t.ok(timedOut!.at - throttled!.at >= 950, `Retry-After: 1 waited ${timedOut!.at - throttled!.at} ms (retry base is 50 ms)`);
  t.equal(delivered!.headers['webhook-id'], throttled!.headers['webhook-id'], '429 then 408 then delivered, one message');
});

t.test('410 Gone disables the subscription at once, recorded as an event by the service', async (t) => {
  const world = await webhookWorld(t, { respond: () => ({ status: 410 }) });
  if (!world) return;
  const initiative = await world.client.launch();
  const partner = await world.client.partner(initiative, 'River Trust');
  const sub = await subscribe(world, initiative);
  await logActivity(world.client, initiative, partner, 'Gone');
  await deliveryLog(world.service, sub.id, (a) => a.some((x) => x.outcome === 'gone'));
  const state = await untilDisabled(world, sub.id, 10_000);
  t.equal(state.status, 'disabled');
  t.match(state.disabled, { reason: /410/, lastSeq: sub.seq });
  const events = await world.service.store.readStream(`subscription-${sub.id}`);
  t.same(events.map((e) => [e.type, e.metadata.actor.role]), [['SubscriptionCreated', 'admin'], ['SubscriptionDisabled', 'system']]);
  await logActivity(world.client, initiative, partner, 'After');
  await new Promise((r) => setTimeout(r, 500));
  t.equal(world.receiver.received.length, 1, 'nothing more is sent to a disabled endpoint');
});

t.test('an endpoint failing for WEBHOOK_DISABLE_AFTER is disabled; enabled again, it catches up from where it stopped', async (t) => {
  const world = await webhookWorld(t, { env: { WEBHOOK_DISABLE_AFTER: '1500ms' }, respond: () => ({ status: 503 }) });
  if (!world) return;
  const { client, service, receiver } = world;
  const initiative = await client.launch();
  const partner = await client.partner(initiative, 'River Trust');
  const sub = await subscribe(world, initiative);
  for (let i = 0; i < 3; i++) await logActivity(client, initiative, partner, `While failing ${i}`);

  const state = await untilDisabled(world, sub.id, 15_000);
  t.equal(state.status, 'disabled', 'disabled after failing for the configured time');
  t.match(state.disabled.reason, /failing for/);
  t.equal(state.disabled.lastSeq, sub.seq, 'nothing after the subscription was delivered: it resumes right after it');

  for (let i = 0; i < 2; i++) await logActivity(client, initiative, partner, `While disabled ${i}`);
  receiver.respond(() => ({ status: 200 }));
  const enabled = await client.post(`/subscriptions/${sub.id}/enable`, { reason: 'endpoint fixed' });
  t.equal(enabled.status, 201);
  for (let i = 0; i < 2; i++) await logActivity(client, initiative, partner, `After enable ${i}`);

  await receiver.until((r) => new Set(r.map((x) => x.headers['webhook-id'])).size >= 7 && r.at(-1)!.headers['webhook-id'] !== undefined && deduplicated(verified(r, sub.secret)).filter((d) => (d.event.data as { title?: string }).title?.startsWith('After')).length === 2, 15_000, 'the catch-up');
  const kept = deduplicated(verified(receiver.received, sub.secret));
  t.same(kept.map((d) => (d.event.data as { title?: string }).title), [
    'While failing 0',
    'While failing 1',
    'While failing 2',
    'While disabled 0',
    'While disabled 1',
    'After enable 0',
    'After enable 1',
  ], 'every event since it stopped, including those while disabled, in seq order after dedup');
  t.same(kept.map((d) => d.event.seq), [...kept.map((d) => d.event.seq)].sort((a, b) => a - b));
});

t.test('enabled again, an endpoint starts with a clean slate: a failure during the catch-up is retried, not a second disable', async (t) => {
  const world = await webhookWorld(t, { env: { WEBHOOK_DISABLE_AFTER: '1500ms' }, respond: () => ({ status: 503 }) });
  if (!world) return;
  const { client, receiver } = world;
  const initiative = await client.launch();
  const partner = await client.partner(initiative, 'River Trust');
  const sub = await subscribe(world, initiative);
  await logActivity(client, initiative, partner, 'While failing');
  t.equal((await untilDisabled(world, sub.id, 15_000)).status, 'disabled');

  // Well past WEBHOOK_DISABLE_AFTER since the endpoint started failing; after the enable it fails once more, then works.
  let failures = 0;
  receiver.respond(() => (failures++ === 0 ? { status: 503 } : { status: 200 }));
  const enabledAt = Date.now();
  t.equal((await client.post(`/subscriptions/${sub.id}/enable`, { reason: 'endpoint fixed' })).status, 201);
  const attempts = await deliveryLog(world.service, sub.id, (a) => a.some((x) => x.outcome === 'delivered'));
  const sinceEnable = attempts.filter((a) => Date.parse(a.at) >= enabledAt).reverse();
  t.same(sinceEnable.map((a) => [a.seq, a.outcome, a.statusCode]), [[sub.seq + 1, 'failed', 503], [sub.seq + 1, 'delivered', 200]], 'failed once, retried, delivered');
  const state = (await world.service.app.inject({ method: 'GET', url: `/subscriptions/${sub.id}`, headers: admin })).json();
  t.equal(state.status, 'active', 'still active: the failures before the disable do not count against the new epoch');
});

import t from 'tap';
import { admin } from '../../helpers/service.js';
import { deduplicated, deliveryLog, expectedSeqs, logActivity, verified, webhookWorld } from './fixture.js';

t.test('every matching event reaches the subscription, signed, as a CloudEvent, in an order the receiver can restore', async (t) => {
  const world = await webhookWorld(t, { env: { PUBLIC_URL: 'https://ledger.example.org' } });
  if (!world) return;
  const { client, receiver, service } = world;
  const initiative = await client.launch();
  const partner = await client.partner(initiative, 'River Trust');
  const other = await client.launch('Other initiative');
  const otherPartner = await client.partner(other, 'Elsewhere');

  const created = await client.post('/subscriptions', { url: receiver.url, initiativeId: initiative }, admin);
  t.equal(created.status, 201, JSON.stringify(created.body));
  const { id: subscriptionId, secret, seq: createdSeq } = created.body as { id: string; secret: string; seq: number };
  t.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/, 'a Standard Webhooks secret, shown in the 201');
  t.equal(created.headers.location, `/subscriptions/${subscriptionId}`);

  for (let i = 0; i < 30; i++) {
    await logActivity(client, initiative, partner, `Meeting ${i}`);
    if (i % 3 === 0) await logActivity(client, other, otherPartner, `Elsewhere ${i}`);
  }
  await client.partner(initiative, 'Water Board');
  // Events whose data names no initiative (it comes from their stream): a vote and the close of a decision.
  const decision = await client.decision(initiative);
  t.equal((await client.post(`/decisions/${decision}/votes`, { partnerId: partner, option: 'yes' })).status, 201);
  t.equal((await client.post(`/decisions/${decision}/close`, {})).status, 201);
  const expected = await expectedSeqs(service, initiative, createdSeq);
  t.equal(expected.length, 34, 'thirty activities, a partner joined, a decision proposed, voted on and closed');

  await receiver.until((r) => new Set(r.map((x) => x.headers['webhook-id'])).size >= expected.length);
  const deliveries = verified(receiver.received, secret);
  const kept = deduplicated(deliveries);
  t.same(kept.map((d) => d.event.seq), expected, 'exactly the initiative’s events after the subscription, none of the other initiative, restorable by seq');
  for (const { event, webhookId } of kept) {
    t.equal(event.specversion, '1.0');
    t.equal(event.source, `https://ledger.example.org/initiatives/${initiative}`, 'source: the initiative under PUBLIC_URL');
    t.match(event.type, /^org\.impact-ledger\.[a-z-]+\.[a-z-]+$/);
    t.equal(event.datacontenttype, 'application/json');
    t.equal(webhookId, `msg_${subscriptionId}_${event.seq}`, 'webhook-id names the subscription and the event');
  }
  t.equal(deliveries.length, kept.length, 'no duplicates when nothing failed');

  // The secret is nowhere in the log.
  const all = await service.store.readAll({ maxCount: 10_000 });
  t.notOk(JSON.stringify(all).includes(secret.slice(6)), 'the signing secret never enters the event log');
  const createdEvent = all.find((e) => e.type === 'SubscriptionCreated');
  t.same(Object.keys(createdEvent!.data as object).sort(), ['initiativeId', 'subscriptionId', 'types', 'url']);

  const attempts = await deliveryLog(service, subscriptionId, (a) => a.length >= expected.length);
  t.equal(attempts.length, expected.length, 'one attempt per event in the delivery log');
  t.ok(attempts.every((a) => a.outcome === 'delivered' && a.statusCode === 200 && a.latencyMs >= 0));

  const metrics = (await service.app.inject({ method: 'GET', url: '/metrics', headers: admin })).body;
  t.match(metrics, new RegExp(`^ledger_webhook_attempts_total\\{outcome="delivered"\\} ${expected.length}$`, 'm'), '/metrics counts the attempts');
  t.match(metrics, /^ledger_webhook_jobs\{state="completed"\} \d+$/m, 'and the queue by state');
});

t.test('a type filter delivers only those types', async (t) => {
  const world = await webhookWorld(t);
  if (!world) return;
  const { client, receiver, service } = world;
  const initiative = await client.launch();
  const partner = await client.partner(initiative, 'River Trust');
  const created = await client.post('/subscriptions', { url: receiver.url, initiativeId: initiative, types: ['PartnerJoined'] });
  t.equal(created.status, 201);
  await logActivity(client, initiative, partner, 'Kick-off');
  await client.partner(initiative, 'Water Board');
  await client.partner(initiative, 'City Council');
  await receiver.until((r) => r.length >= 2);
  await service.webhooks.drained();
  await new Promise((r) => setTimeout(r, 300));
  const kept = deduplicated(verified(receiver.received, created.body.secret));
  t.same(kept.map((d) => d.event.type), ['org.impact-ledger.partner.joined', 'org.impact-ledger.partner.joined']);
});

import t from 'tap';
import { verifyCheckpoint } from '../../../src/transparency/checkpoint.js';
import type { Received } from '../../helpers/webhook-receiver.js';
import { admin } from '../../helpers/service.js';
import { deduplicated, deliveryLog, expectedSeqs, logActivity, verified, webhookWorld, type Delivery } from './fixture.js';

/**
 * Signed checkpoints of the transparency log reach webhook subscribers that ask for them (design §6: pushed to the
 * feeds so partners can witness them), as SSE already carries them.
 */

type World = NonNullable<Awaited<ReturnType<typeof webhookWorld>>>;

/** What reached one subscription (the receiver is shared: its webhook ids name the subscription). */
const receivedBy = (received: readonly Received[], subscription: { id: string; secret: string }): Delivery[] =>
  verified(
    received.filter((r) => String(r.headers['webhook-id']).startsWith(`msg_${subscription.id}_`)),
    subscription.secret,
  );

const checkpointsIn = (deliveries: readonly Delivery[]) => deliveries.filter((d) => d.event.type === 'org.impact-ledger.checkpoint.signed');

/** Signs a checkpoint now (admin), and returns its note and tree size. */
const signNow = async (world: World) => {
  const res = await world.service.app.inject({ method: 'POST', url: '/audit/checkpoints', headers: admin });
  if (res.statusCode !== 201 && res.statusCode !== 200) throw new Error(`POST /audit/checkpoints answered ${res.statusCode}: ${res.body}`);
  return { note: res.body, size: Number(res.body.split('\n')[1]) };
};

const subscribe = async (world: World, body: object, headers: Record<string, string> = admin) => {
  const res = await world.client.post('/subscriptions', { url: world.receiver.url, ...body }, headers);
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body as { id: string; secret: string; seq: number };
};

// Checkpoints only when a test signs one (no cadence firing in the middle of it).
const env = { PUBLIC_URL: 'https://ledger.example.org', CHECKPOINT_EVERY: '1000000' };

t.test('a subscription naming `checkpoint` receives each signed checkpoint, verifiable with the published key; others do not', async (t) => {
  const world = await webhookWorld(t, { env });
  if (!world) return;
  const { client, receiver, service } = world;
  const initiative = await client.launch();
  const partner = await client.partner(initiative, 'River Trust');
  const partnerKey = await client.key({ role: 'partner', initiativeId: initiative, partnerId: partner });

  const witness = await subscribe(world, { initiativeId: initiative, types: ['checkpoint'] }, partnerKey.headers);
  const everything = await subscribe(world, { initiativeId: initiative, types: ['*', 'checkpoint'] });
  const eventsOnly = await subscribe(world, { initiativeId: initiative });

  for (let i = 0; i < 5; i++) await logActivity(client, initiative, partner, `Meeting ${i}`);
  const first = await signNow(world);
  for (let i = 5; i < 8; i++) await logActivity(client, initiative, partner, `Meeting ${i}`);
  const second = await signNow(world);
  t.ok(second.size > first.size);

  const events = await expectedSeqs(service, initiative, everything.seq);
  t.equal(events.length, 8);
  await receiver.until(
    (r) => checkpointsIn(receivedBy(r, witness)).length >= 2 && receivedBy(r, everything).length >= events.length + 2 && receivedBy(r, eventsOnly).length >= events.length,
  );
  await service.webhooks.drained();
  await new Promise((r) => setTimeout(r, 300));

  const publicKey = (await service.app.inject({ method: 'GET', url: '/audit/public-key', headers: admin })).body.trim();
  const toWitness = receivedBy(receiver.received, witness);
  t.same(toWitness.map((d) => d.event.type), ['org.impact-ledger.checkpoint.signed', 'org.impact-ledger.checkpoint.signed'], '`checkpoint` alone: checkpoints only, once each');
  for (const [d, signed] of deduplicated(toWitness).map((d, i) => [d, [first, second][i]!] as const)) {
    t.equal(d.webhookId, `msg_${witness.id}_checkpoint_${signed.size}`, 'webhook-id names the subscription and the tree size');
    t.match(d.event, { id: `checkpoint-${signed.size}`, source: 'https://ledger.example.org/audit', subject: `checkpoints/${signed.size}`, seq: signed.size - 1 });
    const data = d.event.data as { origin: string; treeSize: number; note: string };
    t.equal(data.note, signed.note, 'the note as the audit API signed it');
    t.equal(data.treeSize, signed.size);
    const { checkpoint } = verifyCheckpoint(data.note, publicKey, { origin: data.origin });
    t.equal(checkpoint.size, signed.size, 'its signature verifies with the published key');
  }

  const toEverything = deduplicated(receivedBy(receiver.received, everything));
  t.same(checkpointsIn(toEverything).map((d) => d.event.data), checkpointsIn(toWitness).map((d) => d.event.data), '`*,checkpoint`: the same checkpoints…');
  t.same(toEverything.filter((d) => !checkpointsIn([d]).length).map((d) => d.event.seq), events, '…and every event');
  const toEventsOnly = receivedBy(receiver.received, eventsOnly);
  t.same(toEventsOnly.map((d) => d.event.seq), events, 'no `checkpoint`: events only');

  const attempts = await deliveryLog(service, witness.id, (a) => a.length >= 2, partnerKey.headers);
  t.same(
    attempts.map((a) => [a.webhookId, a.seq, a.outcome]).reverse(),
    [first, second].map((c) => [`msg_${witness.id}_checkpoint_${c.size}`, c.size - 1, 'delivered']),
    'the delivery log, readable by the partner, shows each checkpoint',
  );
});

t.test('a subscriber that fell behind gets the newest checkpoint, not each one in between, and event delivery resumes where it stopped', async (t) => {
  const world = await webhookWorld(t, { env });
  if (!world) return;
  const { client, receiver, service } = world;
  const initiative = await client.launch();
  const partner = await client.partner(initiative, 'River Trust');
  const sub = await subscribe(world, { initiativeId: initiative, types: ['ActivityLogged', 'checkpoint'] });

  await logActivity(client, initiative, partner, 'Before');
  const before = await signNow(world);
  await receiver.until((r) => receivedBy(r, sub).length >= 2);
  await service.webhooks.drained();

  t.equal((await client.post(`/subscriptions/${sub.id}/disable`, { reason: 'maintenance' })).status, 201);
  const disabledAt = (await service.app.inject({ method: 'GET', url: `/subscriptions/${sub.id}`, headers: admin })).json();
  t.ok(disabledAt.disabled.lastSeq >= before.size - 1, 'a delivered checkpoint leaves the resume point after the events it covers');
  await logActivity(client, initiative, partner, 'While disabled 1');
  const skipped = await signNow(world);
  await logActivity(client, initiative, partner, 'While disabled 2');
  const newest = await signNow(world);
  t.equal((await client.post(`/subscriptions/${sub.id}/enable`, { reason: 'back' })).status, 201);

  await receiver.until((r) => checkpointsIn(receivedBy(r, sub)).length >= 2 && receivedBy(r, sub).length >= 5);
  await service.webhooks.drained();
  await new Promise((r) => setTimeout(r, 300));
  const kept = deduplicated(receivedBy(receiver.received, sub));
  t.same(
    checkpointsIn(kept).map((d) => (d.event.data as { treeSize: number }).treeSize),
    [before.size, newest.size],
    `the checkpoint of size ${skipped.size}, superseded while the endpoint was off, is not sent`,
  );
  t.same(
    kept.filter((d) => !checkpointsIn([d]).length).map((d) => (d.event.data as { title: string }).title),
    ['Before', 'While disabled 1', 'While disabled 2'],
    'every event, each once',
  );
});

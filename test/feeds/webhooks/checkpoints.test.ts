import { rmSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { verifyCheckpoint } from '../../../src/transparency/checkpoint.js';
import { startRedis } from '../../helpers/redis.js';
import { admin } from '../../helpers/service.js';
import { tempDir } from '../../helpers/temp-dir.js';
import type { Received } from '../../helpers/webhook-receiver.js';
import { deduplicated, deliveryLog, expectedSeqs, logActivity, untilDisabled, verified, webhookWorld, type Delivery } from './fixture.js';

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

/** The titles of the activities one subscription received, every delivery counted (not deduplicated), sorted. */
const activityTitles = (received: readonly Received[], subscription: { id: string; secret: string }) =>
  receivedBy(received, subscription)
    .filter((d) => d.event.type !== 'org.impact-ledger.checkpoint.signed')
    .map((d) => (d.event.data as { title: string }).title)
    .sort();

/** Signs a checkpoint now (admin), of every event written so far, and returns its note and tree size. */
const signNow = async (world: World) => {
  // A large batch is hashed on the log's thread: the tree takes it in a moment after the write's receipt.
  const deadline = Date.now() + 10_000;
  while (world.service.transparency.size() <= world.service.follower.head() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const res = await world.service.app.inject({ method: 'POST', url: '/audit/checkpoints', headers: admin });
  if (res.statusCode !== 201 && res.statusCode !== 200) throw new Error(`POST /audit/checkpoints answered ${res.statusCode}: ${res.body}`);
  return { note: res.body, size: Number(res.body.split('\n')[1]) };
};

const subscribe = async (world: World, body: object, headers: Record<string, string> = admin) => {
  const res = await world.client.post('/subscriptions', { url: world.receiver.url, ...body }, headers);
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body as { id: string; secret: string; seq: number };
};

/** `count` readings of consecutive days from `day`, in one append (a CSV import): many events, quickly. */
const importReadings = async (world: World, indicator: string, partner: string, day: number, count: number) => {
  const rows = Array.from({ length: count }, (_, i) => {
    const date = new Date(Date.UTC(2020, 0, 1 + day + i)).toISOString().slice(0, 10);
    return `${partner},${date},${date},${i},,`;
  });
  const res = await world.service.app.inject({
    method: 'POST',
    url: `/indicators/${indicator}/readings`,
    headers: { ...admin, 'content-type': 'text/csv' },
    payload: ['partnerId,periodStart,periodEnd,value,narrative,source', ...rows].join('\n'),
  });
  if (res.statusCode !== 201) throw new Error(`import answered ${res.statusCode}: ${res.body}`);
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
  // A subscriber behind on checkpoints gets only the newest (the next test): the first must be delivered before the
  // second is signed, or under load (a CI run, 2026-12-03: 18 of 20 deliveries) it is rightly superseded.
  await receiver.until((r) => checkpointsIn(receivedBy(r, witness)).length >= 1 && checkpointsIn(receivedBy(r, everything)).length >= 1);
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
  // Both in the order of their tree sizes (deduplicated sorts by seq): deliveries run concurrently and may arrive in any order.
  t.same(checkpointsIn(toEverything).map((d) => d.event.data), checkpointsIn(deduplicated(toWitness)).map((d) => d.event.data), '`*,checkpoint`: the same checkpoints…');
  t.same(toEverything.filter((d) => !checkpointsIn([d]).length).map((d) => d.event.seq), events, '…and every event');
  const toEventsOnly = receivedBy(receiver.received, eventsOnly);
  // Deliveries run concurrently, so in the order of their seqs (not deduplicated: nothing failed, nothing comes twice).
  t.same(toEventsOnly.map((d) => d.event.seq).sort((a, b) => a - b), events, 'no `checkpoint`: events only, each once');

  const attempts = await deliveryLog(service, witness.id, (a) => a.length >= 2, partnerKey.headers);
  t.same(
    // The log lists the newest attempt first; the two deliveries may have finished in either order.
    attempts.map((a) => [a.webhookId, a.seq, a.eventId, a.outcome]).sort((a, b) => (a[1] as number) - (b[1] as number)),
    [first, second].map((c) => [`msg_${witness.id}_checkpoint_${c.size}`, c.size - 1, `checkpoint-${c.size}`, 'delivered']),
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
  // Settled (the worker logs an attempt after the answer), so the disable below knows where delivery stopped.
  await deliveryLog(service, sub.id, (a) => a.filter((x) => x.outcome === 'delivered').length >= 2);

  t.equal((await client.post(`/subscriptions/${sub.id}/disable`, { reason: 'maintenance' })).status, 201);
  const disabledAt = (await service.app.inject({ method: 'GET', url: `/subscriptions/${sub.id}`, headers: admin })).json();
  t.equal(disabledAt.disabled.lastSeq, before.size - 1, 'the resume point: after the last event delivered');
  await logActivity(client, initiative, partner, 'While disabled 1');
  const skipped = await signNow(world);
  // Pages of events the subscription does not take, so its catch-up reads several pages: no checkpoint per page.
  const indicator = await client.indicator(initiative, await client.goal(initiative), { frequency: 'adhoc' });
  await importReadings(world, indicator, partner, 0, 2500);
  const alsoSkipped = await signNow(world);
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
    `the checkpoints of size ${skipped.size} and ${alsoSkipped.size}, superseded while the endpoint was off, are not sent`,
  );
  t.same(activityTitles(receiver.received, sub), ['Before', 'While disabled 1', 'While disabled 2'], 'every event, each once (nothing was redelivered)');
});

t.test('an endpoint that answers 410 to a checkpoint is disabled; enabled again, it gets what followed and nothing twice', async (t) => {
  const world = await webhookWorld(t, { env, respond: (r) => ({ status: String(r.headers['webhook-id']).includes('_checkpoint_') ? 410 : 200 }) });
  if (!world) return;
  const { client, receiver, service } = world;
  const initiative = await client.launch();
  const partner = await client.partner(initiative, 'River Trust');
  const sub = await subscribe(world, { initiativeId: initiative, types: ['ActivityLogged', 'checkpoint'] });
  for (let i = 0; i < 2; i++) await logActivity(client, initiative, partner, `Delivered ${i}`);
  await deliveryLog(service, sub.id, (a) => a.filter((x) => x.outcome === 'delivered').length >= 2);
  const signed = await signNow(world);

  const state = await untilDisabled(world, sub.id, 15_000);
  t.equal(state.status, 'disabled', 'disabled by the 410');
  t.equal(state.disabled.lastSeq, signed.size - 1, 'every event the checkpoint covers was delivered: the resume point is its last one');

  receiver.respond(() => ({ status: 200 }));
  t.equal((await client.post(`/subscriptions/${sub.id}/enable`, { reason: 'fixed' })).status, 201);
  await logActivity(client, initiative, partner, 'After enable');
  await receiver.until((r) => receivedBy(r, sub).some((d) => (d.event.data as { title?: string }).title === 'After enable'));
  await service.webhooks.drained();
  await new Promise((r) => setTimeout(r, 300));
  t.same(activityTitles(receiver.received, sub), ['After enable', 'Delivered 0', 'Delivered 1'], 'no event delivered before the 410 came again');
});

t.test('a rebuilt instance (its local state deleted) does not send a witness the older checkpoints it signs again while catching up', async (t) => {
  const redis = await startRedis(t);
  if (!redis) return;
  const dataDir = tempDir(t);
  const options = { redis, dataDir, env: { ...env, CHECKPOINT_EVERY: '1000' } };
  const first = await webhookWorld(t, options);
  if (!first) return;
  const { client, receiver } = first;
  const initiative = await client.launch();
  const partner = await client.partner(initiative, 'River Trust');
  const indicator = await client.indicator(initiative, await client.goal(initiative), { frequency: 'adhoc' });
  const witness = await subscribe(first, { initiativeId: initiative, types: ['checkpoint'] });
  const readings = (world: World, day: number, count: number) => importReadings(world, indicator, partner, day, count);

  // A long log, so that the rebuild below takes many batches and the outbox runs between them.
  for (let i = 0; i < 4; i++) await readings(first, i * 5000, 5000);
  await receiver.until((r) => checkpointsIn(receivedBy(r, witness)).some((d) => (d.event.data as { treeSize: number }).treeSize === 20000));
  await first.service.webhooks.drained();
  const sizes = () => checkpointsIn(receivedBy(receiver.received, witness)).map((d) => (d.event.data as { treeSize: number }).treeSize);
  const before = sizes();
  t.equal(before.at(-1), 20000, `the newest as the log grew (${before.join(', ')})`);

  // The local state goes; a new service on the same store and Redis rebuilds it, signing 1000 … 20000 again.
  await first.service.stop();
  for (const file of ['local.sqlite', 'local.sqlite-wal', 'local.sqlite-shm']) rmSync(join(dataDir, file), { force: true });
  const second = await webhookWorld(t, options);
  if (!second) return;
  const size = (await second.service.store.readAll({ maxCount: 100_000 })).length;
  const deadline = Date.now() + 30_000;
  while (second.service.transparency.size() < size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  t.equal(second.service.transparency.size(), size, 'the rebuilt log caught up');
  await second.service.webhooks.drained();
  await new Promise((r) => setTimeout(r, 300));
  t.same(sizes(), before, 'nothing older than what the witness has, and nothing twice');

  await logActivity(second.client, initiative, partner, 'Later');
  await readings(second, 20000, 1000);
  await receiver.until((r) => checkpointsIn(receivedBy(r, witness)).length > before.length);
  t.same(sizes(), [...before, 21000], 'then the next one');
});

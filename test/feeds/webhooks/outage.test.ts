import Database from 'better-sqlite3';
import { join } from 'node:path';
import t from 'tap';
import { startRedis } from '../../helpers/redis.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { deduplicated, expectedSeqs, logActivity, verified, webhookWorld } from './fixture.js';

t.test('Redis is never in the write path: with Redis stopped writes succeed; when it returns every pending delivery is made', async (t) => {
  const world = await webhookWorld(t);
  if (!world) return;
  const { client, receiver, service, redis } = world;
  const initiative = await client.launch();
  const partner = await client.partner(initiative, 'River Trust');
  const sub = (await client.post('/subscriptions', { url: receiver.url, initiativeId: initiative })).body as { id: string; secret: string; seq: number };
  await logActivity(client, initiative, partner, 'Before the outage');
  await receiver.until((r) => r.length >= 1);

  await redis.stop();
  const started = Date.now();
  for (let i = 0; i < 10; i++) await logActivity(client, initiative, partner, `During the outage ${i}`);
  const writing = Date.now() - started;
  t.ok(writing < 5000, `ten writes acknowledged with Redis down (${writing} ms)`);
  const health = await service.app.inject({ method: 'GET', url: '/health' });
  t.equal(health.statusCode, 200, 'the service stays healthy');
  const ready = await service.app.inject({ method: 'GET', url: '/ready' });
  t.equal(ready.statusCode, 200, 'and ready: Redis is not needed to write or stream');
  t.equal(ready.json().redis, 'down', 'but /ready says Redis is down');
  const deliveries = await service.app.inject({ method: 'GET', url: `/subscriptions/${sub.id}/deliveries`, headers: { authorization: 'Bearer test-admin-token-0123456789abcdef0123456789' } });
  t.equal(deliveries.statusCode, 503, 'the delivery log says it is unreachable, as problem+json');
  t.match(deliveries.headers['content-type'], /^application\/problem\+json/);
  t.equal(receiver.received.length, 1, 'nothing delivered while Redis is down');

  await redis.start();
  const expected = await expectedSeqs(service, initiative, sub.seq);
  t.equal(expected.length, 11);
  await receiver.until((r) => new Set(r.map((x) => x.headers['webhook-id'])).size >= 11, 30_000, 'the deliveries after Redis returned');
  t.same(deduplicated(verified(receiver.received, sub.secret)).map((d) => d.event.seq), expected, 'every event, in order after dedup');
});

t.test('a restart, or a lost local cursor, neither drops nor duplicates an enqueue (deterministic job ids)', async (t) => {
  const redis = await startRedis(t);
  if (!redis) return;
  const dataDir = tempDir(t);
  const first = await webhookWorld(t, { redis, dataDir });
  const { client, receiver } = first!;
  const initiative = await client.launch();
  const partner = await client.partner(initiative, 'River Trust');
  const sub = (await client.post('/subscriptions', { url: receiver.url, initiativeId: initiative })).body as { id: string; secret: string; seq: number };
  for (let i = 0; i < 20; i++) await logActivity(client, initiative, partner, `First run ${i}`);
  await receiver.until((r) => r.length >= 20);
  await first!.service.webhooks.drained();
  await first!.service.stop();

  // Forget how far the outbox got, as a rebuilt local state or a second instance would: it enqueues everything again.
  const local = new Database(join(dataDir, 'local.sqlite'));
  t.equal(local.prepare('DELETE FROM webhook_cursors').run().changes, 1);
  local.close();

  const second = await webhookWorld(t, { redis, dataDir });
  for (let i = 0; i < 5; i++) await logActivity(second!.client, initiative, partner, `Second run ${i}`);
  await receiver.until((r) => r.length >= 25, 20_000);
  await second!.service.webhooks.drained();
  await new Promise((r) => setTimeout(r, 1000));
  const all = verified(receiver.received, sub.secret);
  t.equal(all.length, 25, 'each event delivered exactly once: the re-enqueued jobs collapsed into the existing ones');
  t.same(deduplicated(all).map((d) => d.event.seq), await expectedSeqs(second!.service, initiative, sub.seq));
});

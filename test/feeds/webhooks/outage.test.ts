import Database from 'better-sqlite3';
import { join } from 'node:path';
import t from 'tap';
import { Redis } from 'ioredis';
import { startRedis } from '../../helpers/redis.js';
import { admin } from '../../helpers/service.js';
import { openSse } from '../../helpers/sse-client.js';
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
  const url = await service.app.listen({ port: 0, host: '127.0.0.1' });
  const live = await openSse(`${url}/feeds/events?initiative=${initiative}&types=ActivityLogged`, admin);
  t.equal(live.status, 200, 'the live stream opens with Redis down');
  const started = Date.now();
  for (let i = 0; i < 10; i++) await logActivity(client, initiative, partner, `During the outage ${i}`);
  const writing = Date.now() - started;
  t.ok(writing < 5000, `ten writes acknowledged with Redis down (${writing} ms)`);
  await live.until((s) => s.events.length >= 10);
  t.same(live.events.map((e) => (JSON.parse(e.data) as { data: { title: string } }).data.title), Array.from({ length: 10 }, (_, i) => `During the outage ${i}`), 'and streams every write live');
  live.close();
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

t.test('a restart, a rebuilt local state, even lost cursors neither drop nor duplicate a delivery (deterministic job ids)', async (t) => {
  const redis = await startRedis(t);
  if (!redis) return;
  const dataDir = tempDir(t);
  const first = await webhookWorld(t, { redis, dataDir });
  const { client, receiver } = first!;
  const initiative = await client.launch();
  const partner = await client.partner(initiative, 'River Trust');
  const sub = (await client.post('/subscriptions', { url: receiver.url, initiativeId: initiative })).body as { id: string; secret: string; seq: number };
  const restart = async (previous: NonNullable<Awaited<ReturnType<typeof webhookWorld>>>, forget: { local: boolean; queued: boolean }) => {
    await previous.service.webhooks.drained();
    await previous.service.stop();
    if (forget.local) {
      // As a rebuilt local state (or a new instance) would: no cursor of its own.
      const local = new Database(join(dataDir, 'local.sqlite'));
      local.prepare('DELETE FROM webhook_cursors').run();
      local.close();
    }
    if (forget.queued) {
      const r = new Redis(redis.url);
      await r.del(`il:webhooks:cursor:${sub.id}`);
      r.disconnect();
    }
    return (await webhookWorld(t, { redis, dataDir }))!;
  };

  for (let i = 0; i < 10; i++) await logActivity(client, initiative, partner, `First run ${i}`);
  await receiver.until((r) => r.length >= 10);
  const second = await restart(first!, { local: false, queued: false });
  for (let i = 0; i < 5; i++) await logActivity(second.client, initiative, partner, `After a restart ${i}`);
  await receiver.until((r) => r.length >= 15);
  const third = await restart(second, { local: true, queued: false });
  for (let i = 0; i < 5; i++) await logActivity(third.client, initiative, partner, `After a rebuild ${i}`);
  await receiver.until((r) => r.length >= 20);
  // Both cursors lost: the outbox enqueues the whole history again, and every job id collapses into its job.
  const fourth = await restart(third, { local: true, queued: true });
  for (let i = 0; i < 5; i++) await logActivity(fourth.client, initiative, partner, `After losing every cursor ${i}`);
  await receiver.until((r) => r.length >= 25, 20_000);
  await fourth.service.webhooks.drained();
  await new Promise((r) => setTimeout(r, 1000));
  const all = verified(receiver.received, sub.secret);
  t.equal(all.length, 25, 'each event delivered exactly once');
  t.same(deduplicated(all).map((d) => d.event.seq), await expectedSeqs(fourth.service, initiative, sub.seq));
});

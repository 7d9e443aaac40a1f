import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { createService } from '../../src/service.js';
import { startBenchRedis } from './redis-server.js';

export interface WebhookBenchResult {
  subscriptions: number;
  events: number;
  deliveries: number;
  /** Deliveries/s at the receiver, first to last request. */
  deliveriesPerSecond: number;
  /** From the first write to the last delivery, including the writes. */
  endToEndSeconds: number;
  duplicates: number;
  peakRssMiB: number;
  target: { deliveriesPerSecond: number; met: boolean };
}

const ADMIN = 'bench-admin-token-0123456789abcdef0123456789';

/**
 * Webhook deliveries/s to a local receiver (issue 6 §6; target ≥ 2,000/s): `subscriptions` subscriptions of one
 * initiative, `events` activities written through the HTTP API (in-process inject, 50 at a time), every delivery
 * signed and POSTed by the BullMQ worker (concurrency WEBHOOK_CONCURRENCY, default 50) through a private Redis.
 */
export const benchWebhookDeliveries = async (options: { subscriptions?: number; events?: number } = {}): Promise<WebhookBenchResult> => {
  const subscriptions = options.subscriptions ?? 20;
  const events = options.events ?? 2000;
  const redis = process.env.REDIS_URL ? { url: process.env.REDIS_URL, stop: async () => undefined } : await startBenchRedis();
  const receiver = fork(fileURLToPath(new URL('./webhook-receiver.js', import.meta.url)), { stdio: 'inherit' });
  const [{ port }] = (await once(receiver, 'message')) as [{ port: number }];
  const ask = async () => {
    receiver.send('stats');
    const [stats] = (await once(receiver, 'message')) as [{ requests: number; distinct: number; first: number; last: number }];
    return stats;
  };
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-feeds-'));
  const service = await createService(
    loadConfig({ DATA_DIR: dataDir, ADMIN_TOKEN: ADMIN, LOG_LEVEL: 'warn', REDIS_URL: redis.url, ALLOW_INSECURE_WEBHOOKS: '1', RATE_LIMIT_PER_MINUTE: '100000000' }),
    pino({ level: 'warn' }),
  );
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  try {
    const headers = { authorization: `Bearer ${ADMIN}` };
    const post = async (url: string, payload: object) => {
      const res = await service.app.inject({ method: 'POST', url, headers, payload });
      if (res.statusCode !== 201) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
      return res.json() as { id: string };
    };
    const initiative = (await post('/initiatives', { name: 'Bench', problemStatement: 'Deliveries per second.' })).id;
    const partner = (await post(`/initiatives/${initiative}/partners`, { name: 'Partner', sector: 'nonprofit', primaryInterests: ['x'] })).id;
    for (let i = 0; i < subscriptions; i++) await post('/subscriptions', { url: `http://127.0.0.1:${port}/hooks/${i}`, initiativeId: initiative });

    const started = performance.timeOrigin + performance.now();
    console.log(`webhooks: writing ${events} events for ${subscriptions} subscriptions (${events * subscriptions} deliveries) …`);
    for (let i = 0; i < events; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, events - i) }, (_, j) =>
          post(`/initiatives/${initiative}/activities`, { title: `Activity ${i + j}`, kind: 'meeting', date: '2026-02-02', partnerIds: [partner] }),
        ),
      );
    }
    const expected = events * subscriptions;
    let stats = await ask();
    const deadline = Date.now() + 300_000;
    while (stats.distinct < expected && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      stats = await ask();
      process.stdout.write(`\r  delivered ${stats.distinct}/${expected}`);
    }
    process.stdout.write('\n');
    const seconds = (stats.last - stats.first) / 1000;
    const deliveriesPerSecond = Math.round(stats.distinct / seconds);
    return {
      subscriptions,
      events,
      deliveries: stats.distinct,
      deliveriesPerSecond,
      endToEndSeconds: Math.round((stats.last - started) / 10) / 100,
      duplicates: stats.requests - stats.distinct,
      peakRssMiB: Math.round(peakRss / 2 ** 20),
      target: { deliveriesPerSecond: 2000, met: deliveriesPerSecond >= 2000 && stats.distinct === expected },
    };
  } finally {
    clearInterval(sampler);
    await service.stop();
    receiver.send('exit');
    await redis.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
};

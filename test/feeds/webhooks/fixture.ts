import type { Test } from 'tap';
import { Webhook } from 'standardwebhooks';
import { api } from '../../helpers/api.js';
import { startRedis, type PrivateRedis } from '../../helpers/redis.js';
import { admin, startService } from '../../helpers/service.js';
import { startReceiver, type Received, type Responder } from '../../helpers/webhook-receiver.js';

/** Fast retries and loopback endpoints, so delivery tests take seconds. */
export const WEBHOOK_TEST_ENV = { ALLOW_INSECURE_WEBHOOKS: '1', WEBHOOK_RETRY_BASE: '50ms', WEBHOOK_RETRY_MAX: '400ms', WEBHOOK_TIMEOUT_MS: '2000' };

/**
 * A service delivering webhooks through a private Redis to a real receiver, with one initiative and one partner.
 * Undefined when Redis is not installed (the test was marked skipped).
 */
export const webhookWorld = async (t: Test, options: { env?: Record<string, string>; respond?: Responder; redis?: PrivateRedis; dataDir?: string } = {}) => {
  const redis = options.redis ?? (await startRedis(t));
  if (!redis) return undefined;
  const receiver = await startReceiver(t, options.respond);
  const service = await startService(t, { REDIS_URL: redis.url, ...WEBHOOK_TEST_ENV, ...(options.dataDir ? { DATA_DIR: options.dataDir } : {}), ...options.env });
  const client = api(service.app);
  return { redis, receiver, service, client };
};

/** An activity, as an event the feeds carry. */
export const logActivity = (client: ReturnType<typeof api>, initiativeId: string, partnerId: string, title: string) =>
  client.created(`/initiatives/${initiativeId}/activities`, { title, kind: 'meeting', date: '2026-02-02', partnerIds: [partnerId] });

export interface Delivery {
  webhookId: string;
  event: { id: string; seq: number; type: string; source: string; specversion: string; data: unknown; time: string; subject?: string; datacontenttype: string };
  request: Received;
}

/** Verifies every request's Standard Webhooks signature (throws on a bad one) and parses its CloudEvent. */
export const verified = (received: readonly Received[], secret: string): Delivery[] => {
  const webhook = new Webhook(secret);
  return received.map((request) => {
    const event = webhook.verify(request.body, request.headers as Record<string, string>) as Delivery['event'];
    return { webhookId: request.headers['webhook-id'] as string, event, request };
  });
};

/** One delivery per webhook id (what a receiver keeps after dedup), in seq order. */
export const deduplicated = (deliveries: readonly Delivery[]): Delivery[] => {
  const byId = new Map<string, Delivery>();
  for (const d of deliveries) if (!byId.has(d.webhookId)) byId.set(d.webhookId, d);
  return [...byId.values()].sort((a, b) => a.event.seq - b.event.seq);
};

/** The seqs of the store's events of one initiative after `afterSeq` that the feeds carry, via the audit API. */
export const expectedSeqs = async (service: Awaited<ReturnType<typeof startService>>, initiativeId: string, afterSeq: number, types?: string[]): Promise<number[]> => {
  const items: number[] = [];
  let after = afterSeq;
  for (;;) {
    const page = await service.feedReader.after(after, 1000);
    for (const item of page.items) if (item.initiativeId === initiativeId && (!types || types.includes(item.type))) items.push(item.seq);
    if (page.through === after) return items;
    after = page.through;
  }
};

export interface LoggedAttempt {
  webhookId: string;
  seq: number;
  eventId: string;
  attempt: number;
  outcome: string;
  statusCode?: number;
  error?: string;
  latencyMs: number;
  at: string;
  nextRetryAt?: string;
}

/** `GET /subscriptions/:id/deliveries`, polled until `until` holds (the worker logs an attempt after the response). */
export const deliveryLog = async (
  service: Awaited<ReturnType<typeof startService>>,
  subscriptionId: string,
  until: (attempts: LoggedAttempt[]) => boolean = () => true,
  headers: Record<string, string> = { authorization: 'Bearer test-admin-token-0123456789abcdef0123456789' },
): Promise<LoggedAttempt[]> => {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await service.app.inject({ method: 'GET', url: `/subscriptions/${subscriptionId}/deliveries?limit=1000`, headers });
    if (res.statusCode !== 200) throw new Error(`deliveries answered ${res.statusCode}: ${res.body}`);
    const attempts = (res.json() as { deliveries: LoggedAttempt[] }).deliveries;
    if (until(attempts) || Date.now() > deadline) return attempts;
    await new Promise((r) => setTimeout(r, 50));
  }
};

/** `GET /subscriptions/:id`, polled until it says disabled or `timeoutMs` passed (the disable is recorded asynchronously). */
export const untilDisabled = async (world: NonNullable<Awaited<ReturnType<typeof webhookWorld>>>, id: string, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = (await world.service.app.inject({ method: 'GET', url: `/subscriptions/${id}`, headers: admin })).json();
    if (state.status === 'disabled' || Date.now() > deadline) return state as { status: string; disabled: { reason: string; lastSeq: number } };
    await new Promise((r) => setTimeout(r, 50));
  }
};

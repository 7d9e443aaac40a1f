import type Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { CommandHandler } from '../../commands/command-handler.js';
import { RuleViolationError } from '../../domain/decider.js';
import { subscriptionDecider, subscriptionStream } from '../../domain/subscription/decider.js';
import { NotFoundError, UnavailableError } from '../../errors.js';
import type { Actor } from '../../events/envelope.js';
import type { Consumer } from '../../follower/consumer.js';
import type { SecretDeriver } from '../../secrets/server-secret.js';
import type { StoredCheckpoint } from '../../transparency/checkpointer.js';
import { checkpointCloudEvent } from '../cloudevents.js';
import type { FeedReader } from '../feed-reader.js';
import { createDeliverer } from './deliver.js';
import { createDeliveryLog, type DeliveryAttempt } from './delivery-log.js';
import { createDeliveryQueue } from './delivery-queue.js';
import { createDeliveryWorker } from './delivery-worker.js';
import { createOutbox } from './outbox.js';
import { webhookSecretFor } from './signing.js';
import { createSubscriptionRegistry } from './subscription-registry.js';

export interface WebhookSettings {
  disableAfterMs: number;
  allowInsecure: boolean;
  timeoutMs: number;
  concurrency: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

export interface WebhooksLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface WebhooksOptions {
  db: Database.Database;
  reader: FeedReader;
  /** The write pipeline, for the `SubscriptionDisabled` the service records itself (a getter: it is made later). */
  commands: () => CommandHandler;
  deriveSecret: SecretDeriver;
  /** Unset: subscriptions are still recorded and listed, but nothing is delivered (and the API says so). */
  redisUrl?: string | undefined;
  settings: WebhookSettings;
  logger: WebhooksLogger;
  /** Told of every delivery attempt (metrics). */
  onAttempt?(outcome: string, latencyMs: number): void;
  /** The transparency log's signed checkpoints, for subscriptions that ask for them. */
  checkpoints?: {
    /** The newest kept checkpoint of at most `size` leaves. */
    latestWithin(size: number): StoredCheckpoint | undefined;
    /** The log's origin line and the deployment's public URL, for the checkpoint's CloudEvent. */
    origin: string;
    publicUrl: string;
  };
}

/** The actor of what the service records on its own. */
export const SYSTEM_ACTOR: Actor = { keyId: 'system', role: 'system' };

/**
 * Webhooks, assembled (design §8): the subscription registry (a follower consumer), the outbox that turns the log
 * into queued deliveries, and the BullMQ worker that delivers them. Without REDIS_URL only the registry runs.
 */
export const createWebhooks = (options: WebhooksOptions) => {
  const { settings, logger } = options;
  const registry = createSubscriptionRegistry(options.db);
  const secrets = new Map<string, string>();
  /** Derived on demand and kept in memory only (an HMAC per delivery would be work that need not be there). */
  const secretFor = (subscriptionId: string): string => {
    let secret = secrets.get(subscriptionId);
    if (!secret) {
      if (secrets.size >= 100_000) secrets.clear();
      secrets.set(subscriptionId, (secret = webhookSecretFor(options.deriveSecret, subscriptionId)));
    }
    return secret;
  };

  const disable = async (subscriptionId: string, reason: string, lastSeq: number | undefined): Promise<void> => {
    const context = { actor: SYSTEM_ACTOR, correlationId: randomUUID() };
    try {
      await options.commands()({
        decider: subscriptionDecider,
        stream: subscriptionStream(subscriptionId),
        resourceId: subscriptionId,
        command: { type: 'DisableSubscription', subscriptionId, reason, ...(lastSeq !== undefined ? { lastSeq } : {}), context },
        context,
      });
      logger.warn({ subscriptionId, reason, lastSeq }, 'webhook subscription disabled');
    } catch (error) {
      // Another instance (or an operator) got there first.
      if (!(error instanceof RuleViolationError || error instanceof NotFoundError)) throw error;
    }
  };

  if (!options.redisUrl) {
    logger.info({}, 'REDIS_URL is not set: webhook subscriptions are recorded but no deliveries are made');
    return {
      registry,
      consumers: [registry.consumer] as Consumer[],
      secretFor,
      enabled: false as const,
      checkpointSigned() {},
      start() {},
      async stop() {},
      async deliveries(): Promise<DeliveryAttempt[]> {
        throw new UnavailableError('webhook delivery is off: REDIS_URL is not set', 60);
      },
      async stoppedAt(_subscriptionId: string, fallback: number) {
        return fallback;
      },
      async drained() {},
      async ping(): Promise<'off'> {
        return 'off';
      },
      async jobCounts(): Promise<Record<string, number> | undefined> {
        return undefined;
      },
    };
  }

  // Commands fail fast while Redis is down (the outbox retries; the API answers 503) instead of queueing in memory.
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  // BullMQ's worker blocks on its connection and must wait through outages.
  const workerRedis = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  let lastRedisError = 0;
  const onRedisError = (error: Error) => {
    // ioredis reconnects on its own; say so once a minute, not on every retry.
    if (Date.now() - lastRedisError < 60_000) return;
    lastRedisError = Date.now();
    logger.warn({ err: error }, 'Redis unreachable; webhook deliveries wait (writes and SSE are not affected)');
  };
  redis.on('error', onRedisError);
  workerRedis.on('error', onRedisError);

  const log = createDeliveryLog(redis);
  const queue = createDeliveryQueue({ connection: redis, log });
  queue.queue.on('error', onRedisError);
  const { checkpoints } = options;
  const outbox = createOutbox({
    registry,
    reader: options.reader,
    enqueue: (work) => queue.add(work),
    queuedCursor: (s) => queue.cursor(s),
    queuedCheckpointCursor: (s) => queue.checkpointCursor(s),
    ...(checkpoints
      ? {
          checkpointWithin: (size: number) => {
            const checkpoint = checkpoints.latestWithin(size);
            return checkpoint && { size: checkpoint.size, json: JSON.stringify(checkpointCloudEvent(checkpoint, checkpoints.origin, checkpoints.publicUrl)) };
          },
        }
      : {}),
    logger,
  });
  const deliver = createDeliverer({ allowInsecure: settings.allowInsecure, timeoutMs: settings.timeoutMs });
  let worker: ReturnType<typeof createDeliveryWorker> | undefined;

  /** Tells the outbox whenever the follower applied something: there may be deliveries to enqueue. */
  const outboxWake: Consumer = { name: 'webhook-outbox', apply: () => outbox.poke() };

  return {
    registry,
    consumers: [registry.consumer, outboxWake],
    secretFor,
    enabled: true as const,
    /** Told by the checkpointer about each checkpoint it signs: subscriptions that asked for checkpoints get it. */
    checkpointSigned: () => outbox.poke(),
    start(): void {
      outbox.start();
      worker = createDeliveryWorker({
        connection: workerRedis,
        registry,
        log,
        deliver,
        secretFor,
        disable,
        retry: { baseMs: settings.retryBaseMs, maxMs: settings.retryMaxMs, retryAfterCapMs: settings.disableAfterMs },
        disableAfterMs: settings.disableAfterMs,
        concurrency: settings.concurrency,
        onError: onRedisError,
        ...(options.onAttempt ? { onAttempt: options.onAttempt } : {}),
      });
    },
    async stop(): Promise<void> {
      await outbox.stop();
      await worker?.close();
      await queue.close();
      deliver.close();
      redis.disconnect();
      workerRedis.disconnect();
    },
    async deliveries(subscriptionId: string, limit: number): Promise<DeliveryAttempt[]> {
      try {
        return await log.attempts(subscriptionId, limit);
      } catch {
        throw new UnavailableError('the delivery log is unreachable (Redis is down); try again shortly', 5);
      }
    },
    /** Where delivery stopped for a subscription (for a disable by an operator); `fallback` if Redis cannot say. */
    async stoppedAt(subscriptionId: string, fallback: number): Promise<number> {
      return log.stoppedAt(subscriptionId, fallback).catch(() => fallback);
    },
    /** Resolves once every active subscription's deliveries up to the follower's head are enqueued. */
    drained: () => outbox.drained(),
    /** Jobs by state, for /metrics; undefined while Redis does not answer. */
    async jobCounts(): Promise<Record<string, number> | undefined> {
      return queue.queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed').catch(() => undefined);
    },
    async ping(): Promise<'up' | 'down'> {
      return redis.ping().then(
        () => 'up' as const,
        () => 'down' as const,
      );
    },
  };
};
export type Webhooks = ReturnType<typeof createWebhooks>;

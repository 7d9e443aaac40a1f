import type { FastifyInstance } from 'fastify';
import type Database from 'better-sqlite3';
import { join } from 'node:path';
import type { Logger, LoggerOptions } from 'pino';
import { createCommandHandler } from './commands/command-handler.js';
import type { Config } from './config.js';
import { createFollower, type Follower } from './follower/follower.js';
import { createStateCache } from './commands/state-cache.js';
import { createDirectoryConsumer } from './directory/directory-consumer.js';
import { createDirectoryStore } from './directory/directory-store.js';
import { allProjections } from '../projections/index.js';
import { createViews, type Views } from './views/views.js';
import { createFeedReader, type FeedReader } from './feeds/feed-reader.js';
import { createLiveHub, type LiveHub } from './feeds/live-hub.js';
import { createWebhooks, type Webhooks } from './feeds/webhooks/webhooks.js';
import { createSeqIndex, openLocalDatabase } from './follower/local-state.js';
import { loadSigner, originFromPublicUrl } from './transparency/signing-key.js';
import { createTransparency, type Transparency } from './transparency/transparency.js';
import { buildApp, LOG_REDACT_PATHS } from './http/app.js';
import { MAX_READY_LAG } from './http/routes/health.js';
import { resolveAdminToken } from './http/auth/admin-token.js';
import { createAuthenticator } from './http/auth/authenticate.js';
import { createSecretDeriver, loadServerSecret } from './secrets/server-secret.js';
import type { EventStore } from './store/event-store.js';
import { createEventStoreDbStore } from './store/eventstoredb/index.js';
import { createSqliteEventStore, type SqliteEventStore } from './store/sqlite/sqlite-event-store.js';
import { createMetrics } from './metrics/metrics.js';

export interface Service {
  app: FastifyInstance;
  store: EventStore;
  follower: Follower;
  transparency: Transparency;
  views: Views;
  /** The feed from any point of the log (SSE catch-up, the webhook outbox). */
  feedReader: FeedReader;
  /** The live SSE feed: recent items and connected clients. */
  liveHub: LiveHub;
  /** Webhook subscriptions, the outbox and the delivery worker (only the subscriptions without REDIS_URL). */
  webhooks: Webhooks;
  /** Stop accepting, finish in-flight requests, stop the follower (its checkpoint is saved), close stores. */
  stop(): Promise<void>;
}

export const openStore = (config: Pick<Config, 'eventStoreUrl' | 'dataDir'>, logger?: Logger): EventStore =>
  config.eventStoreUrl
    ? createEventStoreDbStore({
        connectionString: config.eventStoreUrl,
        onFollowRetry: (err, attempt, delayMs) => logger?.warn({ err, attempt, delayMs }, 'EventStoreDB subscription lost; resubscribing'),
      })
    : createSqliteEventStore({ file: join(config.dataDir, 'events.sqlite') });

export const pinoOptions = (level: Config['logLevel']): LoggerOptions => ({
  level,
  redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' },
});

/**
 * Assembles the service: store → follower (+ consumers) → HTTP app. `main.ts` adds signals and
 * `listen`; tests call this directly against a temporary DATA_DIR.
 */
export const createService = async (config: Config, logger: Logger): Promise<Service> => {
  const store = openStore(config, logger);
  let localDb: Database.Database | undefined;
  try {
    localDb = openLocalDatabase(join(config.dataDir, 'local.sqlite'));
    const origin = config.logOrigin ?? originFromPublicUrl(config.publicUrl);
    const signing = loadSigner({ dataDir: config.dataDir, signingKey: config.signingKey, origin });
    if (signing.file) logger.info({ file: signing.file }, 'SIGNING_KEY not set: signing checkpoints with the key in this file');
    const seqIndex = createSeqIndex(localDb);
    const liveHub = createLiveHub({ initiativeOf: (event) => directory.initiativeOfEvent(event), origin, publicUrl: config.publicUrl });
    const transparency = createTransparency({
      db: localDb,
      store,
      seqIndex,
      signer: signing.signer,
      origin,
      checkpointEvery: config.checkpointEvery,
      onCheckpoint: (checkpoint) => {
        liveHub.checkpoint(checkpoint);
        webhooks.checkpointSigned();
      },
    });
    const admin = resolveAdminToken(config.dataDir, config.adminToken);
    if (admin.file) logger.info({ file: admin.file }, 'ADMIN_TOKEN not set: using the generated admin key in this file');
    const directory = createDirectoryStore(localDb);
    if (directory.rebuilding) logger.info('the directory gained the issue and revocation times of access keys: replaying the log to it to fill them');
    const authenticate = createAuthenticator({ adminToken: admin.token, keys: directory });
    const directoryConsumer = createDirectoryConsumer(directory, { onKeyChange: () => authenticate.forget() });
    const views = createViews({
      db: localDb,
      store,
      seqIndex,
      projections: allProjections,
      snapshotEvery: config.snapshotEvery,
      logger: logger.child({ component: 'views' }),
    });
    const feedReader = createFeedReader({ store, seqIndex, initiativeOf: (event) => directory.initiativeOfEvent(event), publicUrl: config.publicUrl, head: () => follower.head() });
    const deriveSecret = createSecretDeriver(loadServerSecret(config.dataDir, config.serverSecret));
    const metrics = createMetrics({
      followerHead: () => follower.head(),
      treeSize: () => transparency.size(),
      latestCheckpointSize: () => transparency.checkpointer.latest()?.size,
      ...('stats' in store ? { storeStats: () => (store as SqliteEventStore).stats() } : {}),
      sseClients: () => liveHub.clients(),
      webhookQueue: () => webhooks.jobCounts(),
    });
    const webhooks = createWebhooks({
      onAttempt: (outcome, latencyMs) => metrics.attempt(outcome, latencyMs / 1000),
      db: localDb,
      // Read only what the directory has applied: an event's initiative may come from its stream's first event.
      reader: createFeedReader({ store, seqIndex, initiativeOf: (event) => directory.initiativeOfEvent(event), publicUrl: config.publicUrl, head: () => directory.seq() }),
      commands: () => commands,
      deriveSecret,
      redisUrl: config.redisUrl,
      settings: config.webhooks,
      logger: logger.child({ component: 'webhooks' }),
      checkpoints: { latestWithin: (size) => transparency.checkpointer.latestWithin(size), origin, publicUrl: config.publicUrl },
    });
    const states = createStateCache();
    const follower = createFollower({
      store,
      localDb,
      consumers: [transparency.consumer, directoryConsumer, views.consumer, liveHub.consumer, ...webhooks.consumers, states.consumer],
      logger: logger.child({ component: 'follower' }),
    });
    liveHub.startAfter(follower.head());
    await follower.start();
    transparency.checkpointer.start();

    const commands = createCommandHandler({ store, follower, receipts: directory, applyTimeoutMs: config.applyTimeoutMs, states });
    const app = await buildApp(
      { commands, transparency, views, seqIndex, authenticate, directory, deriveSecret, webhooks, allowInsecureWebhooks: config.webhooks.allowInsecure, followerHead: follower.head,
        followerLag: async () => {
          const head = follower.head();
          const position = head >= 0 ? seqIndex.get(head)?.position : undefined;
          return (await store.readAll({ ...(position ? { after: position } : {}), maxCount: MAX_READY_LAG })).length;
        },
        redisStatus: () => webhooks.ping(), metrics, liveHub, feedReader, sse: config.sse },
      { logger, bodyLimitBytes: config.bodyLimitBytes, rateLimitPerMinute: config.rateLimitPerMinute, publicUrl: config.publicUrl },
    );
    webhooks.start();
    const db = localDb;
    let stopping: Promise<void> | undefined;
    return {
      app,
      store,
      follower,
      transparency,
      views,
      feedReader,
      liveHub,
      webhooks,
      stop() {
        // Idempotent: a second caller (a signal during shutdown, a test teardown) waits for the first stop.
        stopping ??= (async () => {
          await app.close();
          transparency.checkpointer.stop();
          await follower.stop();
          await webhooks.stop();
          views.snapshotNow();
          await store.close();
          db.close();
        })();
        return stopping;
      },
    };
  } catch (error) {
    localDb?.close();
    await store.close();
    throw error;
  }
};

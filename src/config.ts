import { z } from 'zod';

/** `24h`, `90s`, `1500ms`, `5m` → milliseconds. */
const durationSchema = z
  .string()
  .regex(/^[0-9]{1,9}(ms|s|m|h)$/, 'must be a duration such as 24h, 30m, 90s or 1500ms')
  .transform((text) => {
    const [, amount, unit] = /^([0-9]+)(ms|s|m|h)$/.exec(text)!;
    return Number(amount) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'];
  });

const optional = <S extends z.ZodType>(schema: S) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

/** Environment of design §9, validated once at start. */
const configSchema = z
  .object({
    PORT: z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATA_DIR: z.string().min(1).default('./data'),
    ADMIN_TOKEN: optional(z.string().min(32, 'must be at least 32 characters').max(512)),
    EVENTSTORE_URL: optional(z.string().regex(/^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover):\/\//, 'must be an esdb:// connection string')),
    REDIS_URL: optional(z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' })),
    PUBLIC_URL: optional(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })),
    SERVER_SECRET: optional(z.string().min(32, 'must be at least 32 characters').max(512)),
    SIGNING_KEY: optional(z.string().startsWith('PRIVATE+KEY+', 'must be a signed-note signer key (PRIVATE+KEY+…)')),
    LOG_ORIGIN: optional(z.string().regex(/^[^\s+]+$/, 'must have no spaces and no "+"').max(200)),
    CHECKPOINT_EVERY: z
      .string()
      .regex(/^[1-9][0-9]{0,8}(s)?$/, 'must be a number of events (1000) or of seconds (30s)')
      .default('1000'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Upper bound of a write's wait for the local follower before the receipt is returned (design §4). */
    APPLY_TIMEOUT_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int().min(0).max(2000).default(2000),
    BODY_LIMIT_BYTES: z.coerce.number({ error: 'must be a number of bytes' }).int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
    /** A snapshot of every projection is saved each time this many events were applied (bounds `asOf` replays). */
    SNAPSHOT_EVERY: z.coerce.number({ error: 'must be a number of events' }).int().min(10).max(10_000_000).default(5000),
    /** Requests per minute per access key (per client IP for requests without a valid key); 429 above it. */
    RATE_LIMIT_PER_MINUTE: z.coerce.number({ error: 'must be a number of requests' }).int().min(1).max(1_000_000_000).default(6000),
    /** `GET /feeds/events`: a heartbeat comment this often; a client may queue this many unsent bytes, for at most this long. */
    SSE_HEARTBEAT_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int().min(100).max(600_000).default(15_000),
    SSE_MAX_BUFFER_BYTES: z.coerce.number({ error: 'must be a number of bytes' }).int().min(16 * 1024).max(64 * 1024 * 1024).default(256 * 1024),
    SSE_SLOW_CLIENT_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int().min(100).max(600_000).default(10_000),
    /** An endpoint failing this long (no success in between) is disabled by a `SubscriptionDisabled` event. */
    WEBHOOK_DISABLE_AFTER: durationSchema.prefault('24h'),
    /** `1`: webhook URLs may be `http:` to a loopback address (tests, local development); never in production. */
    ALLOW_INSECURE_WEBHOOKS: z.enum(['0', '1'], { error: 'must be 0 or 1' }).default('0'),
    WEBHOOK_TIMEOUT_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int().min(100).max(120_000).default(10_000),
    WEBHOOK_CONCURRENCY: z.coerce.number({ error: 'must be a number' }).int().min(1).max(1000).default(50),
    /** First retry delay; each retry doubles it (with jitter) up to WEBHOOK_RETRY_MAX. */
    WEBHOOK_RETRY_BASE: durationSchema.prefault('1s'),
    WEBHOOK_RETRY_MAX: durationSchema.prefault('1h'),
  })
  .transform((env) => ({
    port: env.PORT,
    host: env.HOST,
    dataDir: env.DATA_DIR,
    adminToken: env.ADMIN_TOKEN,
    eventStoreUrl: env.EVENTSTORE_URL,
    redisUrl: env.REDIS_URL,
    publicUrl: (env.PUBLIC_URL ?? `http://${env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST}:${env.PORT}`).replace(/\/$/, ''),
    signingKey: env.SIGNING_KEY,
    serverSecret: env.SERVER_SECRET,
    logOrigin: env.LOG_ORIGIN,
    /** A checkpoint is signed when the tree grew by `events` leaves, or every `seconds` when it grew at all. */
    checkpointEvery: env.CHECKPOINT_EVERY.endsWith('s')
      ? { events: Number.MAX_SAFE_INTEGER, seconds: Number(env.CHECKPOINT_EVERY.slice(0, -1)) }
      : { events: Number(env.CHECKPOINT_EVERY), seconds: 60 },
    logLevel: env.LOG_LEVEL,
    applyTimeoutMs: env.APPLY_TIMEOUT_MS,
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
    snapshotEvery: env.SNAPSHOT_EVERY,
    sse: { heartbeatMs: env.SSE_HEARTBEAT_MS, maxBufferBytes: env.SSE_MAX_BUFFER_BYTES, slowClientMs: env.SSE_SLOW_CLIENT_MS },
    webhooks: {
      disableAfterMs: env.WEBHOOK_DISABLE_AFTER,
      allowInsecure: env.ALLOW_INSECURE_WEBHOOKS === '1',
      timeoutMs: env.WEBHOOK_TIMEOUT_MS,
      concurrency: env.WEBHOOK_CONCURRENCY,
      retryBaseMs: env.WEBHOOK_RETRY_BASE,
      retryMaxMs: env.WEBHOOK_RETRY_MAX,
    },
  }));

export type Config = z.output<typeof configSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses the environment; a bad value throws one line naming every offending variable. */
export const loadConfig = (env: NodeJS.ProcessEnv = process.env): Config => {
  const result = configSchema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
};

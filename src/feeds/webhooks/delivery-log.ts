import type { Redis, Result } from 'ioredis';

/** One attempt at delivering one event to one subscription, as its owner reads it. */
export interface DeliveryAttempt {
  webhookId: string;
  seq: number;
  eventId: string;
  attempt: number;
  at: string;
  /** delivered (2xx) · failed (will be retried) · rejected (4xx: not retried) · gone (410: disabled) · abandoned (disabled meanwhile) */
  outcome: 'delivered' | 'failed' | 'rejected' | 'gone' | 'abandoned';
  statusCode?: number;
  error?: string;
  latencyMs: number;
  nextRetryAt?: string;
}

const KEEP_ATTEMPTS = 1000;

/**
 * What the delivery workers know and every instance shares, in Redis beside the queue (`il:webhooks:*`):
 * - `log:<sub>`: the latest attempts, newest first (bounded), for `GET /subscriptions/:id/deliveries`;
 * - `outstanding:<sub>`: seqs enqueued and not yet settled (delivered or refused by the endpoint). Its lowest
 *   member is where delivery stopped, which a disable records so that enabling again catches up from there;
 * - `failing-since:<sub>`: per epoch (each enable starts one), when the endpoint started failing (cleared by any
 *   success), for WEBHOOK_DISABLE_AFTER. Per epoch, so that an endpoint enabled again starts with a clean slate: the
 *   mark of the failures that disabled it would otherwise disable it again at its first failed retry;
 * - `cursor:<sub>`: per epoch, how far any instance enqueued: events through a seq (field `<epoch>`) and signed
 *   checkpoints up to a tree size (field `<epoch>:checkpoint`), so a new or rebuilt instance resumes there.
 */
/** LPUSH + LTRIM the attempt; ZREM its seq when settled; DEL the failing marks on success. */
const RECORD_ATTEMPT = `
redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[5]) - 1)
if ARGV[3] == '1' then redis.call('ZREM', KEYS[2], ARGV[2]) end
if ARGV[4] == '1' then redis.call('DEL', KEYS[3]) end
return 1`;

/** HSET field to the larger of its value and ARGV[2]. */
const RAISE_CURSOR = `
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '-1')
if tonumber(ARGV[2]) > current then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 1`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    raiseCursor(key: string, field: string, value: number): Result<number, Context>;
    recordAttempt(log: string, outstanding: string, failing: string, attempt: string, seq: string, settled: number, succeeded: number, keep: number): Result<number, Context>;
  }
}

/** The field of `cursor:<sub>` that holds an epoch's checkpoint cursor (its event cursor is the field `<epoch>`). */
const checkpointField = (epoch: number) => `${epoch}:checkpoint`;

export const createDeliveryLog = (redis: Redis, prefix = 'il:webhooks:') => {
  if (typeof (redis as { recordAttempt?: unknown }).recordAttempt !== 'function') {
    redis.defineCommand('recordAttempt', { numberOfKeys: 3, lua: RECORD_ATTEMPT });
    redis.defineCommand('raiseCursor', { numberOfKeys: 1, lua: RAISE_CURSOR });
  }
  const key = (kind: string, subscriptionId: string) => `${prefix}${kind}:${subscriptionId}`;

  return {
    /** Before the jobs are added: a crash in between leaves a seq outstanding (redelivered), never one lost. */
    async outstanding(bySubscription: ReadonlyMap<string, readonly number[]>): Promise<void> {
      if (bySubscription.size === 0) return;
      const pipeline = redis.pipeline();
      for (const [subscriptionId, seqs] of bySubscription) {
        pipeline.zadd(key('outstanding', subscriptionId), ...seqs.flatMap((seq) => [seq, String(seq)]));
      }
      const results = await pipeline.exec();
      const failed = results?.find(([error]) => error);
      if (failed) throw failed[0];
    },

    /**
     * Logs an attempt and, for a settled one, takes its seq off the outstanding set: one round trip, one script.
     * `outstanding: false` for what was never marked outstanding (a checkpoint: its seq is that of the last event it
     * covers, which may itself still be outstanding).
     */
    async record(subscriptionId: string, attempt: DeliveryAttempt, options: { outstanding: boolean } = { outstanding: true }): Promise<void> {
      const settled = options.outstanding && (attempt.outcome === 'delivered' || attempt.outcome === 'rejected') ? 1 : 0;
      const succeeded = attempt.outcome === 'delivered' ? 1 : 0;
      await redis.recordAttempt(key('log', subscriptionId), key('outstanding', subscriptionId), key('failing-since', subscriptionId), JSON.stringify(attempt), String(attempt.seq), settled, succeeded, KEEP_ATTEMPTS);
    },

    /**
     * Marks the endpoint failing in this epoch from `at` unless it already was; resolves with since when it has been
     * failing in this epoch.
     */
    async failingSince(subscriptionId: string, epoch: number, at: Date): Promise<number> {
      const k = key('failing-since', subscriptionId);
      await redis.hsetnx(k, String(epoch), String(at.getTime()));
      return Number((await redis.hget(k, String(epoch))) ?? at.getTime());
    },

    /** The last seq such that every enqueued seq up to it was settled, or `fallback` when nothing is outstanding. */
    async stoppedAt(subscriptionId: string, fallback: number): Promise<number> {
      const [lowest] = await redis.zrange(key('outstanding', subscriptionId), 0, 0);
      return lowest === undefined ? fallback : Number(lowest) - 1;
    },

    async attempts(subscriptionId: string, limit: number): Promise<DeliveryAttempt[]> {
      const items = await redis.lrange(key('log', subscriptionId), 0, limit - 1);
      return items.map((item) => JSON.parse(item) as DeliveryAttempt);
    },

    /**
     * Raises each (subscription, epoch)'s enqueue cursors — events through a seq, checkpoints up to a tree size —
     * never lowering them: instances may lag.
     */
    async saveCursors(
      cursors: ReadonlyArray<{ subscriptionId: string; epoch: number; through: number }>,
      checkpointCursors: ReadonlyArray<{ subscriptionId: string; epoch: number; size: number }> = [],
    ): Promise<void> {
      if (cursors.length === 0 && checkpointCursors.length === 0) return;
      const pipeline = redis.pipeline();
      for (const { subscriptionId, epoch, through } of cursors) pipeline.raiseCursor(key('cursor', subscriptionId), String(epoch), through);
      for (const { subscriptionId, epoch, size } of checkpointCursors) pipeline.raiseCursor(key('cursor', subscriptionId), checkpointField(epoch), size);
      const results = await pipeline.exec();
      const failed = results?.find(([error]) => error);
      if (failed) throw failed[0];
    },

    async cursor(subscriptionId: string, epoch: number): Promise<number | undefined> {
      const value = await redis.hget(key('cursor', subscriptionId), String(epoch));
      return value === null ? undefined : Number(value);
    },

    /** The largest checkpoint any instance enqueued for this (subscription, epoch), if Redis knows it. */
    async checkpointCursor(subscriptionId: string, epoch: number): Promise<number | undefined> {
      const value = await redis.hget(key('cursor', subscriptionId), checkpointField(epoch));
      return value === null ? undefined : Number(value);
    },

    /** A removed subscription leaves nothing behind (`failing`: the mark's key before it was kept per epoch). */
    async forget(subscriptionId: string): Promise<void> {
      await redis.del(key('log', subscriptionId), key('outstanding', subscriptionId), key('failing-since', subscriptionId), key('failing', subscriptionId), key('cursor', subscriptionId));
    },
  };
};
export type DeliveryLog = ReturnType<typeof createDeliveryLog>;

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { UnavailableError } from '../../errors.js';
import { problemSchema } from '../problem.js';

export interface HealthDeps {
  /** The follower's highest applied seq (-1 before the first event). */
  followerHead: () => number;
  /** How many events the store holds that the follower has not applied yet (bounded count); throws if the store is unreachable. */
  followerLag?: () => Promise<number>;
  /** Redis, for webhook delivery: `off` without REDIS_URL. */
  redisStatus?: () => Promise<'up' | 'down' | 'off'>;
}

/** A follower further behind than this is not ready to answer reads that must include recent writes. */
export const MAX_READY_LAG = 10_000;

export const healthRoutes =
  (deps: HealthDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/health',
      {
        schema: {
          operationId: 'health',
          tags: ['operations'],
          summary: 'Liveness: the process serves requests',
          response: { 200: z.object({ status: z.literal('ok'), seq: z.number().int() }) },
        },
      },
      async () => ({ status: 'ok' as const, seq: deps.followerHead() }),
    );

    const readiness = z
      .object({
        status: z.literal('ready'),
        seq: z.number().int(),
        store: z.literal('ok'),
        followerLag: z.number().int().describe(`events the follower has still to apply (fewer than ${MAX_READY_LAG})`),
        redis: z.enum(['up', 'down', 'off']).describe('webhook delivery only: writes and the live stream never need Redis'),
      })
      .meta({ id: 'Readiness' });

    app.get(
      '/ready',
      {
        schema: {
          operationId: 'ready',
          tags: ['operations'],
          summary: 'Readiness: the store answers and the follower is caught up (503 problem+json otherwise); Redis is reported, never required',
          response: { 200: readiness, 503: problemSchema },
        },
      },
      async (_request, reply) => {
        const lag = await (deps.followerLag?.() ?? Promise.resolve(0)).then(
          (n) => n,
          () => null,
        );
        if (lag === null) throw new UnavailableError('not ready: the event store is unreachable', 5);
        if (lag >= MAX_READY_LAG) throw new UnavailableError(`not ready: the follower is at least ${lag} events behind the store`, 5);
        const redis = (await deps.redisStatus?.()) ?? 'off';
        return reply.send({ status: 'ready' as const, seq: deps.followerHead(), store: 'ok' as const, followerLag: lag, redis });
      },
    );
  };

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

export interface HealthDeps {
  /** The follower's highest applied seq (-1 before the first event). */
  followerHead: () => number;
}

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
  };

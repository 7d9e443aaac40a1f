import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Metrics } from '../../metrics/metrics.js';
import { problemSchema } from '../problem.js';

export interface MetricsRouteDeps {
  metrics: Pick<Metrics, 'text' | 'contentType'>;
}

/** `GET /metrics`: Prometheus text exposition, for admin keys (Prometheus sends one as `authorization: Bearer`). */
export const metricsRoutes =
  (deps: MetricsRouteDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/metrics',
      {
        schema: {
          operationId: 'metrics',
          tags: ['operations'],
          summary: 'Prometheus metrics: HTTP, follower, store, transparency log, live feed, webhooks, process',
          security: [{ bearer: [] }],
          response: {
            200: { description: 'Prometheus text format 0.0.4', content: { 'text/plain': { schema: z.string() } } },
            401: problemSchema,
            403: problemSchema,
          },
        },
        onRequest: app.authorize(['admin']),
      },
      async (_request, reply) => reply.type(deps.metrics.contentType).send(await deps.metrics.text()),
    );
  };

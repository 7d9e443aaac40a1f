import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Metrics } from '../../metrics/metrics.js';
import { ForbiddenError } from '../../errors.js';
import { problemSchema } from '../problem.js';

export interface MetricsRouteDeps {
  metrics: Pick<Metrics, 'text' | 'contentType'>;
}

/**
 * `GET /metrics`: Prometheus text exposition (Prometheus sends a key as `authorization: Bearer`), for admin keys and
 * deployment-wide auditors (who read everything, design §7). The figures are the deployment's, all initiatives
 * together, so a key scoped to one initiative does not read them.
 */
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
        onRequest: app.authorize(['admin', 'auditor']),
      },
      async (request, reply) => {
        if (request.actor?.initiativeId !== undefined) throw new ForbiddenError('the metrics are the whole deployment\'s: a key scoped to one initiative does not read them');
        return reply.type(deps.metrics.contentType).send(await deps.metrics.text());
      },
    );
  };

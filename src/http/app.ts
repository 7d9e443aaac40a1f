import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { compiledSchema, requiredErrorMap } from '../events/field-errors.js';
import type { CommandHandler } from '../commands/command-handler.js';
import type { Actor, Role } from '../events/envelope.js';
import type { Transparency } from '../transparency/transparency.js';
import { requireRole, type Authenticator } from './auth/authenticate.js';
import type { DirectoryStore } from '../directory/directory-store.js';
import type { SecretDeriver } from '../secrets/server-secret.js';
import { accessKeyRoutes } from './routes/access-keys.js';
import { frameworkErrors, registerProblemHandlers } from './problem.js';
import { registerOpenApi } from './openapi.js';
import { registerRateLimit } from './rate-limit.js';
import { auditRoutes } from './routes/audit.js';
import { allProjections } from '../../projections/index.js';
import { viewRoutes, type ViewRouteDeps } from './routes/views.js';
import { resourceReadRoutes } from './routes/resource-reads.js';
import { healthRoutes, type HealthDeps } from './routes/health.js';
import { initiativeRoutes } from './routes/initiatives.js';
import { measurementRoutes } from './routes/measurement.js';
import { resourceRoutes } from './routes/resources.js';
import { governanceRoutes } from './routes/governance.js';
import { feedRoutes, type FeedRouteDeps } from './routes/feeds.js';
import { subscriptionRoutes } from './routes/subscriptions.js';
import { metricsRoutes, type MetricsRouteDeps } from './routes/metrics.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Webhooks } from '../feeds/webhooks/webhooks.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
}

// A missing field reads "is required" in every validation error, not "expected string, received undefined".
z.config({ customError: requiredErrorMap });

export interface AppDeps extends HealthDeps, ViewRouteDeps, FeedRouteDeps, MetricsRouteDeps {
  commands: CommandHandler;
  transparency: Transparency;
  authenticate: Authenticator;
  directory: DirectoryStore;
  deriveSecret: SecretDeriver;
  webhooks: Webhooks;
  allowInsecureWebhooks: boolean;
  metrics: Pick<Metrics, 'text' | 'contentType' | 'request'>;
}

export interface AppOptions {
  /** The service's pino logger (request logs become its children); omit for a silent app. */
  logger?: FastifyBaseLogger;
  bodyLimitBytes: number;
  /** Requests per minute per access key (per IP without a valid key); 429 above it. */
  rateLimitPerMinute: number;
  publicUrl: string;
}

/** Redacted wherever pino meets a request: keys and secrets never reach the logs. */
export const LOG_REDACT_PATHS = ['*.headers.authorization', '*.headers.cookie', 'req.headers["idempotency-key"]', '*.key', '*.secret', '*.token'];

/**
 * The HTTP app as one unit tests can build, `inject` into and close (fastify/demo style). It takes
 * narrow dependencies; nothing below src/http/ sees Fastify.
 */
export const buildApp = async (deps: AppDeps, options: AppOptions): Promise<FastifyInstance> => {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: options.bodyLimitBytes,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    ajv: { customOptions: { coerceTypes: false } },
    frameworkErrors,
  });
  // Request schemas are validated by zod's compiled clones (same answers and errors, several times faster).
  app.setValidatorCompiler(({ schema, ...route }) =>
    // (Every route's schemas are zod's; a plain JSON schema would reach the provider as before, and fail there.)
    validatorCompiler({ ...route, schema: schema instanceof z.ZodType ? compiledSchema(schema) : (schema as z.ZodType) }),
  );
  app.setSerializerCompiler(serializerCompiler);
  registerProblemHandlers(app);
  // While shutting down, answer in-flight requests with `connection: close`: a keep-alive client would otherwise
  // hold its socket open past the response, and close() would wait for it until the keep-alive timeout.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.request(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });

  const { authenticate } = deps;
  app.decorateRequest('actor', null);
  /**
   * onRequest hook factory: authenticates the bearer key and checks its role. The hook carries its `roles`, so the
   * OpenAPI document states each operation's roles from the very list that enforces them (openapi.ts).
   */
  app.decorate('authorize', (roles: readonly Role[]) =>
    Object.assign(
      async (request: { headers: { authorization?: string }; actor: Actor | null }) => {
        const actor = authenticate(request.headers.authorization);
        requireRole(actor, roles);
        request.actor = actor;
      },
      { roles },
    ),
  );

  await registerRateLimit(app, { authenticate, perMinute: options.rateLimitPerMinute });
  await registerOpenApi(app, options);

  const typed = app.withTypeProvider<ZodTypeProvider>();
  await typed.register(healthRoutes(deps));
  await typed.register(initiativeRoutes(deps));
  await typed.register(measurementRoutes(deps));
  await typed.register(resourceRoutes(deps));
  await typed.register(governanceRoutes(deps));
  await typed.register(accessKeyRoutes({ ...deps, keys: deps.directory }));
  await typed.register(auditRoutes({ ...deps, projections: allProjections, initiativeOfEvent: (event) => deps.directory.initiativeOfEvent(event) }));
  await typed.register(viewRoutes(deps));
  await typed.register(resourceReadRoutes(deps));
  await typed.register(feedRoutes(deps));
  await typed.register(subscriptionRoutes(deps));
  await typed.register(metricsRoutes(deps));
  return app;
};

declare module 'fastify' {
  interface FastifyInstance {
    authorize(roles: readonly Role[]): ((request: FastifyRequest) => Promise<void>) & { readonly roles: readonly Role[] };
  }
}

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { newResourceId } from '../../commands/derived-ids.js';
import { subscriptionDecider, subscriptionStream } from '../../domain/subscription/decider.js';
import { ForbiddenError, NotFoundError } from '../../errors.js';
import { idSchema, reasonSchema, uniqueArray } from '../../events/common.js';
import type { Actor, Role } from '../../events/envelope.js';
import { canonicalFilterName, CHECKPOINT_TYPE, EVERY_TYPE } from '../../feeds/feed-item.js';
import type { Subscription } from '../../feeds/webhooks/subscription-registry.js';
import type { Webhooks } from '../../feeds/webhooks/webhooks.js';
import { refusedUrl } from '../../feeds/webhooks/url-guard.js';
import { readsEveryInitiative, requireInitiative } from '../auth/authenticate.js';
import { problemSchema } from '../problem.js';
import { idParams, writeRoute, type WriteDeps } from './command-route.js';

export interface SubscriptionRouteDeps extends WriteDeps {
  webhooks: Pick<Webhooks, 'registry' | 'secretFor' | 'deliveries' | 'stoppedAt' | 'enabled'>;
  allowInsecureWebhooks: boolean;
}

const MANAGE: readonly Role[] = ['admin', 'backbone', 'partner'];
const READ: readonly Role[] = ['admin', 'backbone', 'partner', 'auditor'];

/** Whether a key may see a subscription: its initiative, and for a partner key only its own partner's. */
const visibleTo = (actor: Actor, subscription: Subscription): boolean => {
  if (readsEveryInitiative(actor)) return true;
  if (actor.initiativeId !== subscription.initiativeId) return false;
  return actor.role !== 'partner' || subscription.partnerId === actor.partnerId;
};

const subscriptionSchema = z
  .object({
    id: z.uuid(),
    initiativeId: z.uuid(),
    partnerId: z.uuid().nullable(),
    url: z.string(),
    types: z.array(z.string()).describe(`event types delivered (empty or \`${EVERY_TYPE}\` = every type), and \`${CHECKPOINT_TYPE}\` when signed checkpoints are delivered`),
    status: z.enum(['active', 'disabled']),
    createdAt: z.string(),
    createdSeq: z.number().int().describe('events after this seq are delivered'),
    disabled: z.object({ seq: z.number().int(), reason: z.string(), lastSeq: z.number().int().nullable() }).nullable(),
  })
  .meta({ id: 'Subscription' });

const view = (s: Subscription) => ({
  id: s.id,
  initiativeId: s.initiativeId,
  partnerId: s.partnerId,
  url: s.url,
  types: s.types,
  status: s.status as 'active' | 'disabled',
  createdAt: s.createdAt,
  createdSeq: s.createdSeq,
  disabled: s.status === 'disabled' ? s.disabled : null,
});

const attemptSchema = z
  .object({
    webhookId: z.string().describe('the `webhook-id` header: the same on every retry of one event (or checkpoint)'),
    seq: z.number().int().describe('the event’s seq; for a signed checkpoint, the last seq it covers (tree size − 1)'),
    eventId: z.string().describe('the CloudEvent `id`: the event’s id, or `checkpoint-<tree size>` for a signed checkpoint'),
    attempt: z.number().int(),
    at: z.string(),
    outcome: z.enum(['delivered', 'failed', 'rejected', 'gone', 'abandoned']),
    statusCode: z.number().int().optional(),
    error: z.string().optional(),
    latencyMs: z.number(),
    nextRetryAt: z.string().optional().describe('when a failed attempt will be retried'),
  })
  .meta({ id: 'DeliveryAttempt' });

const readErrors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema, 503: problemSchema };

/**
 * Webhook subscriptions (design §8): created, disabled, enabled and removed as events through the one write
 * pipeline; the signing secret is derived, shown in the 201 of the creation (and of its idempotent retry) and never
 * recorded. Reads come from the local subscription registry and, for deliveries, from the shared delivery log.
 */
export const subscriptionRoutes =
  (deps: SubscriptionRouteDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const { registry } = deps.webhooks;
    const policy = { allowInsecure: deps.allowInsecureWebhooks };
    /** A subscription the key may see: 404 if there is none, 403 outside its initiative or, for a partner, not its own. */
    const visible = (actor: Actor | null, id: string): Subscription => {
      const subscription = registry.get(id);
      if (!actor || !subscription || subscription.status === 'removed') throw new NotFoundError(`no subscription ${id}`);
      requireInitiative(actor, subscription.initiativeId);
      if (!visibleTo(actor, subscription)) throw new ForbiddenError('a partner key sees only its own partner’s subscriptions');
      return subscription;
    };

    const createBody = z
      .strictObject({
        url: z.string().max(2048).superRefine((url, ctx) => {
          const refused = refusedUrl(url, policy);
          if (refused) ctx.addIssue({ code: 'custom', message: refused });
        }).describe(deps.allowInsecureWebhooks ? 'https: (or http: to loopback: ALLOW_INSECURE_WEBHOOKS=1)' : 'an https: URL of a public host'),
        initiativeId: idSchema,
        types: uniqueArray(
          z
            .string()
            .max(64)
            .refine(
              (type) => canonicalFilterName(type) !== undefined,
              `must be an event type the feeds carry — its catalog name (ReadingRecorded) or CloudEvents type (org.impact-ledger.reading.recorded) —, "${EVERY_TYPE}" or "${CHECKPOINT_TYPE}"`,
            ),
          { max: 100 },
        )
          .optional()
          .describe(
            `event types to deliver; omitted, empty or \`${EVERY_TYPE}\` = every type. \`${CHECKPOINT_TYPE}\` adds the transparency log's signed checkpoints ` +
              `(CloudEvents type org.impact-ledger.checkpoint.signed, sent once the events a checkpoint covers are queued; a subscriber that fell behind gets the newest one, not each in between): ` +
              `\`["${CHECKPOINT_TYPE}"]\` delivers checkpoints only, \`["${EVERY_TYPE}", "${CHECKPOINT_TYPE}"]\` every event and checkpoints`,
          ),
        partnerId: idSchema.optional().describe('the owning partner; a partner key always owns its subscriptions'),
      })
      .meta({ id: 'CreateSubscription' });

    writeRoute(app, deps, {
      method: 'POST',
      url: '/subscriptions',
      operationId: 'createSubscription',
      summary: 'Subscribe an HTTPS endpoint to an initiative’s events (the signing secret is shown once)',
      tags: ['feeds'],
      roles: MANAGE,
      params: z.strictObject({}),
      body: createBody,
      extraResponse: z.object({ secret: z.string().describe('the Standard Webhooks signing secret (whsec_…); shown once, never again') }),
      handle: async ({ body }, { context, facts }) => {
        requireInitiative(context.actor, body.initiativeId);
        const subscriptionId = newResourceId(context);
        const partnerId = body.partnerId ?? (context.actor.role === 'partner' ? context.actor.partnerId : undefined);
        return {
          decider: subscriptionDecider,
          stream: subscriptionStream(subscriptionId),
          resourceId: subscriptionId,
          command: {
            type: 'CreateSubscription',
            subscriptionId,
            initiativeId: body.initiativeId,
            url: body.url,
            // Recorded by catalog name, whichever name the client used (one type named both ways is one type).
            types: [...new Set((body.types ?? []).map((type) => canonicalFilterName(type)!))],
            ...(partnerId ? { partnerId } : {}),
            context: { actor: context.actor, initiative: await facts(body.initiativeId) },
          },
          context,
          location: `/subscriptions/${subscriptionId}`,
          extra: (receipt) => ({ secret: deps.webhooks.secretFor(receipt.id) }),
        };
      },
    });

    const change = (url: string, operationId: string, summary: string, type: 'EnableSubscription' | 'DisableSubscription' | 'RemoveSubscription') =>
      writeRoute(app, deps, {
        method: type === 'RemoveSubscription' ? 'DELETE' : 'POST',
        url,
        operationId,
        summary,
        tags: ['feeds'],
        roles: MANAGE,
        params: idParams,
        body: z.strictObject({ reason: reasonSchema.optional() }).nullish(),
        handle: async ({ params, body }, { context, facts }) => {
          const subscription = visible(context.actor, params.id);
          const reason = body?.reason;
          const common = { subscriptionId: params.id, context: { actor: context.actor } };
          if (type === 'EnableSubscription') {
            const enable = { type, ...common, context: { actor: context.actor, initiative: await facts(subscription.initiativeId) }, ...(reason ? { reason } : {}) };
            return { decider: subscriptionDecider, stream: subscriptionStream(params.id), resourceId: params.id, command: enable, context };
          }
          const command =
            type === 'DisableSubscription'
              ? {
                  type,
                  ...common,
                  reason: reason ?? 'disabled by an operator',
                  lastSeq: await deps.webhooks.stoppedAt(params.id, registry.cursor(subscription) ?? subscription.resumeAfter),
                }
              : { type, ...common, ...(reason ? { reason } : {}) };
          return { decider: subscriptionDecider, stream: subscriptionStream(params.id), resourceId: params.id, command, context };
        },
      });
    change('/subscriptions/:id/enable', 'enableSubscription', 'Enable a disabled subscription: delivery catches up from where it stopped', 'EnableSubscription');
    change('/subscriptions/:id/disable', 'disableSubscription', 'Disable a subscription (nothing is delivered until it is enabled)', 'DisableSubscription');
    change('/subscriptions/:id', 'removeSubscription', 'Remove a subscription', 'RemoveSubscription');

    app.get(
      '/subscriptions',
      {
        schema: {
          operationId: 'listSubscriptions',
          tags: ['feeds'],
          summary: 'The subscriptions this key may see (a partner key: its own)',
          security: [{ bearer: [] }],
          querystring: z.strictObject({ initiativeId: idSchema.optional() }),
          response: { 200: z.object({ subscriptions: z.array(subscriptionSchema), deliveryEnabled: z.boolean() }), ...readErrors },
        },
        onRequest: app.authorize(READ),
      },
      async (request) => {
        const actor = request.actor!;
        const { initiativeId } = request.query;
        if (initiativeId) requireInitiative(actor, initiativeId);
        const subscriptions = registry
          .list()
          .filter((s) => visibleTo(actor, s) && (!initiativeId || s.initiativeId === initiativeId))
          .map(view);
        return { subscriptions, deliveryEnabled: deps.webhooks.enabled };
      },
    );

    app.get(
      '/subscriptions/:id',
      {
        schema: {
          operationId: 'getSubscription',
          tags: ['feeds'],
          summary: 'One subscription',
          security: [{ bearer: [] }],
          params: idParams,
          response: { 200: subscriptionSchema, ...readErrors },
        },
        onRequest: app.authorize(READ),
      },
      async (request) => view(visible(request.actor, request.params.id)),
    );

    app.get(
      '/subscriptions/:id/deliveries',
      {
        schema: {
          operationId: 'listDeliveries',
          tags: ['feeds'],
          summary: 'The latest delivery attempts of a subscription, newest first (status codes, latency, next retry)',
          security: [{ bearer: [] }],
          params: idParams,
          querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(100) }),
          response: { 200: z.object({ subscriptionId: z.uuid(), deliveries: z.array(attemptSchema) }), ...readErrors },
        },
        onRequest: app.authorize(READ),
      },
      async (request) => {
        const subscription = visible(request.actor, request.params.id);
        return { subscriptionId: subscription.id, deliveries: await deps.webhooks.deliveries(subscription.id, request.query.limit) };
      },
    );
  };

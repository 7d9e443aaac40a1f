import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { newResourceId } from '../../commands/derived-ids.js';
import type { AccessKeyEntry, DirectoryStore } from '../../directory/directory-store.js';
import { accessKeyDecider, accessKeyStream } from '../../domain/access-key/decider.js';
import { ForbiddenError, NotFoundError } from '../../errors.js';
import { idSchema, labelSchema, reasonSchema } from '../../events/common.js';
import type { Actor, Role } from '../../events/envelope.js';
import { accessKeyIssuedSchema, keyRoleSchema } from '../../events/access.js';
import type { SecretDeriver } from '../../secrets/server-secret.js';
import { hashKey, readsEveryInitiative, requireInitiative } from '../auth/authenticate.js';
import { problemSchema } from '../problem.js';
import { idParams, writeRoute, type WriteDeps } from './command-route.js';
import { eventRules, placeholderIds } from './measurement.js';

/** An access key: `il_` + 43 base64url characters, derived from the server secret and the key id. */
export const accessKeyFor = (derive: SecretDeriver, keyId: string) => `il_${derive('access-key', keyId)}`;

/** Who manages keys: admins every key, a backbone key those of its own initiative. */
const MANAGE: readonly Role[] = ['admin', 'backbone'];
/** Who reads them: the managers, and auditors (who read everything, design §7) — all keys or their initiative's. */
const READ_KEYS: readonly Role[] = [...MANAGE, 'auditor'];


/** A key as the API shows it: what it may do and when it was issued and revoked; never the key, never its hash. */
const accessKeySchema = z
  .object({
    id: z.uuid(),
    role: keyRoleSchema,
    initiativeId: z.uuid().nullable().describe('null: a deployment-wide key (admin, or an auditor or viewer of every initiative)'),
    partnerId: z.uuid().nullable().describe('the partner a partner key acts for; null for other roles'),
    label: z.string(),
    issuedAt: z.string().nullable().describe('when it was issued (the recordedAt of its AccessKeyIssued); null only while the directory is being rebuilt'),
    revoked: z.boolean(),
    revokedAt: z.string().nullable().describe('when it was revoked (the recordedAt of its AccessKeyRevoked); null while it is valid'),
  })
  .meta({ id: 'AccessKey', description: 'an issued access key: its role, scope and label; the key itself is shown once at issue and its hash is never shown' });

const view = (key: AccessKeyEntry): z.output<typeof accessKeySchema> => ({
  id: key.keyId,
  role: key.role,
  initiativeId: key.initiativeId,
  partnerId: key.partnerId,
  label: key.label,
  issuedAt: key.issuedAt,
  revoked: key.revoked,
  revokedAt: key.revokedAt,
});

const readErrors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };

/** 403 unless the key may see this one (`readsEveryInitiative`, else only keys of its own initiative). */
const requireVisible = (actor: Actor, key: AccessKeyEntry): void => {
  if (readsEveryInitiative(actor)) return;
  if (!key.initiativeId) throw new ForbiddenError('a key scoped to an initiative sees only keys of that initiative');
  requireInitiative(actor, key.initiativeId);
};

export interface AccessKeyRouteDeps extends WriteDeps {
  deriveSecret: SecretDeriver;
  keys: Pick<DirectoryStore, 'keyById' | 'keys'>;
}

/**
 * Access keys (design §7): issued and revoked as events through the one write pipeline; listed and read from the
 * directory, which keeps each key's role, scope, label, hash and times. Reads never show the key (it exists only in
 * the 201 of its issue) nor its hash. An admin or deployment-wide auditor sees every key; a backbone key or scoped
 * auditor the keys of its own initiative.
 */
export const accessKeyRoutes = (deps: AccessKeyRouteDeps): FastifyPluginAsyncZod => async (app) => {
  writeRoute(app, deps, {
    method: 'POST',
    url: '/access-keys',
    operationId: 'issueAccessKey',
    summary: 'Issue an access key (shown once; only its hash is recorded)',
    tags: ['access'],
    roles: MANAGE,
    params: z.strictObject({}),
    body: z
      .strictObject({ role: keyRoleSchema, initiativeId: idSchema.optional(), partnerId: idSchema.optional(), label: labelSchema })
      // The event's rules (which roles name an initiative, a partner) as 400s naming body fields, before any command.
      .superRefine(eventRules(accessKeyIssuedSchema, () => ({ ...placeholderIds('keyId'), keyHash: '0'.repeat(64) })))
      .meta({ id: 'IssueAccessKey' }),
    extraResponse: z.object({ key: z.string().describe('the bearer key; shown once, never again') }),
    handle: async ({ body }, { context, facts }) => {
      if (context.actor.role === 'backbone') requireInitiative(context.actor, body.initiativeId);
      const keyId = newResourceId(context);
      const key = accessKeyFor(deps.deriveSecret, keyId);
      return {
        decider: accessKeyDecider,
        stream: accessKeyStream(keyId),
        resourceId: keyId,
        command: {
          type: 'IssueAccessKey',
          keyId,
          ...body,
          keyHash: hashKey(key),
          context: { actor: context.actor, ...(body.initiativeId ? { initiative: await facts(body.initiativeId) } : {}) },
        },
        context,
        location: `/access-keys/${keyId}`,
        extra: (receipt) => ({ key: accessKeyFor(deps.deriveSecret, receipt.id) }),
      };
    },
  });

  writeRoute(app, deps, {
    method: 'DELETE',
    url: '/access-keys/:id',
    operationId: 'revokeAccessKey',
    summary: 'Revoke an access key, at once',
    tags: ['access'],
    roles: MANAGE,
    params: idParams,
    body: z.strictObject({ reason: reasonSchema.optional() }).nullish(),
    handle: async ({ params, body }, { context }) => {
      if (context.actor.role === 'backbone') {
        const key = deps.keys.keyById(params.id);
        if (key === undefined) throw new NotFoundError(`no access key ${params.id}`);
        if (!key.initiativeId) throw new ForbiddenError('a backbone key revokes only keys of its own initiative');
        requireInitiative(context.actor, key.initiativeId);
      }
      return {
        decider: accessKeyDecider,
        stream: accessKeyStream(params.id),
        resourceId: params.id,
        command: { type: 'RevokeAccessKey', keyId: params.id, ...(body?.reason ? { reason: body.reason } : {}), context: { actor: context.actor } },
        context,
      };
    },
  });

  app.get(
    '/access-keys',
    {
      schema: {
        operationId: 'listAccessKeys',
        summary: 'The issued access keys (revoked ones included) this key may read: all for admins and deployment-wide auditors, its own initiative\'s for a backbone key or a scoped auditor',
        tags: ['access'],
        security: [{ bearer: [] }],
        querystring: z.strictObject({
          initiativeId: idSchema.optional().describe('only keys of this initiative (a backbone key or scoped auditor: its own; another is a 403)'),
        }),
        response: { 200: z.object({ accessKeys: z.array(accessKeySchema).describe('by issue time, then id') }).meta({ id: 'AccessKeyList' }), ...readErrors },
      },
      onRequest: app.authorize(READ_KEYS),
    },
    async (request) => {
      const actor = request.actor!;
      const { initiativeId } = request.query;
      const everyKey = readsEveryInitiative(actor);
      if (!everyKey) requireInitiative(actor, initiativeId ?? actor.initiativeId);
      const scope = everyKey ? initiativeId : actor.initiativeId;
      return { accessKeys: deps.keys.keys(scope).map(view) };
    },
  );

  app.get(
    '/access-keys/:id',
    {
      schema: {
        operationId: 'getAccessKey',
        summary: 'One issued access key: role, scope, label, when it was issued and revoked (never the key or its hash)',
        tags: ['access'],
        security: [{ bearer: [] }],
        params: idParams,
        response: { 200: accessKeySchema, ...readErrors },
      },
      onRequest: app.authorize(READ_KEYS),
    },
    async (request) => {
      const key = deps.keys.keyById(request.params.id);
      if (!key) throw new NotFoundError(`no access key ${request.params.id}`);
      requireVisible(request.actor!, key);
      return view(key);
    },
  );
};

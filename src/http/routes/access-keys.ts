import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { newResourceId } from '../../commands/derived-ids.js';
import { accessKeyDecider, accessKeyStream } from '../../domain/access-key/decider.js';
import { ForbiddenError } from '../../errors.js';
import { idSchema, labelSchema, reasonSchema } from '../../events/common.js';
import { keyRoleSchema } from '../../events/access.js';
import type { SecretDeriver } from '../../secrets/server-secret.js';
import { hashKey, requireInitiative } from '../auth/authenticate.js';
import { idParams, writeRoute, type WriteDeps } from './command-route.js';

/** An access key: `il_` + 43 base64url characters, derived from the server secret and the key id. */
export const accessKeyFor = (derive: SecretDeriver, keyId: string) => `il_${derive('access-key', keyId)}`;

export const accessKeyRoutes = (deps: WriteDeps & { deriveSecret: SecretDeriver; keys: { keyById(id: string): { initiativeId: string | null } | undefined } }) => async (app: FastifyInstance) => {
  writeRoute(app, deps, {
    method: 'POST',
    url: '/access-keys',
    operationId: 'issueAccessKey',
    summary: 'Issue an access key (shown once; only its hash is recorded)',
    tags: ['access'],
    roles: ['admin', 'backbone'],
    params: z.strictObject({}),
    body: z.strictObject({ role: keyRoleSchema, initiativeId: idSchema.optional(), partnerId: idSchema.optional(), label: labelSchema }).meta({ id: 'IssueAccessKey' }),
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
    roles: ['admin', 'backbone'],
    params: idParams,
    body: z.strictObject({ reason: reasonSchema.optional() }).nullish(),
    handle: async ({ params, body }, { context }) => {
      if (context.actor.role === 'backbone') {
        const key = deps.keys.keyById(params.id);
        if (!key?.initiativeId) throw new ForbiddenError('a backbone key revokes only keys of its own initiative');
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
};

import { z } from 'zod';
import { roleSchema } from './envelope.js';
import { idSchema, labelSchema, reasonSchema, sha256HexSchema } from './common.js';

/**
 * Access keys are events (design §7). The log holds only the SHA-256 of a key, never the key: the key is shown
 * once in the response that issues it. There is deliberately no field that could carry it.
 */

/** Roles a key can be issued with (`system` is the service itself, never a key). */
export const keyRoleSchema = roleSchema.exclude(['system']);
export type KeyRole = z.infer<typeof keyRoleSchema>;

export const accessKeyIssuedSchema = z
  .strictObject({
    keyId: idSchema,
    role: keyRoleSchema,
    /** Required for backbone and partner keys; optional (scoping) for auditor and viewer; absent for admin. */
    initiativeId: idSchema.optional(),
    /** Required for, and only for, partner keys. */
    partnerId: idSchema.optional(),
    label: labelSchema,
    /** Lowercase hex SHA-256 of the key. */
    keyHash: sha256HexSchema,
  })
  .superRefine((d, ctx) => {
    const needsInitiative = d.role === 'backbone' || d.role === 'partner';
    if (needsInitiative && d.initiativeId === undefined) {
      ctx.addIssue({ code: 'custom', path: ['initiativeId'], message: `a ${d.role} key is scoped to an initiative` });
    }
    if (d.role === 'admin' && d.initiativeId !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['initiativeId'], message: 'an admin key spans the deployment' });
    }
    if (d.role === 'partner' && d.partnerId === undefined) {
      ctx.addIssue({ code: 'custom', path: ['partnerId'], message: 'a partner key acts for exactly one partner' });
    }
    if (d.role !== 'partner' && d.partnerId !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['partnerId'], message: 'only a partner key names a partner' });
    }
  });
export type AccessKeyIssued = z.infer<typeof accessKeyIssuedSchema>;

export const accessKeyRevokedSchema = z.strictObject({
  keyId: idSchema,
  reason: reasonSchema.optional(),
});
export type AccessKeyRevoked = z.infer<typeof accessKeyRevokedSchema>;

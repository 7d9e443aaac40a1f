import { createHash, timingSafeEqual } from 'node:crypto';
import { ForbiddenError, UnauthorizedError } from '../../errors.js';
import type { Actor, Role } from '../../events/envelope.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Resolves `Authorization: Bearer <key>` to the acting key. Comparisons are on SHA-256 digests with
 * `timingSafeEqual`, so neither timing nor a log line ever reveals a key.
 */
export const createAuthenticator = (options: { adminToken: string }) => {
  const adminDigest = digest(options.adminToken);
  const admin: Actor = { keyId: 'admin', role: 'admin' };

  return (authorization: string | undefined): Actor => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) throw new UnauthorizedError();
    if (timingSafeEqual(digest(match[1]!), adminDigest)) return admin;
    throw new UnauthorizedError('the bearer key is unknown or revoked');
  };
};
export type Authenticator = ReturnType<typeof createAuthenticator>;

export const requireRole = (actor: Actor, roles: readonly Role[]): void => {
  if (!roles.includes(actor.role)) throw new ForbiddenError(`this action needs one of the roles: ${roles.join(', ')}`);
};

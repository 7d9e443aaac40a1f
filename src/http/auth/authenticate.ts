import { createHash, timingSafeEqual } from 'node:crypto';
import { ForbiddenError, UnauthorizedError } from '../../errors.js';
import type { Actor, Role } from '../../events/envelope.js';

export const hashKey = (key: string): string => createHash('sha256').update(key).digest('hex');

export interface KeyLookup {
  keyByHash(hash: string): { keyId: string; role: Exclude<Role, 'system'>; initiativeId: string | null; partnerId: string | null; revoked: boolean } | undefined;
}

/**
 * Resolves `Authorization: Bearer <key>` to the acting key: the bootstrap admin token, or an issued key found
 * by its SHA-256 in the directory. Resolutions are cached (a hash per request is work that need not be
 * there); `forget()` clears the cache whenever a key is issued or revoked, so a revocation bites at once.
 */
export const createAuthenticator = (options: { adminToken: string; keys?: KeyLookup; cacheSize?: number }) => {
  const adminDigest = createHash('sha256').update(options.adminToken).digest();
  const admin: Actor = { keyId: 'admin', role: 'admin' };
  const cache = new Map<string, Actor | null>();
  const cacheSize = options.cacheSize ?? 10_000;

  const resolve = (key: string): Actor | null => {
    if (timingSafeEqual(createHash('sha256').update(key).digest(), adminDigest)) return admin;
    const entry = options.keys?.keyByHash(hashKey(key));
    if (!entry || entry.revoked) return null;
    return {
      keyId: entry.keyId,
      role: entry.role,
      ...(entry.initiativeId ? { initiativeId: entry.initiativeId } : {}),
      ...(entry.partnerId ? { partnerId: entry.partnerId } : {}),
    };
  };

  const authenticate = (authorization: string | undefined): Actor => {
    const match = /^Bearer\s+(\S{1,512})\s*$/i.exec(authorization ?? '');
    if (!match) throw new UnauthorizedError();
    const key = match[1]!;
    let actor = cache.get(key);
    if (actor === undefined) {
      actor = resolve(key);
      if (cache.size >= cacheSize) cache.clear();
      cache.set(key, actor);
    }
    if (!actor) throw new UnauthorizedError('the bearer key is unknown or revoked');
    return actor;
  };

  return Object.assign(authenticate, { forget: () => cache.clear() });
};
export type Authenticator = ReturnType<typeof createAuthenticator>;

export const requireRole = (actor: Actor, roles: readonly Role[]): void => {
  if (!roles.includes(actor.role)) throw new ForbiddenError(`this action needs one of the roles: ${roles.join(', ')}`);
};

/** Admins, and auditors and viewers issued for the whole deployment (no initiative): they see every initiative. */
export const readsEveryInitiative = (actor: Actor): boolean =>
  actor.role === 'admin' || (actor.initiativeId === undefined && (actor.role === 'auditor' || actor.role === 'viewer'));

/** 403 unless the key may act on this initiative: admins everywhere, scoped keys in their own initiative. */
export const requireInitiative = (actor: Actor, initiativeId: string | null | undefined): void => {
  if (readsEveryInitiative(actor)) return;
  if (!initiativeId || actor.initiativeId !== initiativeId) throw new ForbiddenError('this key is scoped to another initiative');
};

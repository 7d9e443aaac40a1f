import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { ProblemError } from '../errors.js';
import type { Authenticator } from './auth/authenticate.js';

export interface RateLimitOptions {
  authenticate: Authenticator;
  /** Requests a key (or, without a valid key, a client IP) may make per minute. */
  perMinute: number;
}

/**
 * The bucket a request counts against: its key's id when it carries a valid key (the key itself is never held
 * by the limiter), otherwise its client IP, so a flood of made-up keys is limited like anonymous traffic.
 */
export const rateLimitBucket =
  (authenticate: Authenticator) =>
  (request: { headers: { authorization?: string | undefined }; ip: string }): string => {
    if (request.headers.authorization !== undefined) {
      try {
        return `key:${authenticate(request.headers.authorization).keyId}`;
      } catch {
        // unknown, revoked or malformed: the route's own `authorize` answers 401
      }
    }
    return `ip:${request.ip}`;
  };

/**
 * Per-key rate limit (design §7) as a root `onRequest` hook, so it runs before every route's own hooks (an
 * unauthenticated flood is limited too, not just answered 401). Above the limit: 429 problem+json with
 * `Retry-After` (seconds until the window resets).
 */
export const registerRateLimit = async (app: FastifyInstance, options: RateLimitOptions): Promise<void> => {
  await app.register(rateLimit, {
    global: false,
    max: options.perMinute,
    timeWindow: 60_000,
    keyGenerator: rateLimitBucket(options.authenticate),
    errorResponseBuilder: (_request, context) =>
      new ProblemError({
        status: context.statusCode,
        type: 'rate-limited',
        title: 'Too many requests',
        detail: `more than ${context.max} requests per minute; retry in ${context.after}`,
      }),
  });
  app.addHook('onRequest', app.rateLimit());
};

import type { FastifyRequest } from 'fastify';
import type { CommandContext } from '../../commands/command-handler.js';
import { UnauthorizedError, ValidationError } from '../../errors.js';

/** The acting key, correlation id (the request id) and `If-Match` of a write request. */
export const commandContext = (request: FastifyRequest): CommandContext => {
  if (!request.actor) throw new UnauthorizedError();
  const ifMatch = request.headers['if-match'];
  let revision: number | '*' | undefined;
  if (ifMatch !== undefined && ifMatch.trim() === '*') revision = '*'; // RFC 9110 §13.1.1: any current representation
  else if (ifMatch !== undefined) {
    const match = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(ifMatch);
    if (!match) throw new ValidationError('invalid If-Match', [{ path: 'headers.if-match', message: 'must be a stream revision number, or *' }]);
    revision = Number(match[1]);
  }
  const idempotencyKey = request.headers['idempotency-key'];
  if (idempotencyKey !== undefined && (typeof idempotencyKey !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(idempotencyKey))) {
    throw new ValidationError('invalid Idempotency-Key', [{ path: 'headers.idempotency-key', message: 'must be 1-200 visible ASCII characters' }]);
  }
  return {
    actor: request.actor,
    correlationId: request.id,
    ...(revision === undefined ? {} : { ifMatch: revision }),
    ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
  };
};

import { ForbiddenError, NotFoundError } from '../../errors.js';
import type { Actor } from '../../events/envelope.js';
import { compact } from '../compact.js';
import { assertActivePartner, assertFactsFor } from '../context.js';
import { type PendingEvent, RuleViolationError } from '../decider.js';
import type { AccessKeyCommand, IssueAccessKey } from './commands.js';
import type { AccessKeyState } from './state.js';

/**
 * Keys are managed by admins and, within one initiative, by its backbone. The routes check that a backbone key
 * manages keys of its own initiative (the actor does not carry its initiative); the decider refuses what would
 * widen a backbone's power: admin keys and keys that span the deployment.
 */
const assertMayManage = (actor: Actor, key: { role: string; initiativeId?: string | undefined }): void => {
  if (actor.role === 'admin') return;
  if (actor.role !== 'backbone') throw new ForbiddenError(`a ${actor.role} key cannot manage access keys`);
  if (key.role === 'admin' || key.initiativeId === undefined) {
    throw new ForbiddenError('a backbone key manages only keys scoped to an initiative, never admin keys');
  }
};

const issue = (command: IssueAccessKey, state: AccessKeyState): PendingEvent[] => {
  const { type: _type, context, ...data } = command;
  if (state.key) throw new RuleViolationError(`access key ${command.keyId} was already issued`);
  assertMayManage(context.actor, command);
  if (command.initiativeId !== undefined) {
    if (!context.initiative) throw new RuleViolationError(`initiative ${command.initiativeId} is not known`);
    assertFactsFor(context.initiative, command.initiativeId);
    if (command.partnerId !== undefined) assertActivePartner(context.initiative, command.partnerId, 'receive a key');
  }
  return [{ type: 'AccessKeyIssued', data: compact(data) }];
};

export const decide = (command: AccessKeyCommand, state: AccessKeyState): PendingEvent[] => {
  switch (command.type) {
    case 'IssueAccessKey':
      return issue(command, state);
    case 'RevokeAccessKey': {
      const { key } = state;
      if (!key) throw new NotFoundError(`access key ${command.keyId} was not issued`);
      if (key.keyId !== command.keyId) throw new Error(`command for key ${command.keyId} was sent to the stream of ${key.keyId}`);
      assertMayManage(command.context.actor, key);
      if (state.revoked) throw new RuleViolationError(`access key ${command.keyId} was already revoked`);
      const { keyId, reason } = command;
      return [{ type: 'AccessKeyRevoked', data: compact({ keyId, reason }) }];
    }
  }
};

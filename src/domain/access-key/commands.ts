import type { KeyRole } from '../../events/access.js';
import type { ActorContext, InitiativeFacts } from '../context.js';

/**
 * Commands on the access-key aggregate (stream `access-key-<id>`). The caller generates the key, shows it
 * once and passes only its SHA-256 here: no command or event field can carry the key itself.
 */
export interface IssueAccessKey {
  type: 'IssueAccessKey';
  keyId: string;
  role: KeyRole;
  initiativeId?: string;
  partnerId?: string;
  label: string;
  /** Lowercase hex SHA-256 of the key. */
  keyHash: string;
  /** `initiative`: the facts of the initiative the key is scoped to (required when `initiativeId` is given). */
  context: ActorContext & { initiative?: InitiativeFacts };
}

export interface RevokeAccessKey {
  type: 'RevokeAccessKey';
  keyId: string;
  reason?: string;
  context: ActorContext;
}

export type AccessKeyCommand = IssueAccessKey | RevokeAccessKey;

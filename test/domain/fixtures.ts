import type { InitiativeFacts, PartnerStatus } from '../../src/domain/context.js';
import type { Actor } from '../../src/events/envelope.js';
import { ids, samples } from '../fixtures/events/samples.js';

export { ids, samples };

/** A distinct, valid UUID per number, for ids the samples do not have. */
export const uuid = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

export const partner3 = uuid(3);

export const actors = {
  admin: { keyId: 'admin', role: 'admin' },
  backbone: { keyId: 'key-backbone', role: 'backbone' },
  auditor: { keyId: 'key-auditor', role: 'auditor' },
  /** A partner key acting for `ids.partner`. */
  partner: { keyId: 'key-partner', role: 'partner', partnerId: ids.partner },
} satisfies Record<string, Actor>;

/**
 * Facts of the sample initiative: `ids.partner` and `ids.partner2` active, `ids.goal` with `ids.strategy`.
 * `partners` overrides or adds statuses.
 */
export const facts = (partners: Record<string, PartnerStatus> = {}): InitiativeFacts => ({
  initiativeId: ids.initiative,
  partners: new Map(Object.entries({ [ids.partner]: 'active', [ids.partner2]: 'active', ...partners })),
  goalIds: new Set([ids.goal]),
  strategyIds: new Set([ids.strategy]),
});

/** The `context` of a command on an initiative's stream. */
export const ctx = (actor: Actor = actors.backbone, partners: Record<string, PartnerStatus> = {}) => ({
  actor,
  initiative: facts(partners),
});

import t from 'tap';
import type { AccessKeyCommand, IssueAccessKey } from '../../src/domain/access-key/commands.js';
import { accessKeyDecider, accessKeyStream } from '../../src/domain/access-key/decider.js';
import { type PendingEvent, RuleViolationError } from '../../src/domain/decider.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../src/errors.js';
import type { Actor } from '../../src/events/envelope.js';
import { spec } from './decider-spec.js';
import { actors, facts, ids, samples, uuid } from './fixtures.js';

const given = spec(accessKeyDecider).given;
const gone = { [ids.partner]: 'left' } as const;

/** A partner key for `ids.partner` in the sample initiative (only its hash). */
const issued: PendingEvent = { type: 'AccessKeyIssued', data: samples.AccessKeyIssued };
const adminKey: PendingEvent = { type: 'AccessKeyIssued', data: { keyId: ids.key, role: 'admin', label: 'Ops', keyHash: samples.AccessKeyIssued.keyHash } };
const revoked: PendingEvent = { type: 'AccessKeyRevoked', data: samples.AccessKeyRevoked };

const issue = (changes: Partial<IssueAccessKey> = {}, actor: Actor = actors.admin): IssueAccessKey => ({
  type: 'IssueAccessKey',
  ...samples.AccessKeyIssued,
  context: { actor, initiative: facts() },
  ...changes,
});
const revoke = (actor: Actor = actors.admin): AccessKeyCommand => ({
  type: 'RevokeAccessKey',
  ...samples.AccessKeyRevoked,
  context: { actor },
});

t.test('accessKeyStream names the stream', async (t) => {
  t.equal(accessKeyStream(ids.key), `access-key-${ids.key}`);
});

t.test('IssueAccessKey', async (t) => {
  t.test('an admin issues a partner key; only the hash is recorded', async () => {
    given([]).when(issue()).then([issued]);
  });
  t.test('an admin issues an admin key, which names no initiative', async () => {
    given([])
      .when({ type: 'IssueAccessKey', keyId: ids.key, role: 'admin', label: 'Ops', keyHash: samples.AccessKeyIssued.keyHash, context: { actor: actors.admin } })
      .then([adminKey]);
  });
  t.test("the backbone issues keys scoped to an initiative, never admin or deployment-wide keys", async () => {
    given([]).when(issue({}, actors.backbone)).then([issued]);
    given([])
      .when(issue({ role: 'admin', initiativeId: undefined, partnerId: undefined }, actors.backbone))
      .thenThrows(ForbiddenError);
    given([])
      .when(issue({ role: 'auditor', initiativeId: undefined, partnerId: undefined }, actors.backbone))
      .thenThrows(ForbiddenError);
  });
  t.test('other roles issue no keys', async () => {
    given([]).when(issue({}, actors.partner)).thenThrows(ForbiddenError);
    given([]).when(issue({}, actors.auditor)).thenThrows(ForbiddenError);
  });
  t.test('a partner key is for an active partner of the initiative', async () => {
    given([]).when(issue({ partnerId: uuid(77) })).thenThrows(RuleViolationError, 'is not a partner');
    given([])
      .when(issue({ context: { actor: actors.admin, initiative: facts(gone) } }))
      .thenThrows(RuleViolationError, 'has left');
  });
  t.test('the initiative named must be known', async () => {
    given([]).when(issue({ context: { actor: actors.admin } })).thenThrows(RuleViolationError, 'is not known');
  });
  t.test('a key id is issued once', async () => {
    given([issued]).when(issue()).thenThrows(RuleViolationError, 'already issued');
  });
  t.test('role and scope must agree (catalog)', async () => {
    given([]).when(issue({ partnerId: undefined })).thenThrows(ValidationError);
  });
});

t.test('RevokeAccessKey', async (t) => {
  t.test('revokes, with or without a reason', async () => {
    given([issued]).when(revoke()).then([revoked]);
    given([issued])
      .when({ type: 'RevokeAccessKey', keyId: ids.key, context: { actor: actors.admin } })
      .then([{ type: 'AccessKeyRevoked', data: { keyId: ids.key } }]);
  });
  t.test('revoking twice is a conflict (409)', async (t) => {
    const error = given([issued, revoked]).when(revoke()).thenThrows(RuleViolationError, 'already revoked');
    t.equal(error.status, 409);
  });
  t.test('the key must have been issued', async () => {
    given([]).when(revoke()).thenThrows(NotFoundError);
  });
  t.test('the backbone revokes initiative keys, not admin keys', async () => {
    given([issued]).when(revoke(actors.backbone)).then([revoked]);
    given([adminKey]).when(revoke(actors.backbone)).thenThrows(ForbiddenError);
  });
});

import t from 'tap';
import type { CommitmentCommand, MakeCommitment, RecordContribution, ReviseCommitment } from '../../src/domain/commitment/commands.js';
import { commitmentDecider, commitmentStream } from '../../src/domain/commitment/decider.js';
import { type PendingEvent, RuleViolationError } from '../../src/domain/decider.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../src/errors.js';
import type { Actor } from '../../src/events/envelope.js';
import type { CommitmentMade, ContributionRecorded } from '../../src/events/resources.js';
import { spec } from './decider-spec.js';
import { actors, ctx, ids, partner3, samples, uuid } from './fixtures.js';

const given = spec(commitmentDecider).given;
const { commitment: commitmentId, contribution: contributionId } = ids;
const gone = { [ids.partner]: 'left' } as const;

/** Funding: USD 250,000 toward the sample goal, by `ids.partner`. */
const made: PendingEvent = { type: 'CommitmentMade', data: samples.CommitmentMade };
const madeWith = (changes: Partial<CommitmentMade>): PendingEvent => ({ type: 'CommitmentMade', data: { ...samples.CommitmentMade, ...changes } });
const staffTime = madeWith({ kind: 'staff_time', money: undefined, hours: 120 });
const inKind = madeWith({ kind: 'in_kind', money: undefined, description: 'Meeting rooms', estimatedValue: { amount: '4000', currency: 'USD' } });
const withdrawn: PendingEvent = { type: 'CommitmentWithdrawn', data: samples.CommitmentWithdrawn };
const contributed = (changes: Partial<ContributionRecorded> = {}): PendingEvent => ({
  type: 'ContributionRecorded',
  data: { ...samples.ContributionRecorded, ...changes },
});
const reversed: PendingEvent = { type: 'ContributionReversed', data: samples.ContributionReversed };

const make = (changes: Partial<MakeCommitment> = {}): MakeCommitment => ({
  type: 'MakeCommitment',
  ...samples.CommitmentMade,
  context: ctx(),
  ...changes,
});
const revise = (changes: Partial<ReviseCommitment> = {}): ReviseCommitment => ({
  type: 'ReviseCommitment',
  ...samples.CommitmentRevised,
  context: ctx(),
  ...changes,
});
const contribute = (changes: Partial<RecordContribution> = {}): RecordContribution => {
  const { initiativeId: _i, partnerId: _p, commitmentId: _c, ...delivered } = samples.ContributionRecorded;
  return { type: 'RecordContribution', commitmentId, ...delivered, context: ctx(), ...changes };
};
const withdraw = (actor: Actor = actors.backbone, partners = {}): CommitmentCommand => ({
  type: 'WithdrawCommitment',
  ...samples.CommitmentWithdrawn,
  context: ctx(actor, partners),
});
const reverse = (actor: Actor = actors.backbone): CommitmentCommand => ({
  type: 'ReverseContribution',
  commitmentId,
  contributionId,
  reason: 'Payment bounced',
  context: ctx(actor),
});

t.test('commitmentStream names the stream', async (t) => {
  t.equal(commitmentStream(commitmentId), `commitment-${commitmentId}`);
});

t.test('MakeCommitment', async (t) => {
  t.test('a partner pledges funding toward a goal', async () => {
    given([]).when(make()).then([made]);
  });
  t.test('staff time toward a strategy', async () => {
    const { goalId: _g, money: _m, ...rest } = samples.CommitmentMade;
    const data = { ...rest, kind: 'staff_time' as const, strategyId: ids.strategy, hours: 120 };
    given([]).when({ type: 'MakeCommitment', ...data, context: ctx() }).then([{ type: 'CommitmentMade', data }]);
  });
  t.test('a partner key pledges for its own partner only', async () => {
    given([]).when(make({ context: ctx(actors.partner) })).then([made]);
    given([]).when(make({ partnerId: ids.partner2, context: ctx(actors.partner) })).thenThrows(ForbiddenError);
  });
  t.test('only active partners of the initiative commit', async () => {
    given([]).when(make({ partnerId: partner3 })).thenThrows(RuleViolationError, 'is not a partner');
    given([]).when(make({ context: ctx(actors.backbone, gone) })).thenThrows(RuleViolationError, 'has left');
  });
  t.test('the goal or strategy must exist', async () => {
    given([]).when(make({ goalId: uuid(98) })).thenThrows(RuleViolationError, 'is not a goal');
    given([])
      .when(make({ goalId: undefined, strategyId: uuid(99) }))
      .thenThrows(RuleViolationError, 'is not a strategy');
  });
  t.test('a commitment is made once', async () => {
    given([made]).when(make()).thenThrows(RuleViolationError, 'already made');
  });
  t.test('fields that do not fit the kind are refused by the catalog', async () => {
    given([]).when(make({ money: undefined })).thenThrows(ValidationError);
  });
});

t.test('ReviseCommitment', async (t) => {
  t.test('revises the pledge with a reason', async () => {
    given([made]).when(revise()).then([{ type: 'CommitmentRevised', data: samples.CommitmentRevised }]);
  });
  t.test('the due date alone', async () => {
    given([made])
      .when(revise({ money: undefined, dueDate: '2025-06-30' }))
      .then([{ type: 'CommitmentRevised', data: { commitmentId, dueDate: '2025-06-30', reason: samples.CommitmentRevised.reason } }]);
  });
  t.test('the commitment must exist', async () => {
    given([]).when(revise()).thenThrows(NotFoundError);
  });
  t.test('a withdrawn commitment is not revised', async () => {
    given([made, withdrawn]).when(revise()).thenThrows(RuleViolationError, 'withdrawn');
  });
  t.test('a revision keeps to the kind and the currency', async () => {
    given([staffTime]).when(revise()).thenThrows(RuleViolationError, 'has no money');
    given([made]).when(revise({ money: undefined, hours: 10 })).thenThrows(RuleViolationError, 'has no hours');
    given([made])
      .when(revise({ money: undefined, estimatedValue: { amount: '1', currency: 'USD' } }))
      .thenThrows(RuleViolationError, 'as money');
    given([made])
      .when(revise({ money: { amount: '200000', currency: 'EUR' } }))
      .thenThrows(RuleViolationError, 'in EUR');
    given([inKind])
      .when(revise({ money: undefined, estimatedValue: { amount: '5000', currency: 'EUR' } }))
      .thenThrows(RuleViolationError, 'valued in USD');
    given([staffTime])
      .when(revise({ money: undefined, hours: 80 }))
      .then([{ type: 'CommitmentRevised', data: { commitmentId, hours: 80, reason: samples.CommitmentRevised.reason } }]);
  });
  t.test("a partner key revises its own partner's commitments while active", async () => {
    given([made])
      .when(revise({ context: ctx(actors.partner) }))
      .then([{ type: 'CommitmentRevised', data: samples.CommitmentRevised }]);
    given([madeWith({ partnerId: ids.partner2 })])
      .when(revise({ context: ctx(actors.partner) }))
      .thenThrows(ForbiddenError);
    given([made]).when(revise({ context: ctx(actors.partner, gone) })).thenThrows(RuleViolationError, 'has left');
  });
});

t.test('WithdrawCommitment', async (t) => {
  t.test('withdraws', async () => {
    given([made]).when(withdraw()).then([withdrawn]);
  });
  t.test('once', async () => {
    given([made, withdrawn]).when(withdraw()).thenThrows(RuleViolationError, 'already withdrawn');
  });
  t.test('the backbone withdraws what a departed partner pledged', async () => {
    given([made]).when(withdraw(actors.backbone, gone)).then([withdrawn]);
  });
  t.test("a partner key does not withdraw another partner's commitment", async () => {
    given([madeWith({ partnerId: ids.partner2 })]).when(withdraw(actors.partner)).thenThrows(ForbiddenError);
  });
});

t.test('RecordContribution', async (t) => {
  t.test('money delivered against a funding commitment, with evidence', async () => {
    given([made]).when(contribute()).then([contributed()]);
  });
  t.test('by the partner itself', async () => {
    given([made]).when(contribute({ context: ctx(actors.partner) })).then([contributed()]);
  });
  t.test('the commitment must exist', async () => {
    given([]).when(contribute()).thenThrows(NotFoundError);
  });
  t.test('a withdrawn commitment takes no contributions', async () => {
    given([made, withdrawn]).when(contribute()).thenThrows(RuleViolationError, 'withdrawn');
  });
  t.test('money in another currency than the pledge is refused (409)', async (t) => {
    const error = given([made])
      .when(contribute({ money: { amount: '100', currency: 'EUR' } }))
      .thenThrows(RuleViolationError, 'in USD');
    t.equal(error.status, 409);
  });
  t.test('the delivery fits the kind', async () => {
    given([made]).when(contribute({ money: undefined, hours: 10 })).thenThrows(RuleViolationError);
    given([made])
      .when(contribute({ money: undefined, description: 'A cheque is coming' }))
      .thenThrows(RuleViolationError, 'delivers money');
    given([staffTime]).when(contribute()).thenThrows(RuleViolationError, 'has no money');
    given([staffTime])
      .when(contribute({ money: undefined, description: 'Coaching' }))
      .thenThrows(RuleViolationError, 'delivers hours');
    given([inKind])
      .when(contribute({ money: undefined, hours: 3, description: 'Rooms' }))
      .thenThrows(RuleViolationError, 'has no hours');
  });
  t.test('hours against staff time; a description and estimated value in kind', async () => {
    const { money: _m, evidence: _e, ...rest } = samples.ContributionRecorded;
    given([staffTime])
      .when(contribute({ money: undefined, evidence: undefined, hours: 12.5 }))
      .then([{ type: 'ContributionRecorded', data: { ...rest, hours: 12.5 } }]);
    const rooms = { description: 'Rooms for May', estimatedValue: { amount: '800', currency: 'USD' } };
    given([inKind])
      .when(contribute({ money: undefined, evidence: undefined, ...rooms }))
      .then([{ type: 'ContributionRecorded', data: { ...rest, ...rooms } }]);
  });
  t.test('an estimated value in another currency than the commitment\'s valuation is refused (409)', async (t) => {
    const valued = (currency: string) => ({ money: undefined, evidence: undefined, description: 'Rooms for May', estimatedValue: { amount: '800', currency } });
    const error = given([inKind]).when(contribute(valued('EUR'))).thenThrows(RuleViolationError, 'valued in USD');
    t.equal(error.status, 409);
    // A commitment made without a value takes a first value in any currency; its first valuing revision fixes it.
    const unvalued = madeWith({ kind: 'in_kind', money: undefined, description: 'Meeting rooms' });
    const { money: _m, evidence: _e, ...rest } = samples.ContributionRecorded;
    const { money: _money, evidence: _evidence, ...inEur } = valued('EUR');
    given([unvalued]).when(contribute(valued('EUR'))).then([{ type: 'ContributionRecorded', data: { ...rest, ...inEur } }]);
    const valuedInEur: PendingEvent = { type: 'CommitmentRevised', data: { commitmentId, estimatedValue: { amount: '3000', currency: 'EUR' }, reason: 'Valued' } };
    given([unvalued, valuedInEur]).when(contribute(valued('USD'))).thenThrows(RuleViolationError, 'valued in EUR');
    // …and so does its first valued contribution: a second one in another currency, or a revision, is refused.
    const deliveredInEur: PendingEvent = { type: 'ContributionRecorded', data: { ...rest, contributionId: 'c0ffee00-0000-4000-8000-000000000001', ...inEur } };
    given([unvalued, deliveredInEur]).when(contribute(valued('USD'))).thenThrows(RuleViolationError, 'valued in EUR');
    given([unvalued, deliveredInEur])
      .when(revise({ money: undefined, estimatedValue: { amount: '5000', currency: 'GBP' } }))
      .thenThrows(RuleViolationError, 'valued in EUR');
  });
  t.test('a partner key contributes for its own partner only', async () => {
    given([madeWith({ partnerId: ids.partner2 })])
      .when(contribute({ context: ctx(actors.partner) }))
      .thenThrows(ForbiddenError);
  });
  t.test('a partner who left contributes no more', async () => {
    given([made]).when(contribute({ context: ctx(actors.backbone, gone) })).thenThrows(RuleViolationError, 'has left');
  });
  t.test('a contribution id is used once', async () => {
    given([made, contributed()]).when(contribute()).thenThrows(RuleViolationError, 'already recorded');
  });
});

t.test('ReverseContribution', async (t) => {
  t.test('reverses a contribution, naming the commitment', async () => {
    given([made, contributed()]).when(reverse()).then([reversed]);
  });
  t.test('once', async () => {
    given([made, contributed(), reversed]).when(reverse()).thenThrows(RuleViolationError, 'already reversed');
  });
  t.test('the contribution must be recorded against this commitment', async () => {
    given([made]).when(reverse()).thenThrows(NotFoundError);
  });
  t.test('after a withdrawal, history can still be corrected', async () => {
    given([made, contributed(), withdrawn]).when(reverse()).then([reversed]);
  });
  t.test("a partner key does not reverse another partner's contribution", async () => {
    given([madeWith({ partnerId: ids.partner2 }), contributed({ partnerId: ids.partner2 })])
      .when(reverse(actors.partner))
      .thenThrows(ForbiddenError);
  });
});

import t from 'tap';
import { type PendingEvent, RuleViolationError } from '../../src/domain/decider.js';
import type { CastVote, DecisionCommand, ProposeDecision, RecordDecision } from '../../src/domain/decision/commands.js';
import { decisionDecider, decisionStream } from '../../src/domain/decision/decider.js';
import { tallyVotes } from '../../src/domain/decision/tally.js';
import type { PartnerStatus } from '../../src/domain/context.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../src/errors.js';
import type { Actor } from '../../src/events/envelope.js';
import type { DecisionProposed } from '../../src/events/governance.js';
import { spec } from './decider-spec.js';
import { actors, ctx, ids, partner3, samples, uuid } from './fixtures.js';

const given = spec(decisionDecider).given;
const decisionId = ids.decision;
const partner4 = uuid(4);
/** Four active partners: `ids.partner`, `ids.partner2`, `partner3`, `partner4`. */
const four = { [partner3]: 'active', [partner4]: 'active' } as const;
const before = '2024-03-01T09:00:00Z';
const after = '2024-04-01T17:00:00Z'; // the sample's closesAt, exactly

const context = (now = before, partners: Record<string, PartnerStatus> = four, actor: Actor = actors.backbone) => ({
  ...ctx(actor, partners),
  now,
});

/** "Choose pilot districts": options 'North and South' | 'East only', majority, quorum 0.5, closes 2024-04-01T17:00Z. */
const proposed = (changes: Partial<DecisionProposed> = {}): PendingEvent => ({
  type: 'DecisionProposed',
  data: { ...samples.DecisionProposed, ...changes },
});
const NS = 'North and South';
const EAST = 'East only';
const vote = (partnerId: string, option: string): PendingEvent => ({ type: 'VoteCast', data: { decisionId, partnerId, option } });
const close = (now = before, partners: Record<string, PartnerStatus> = four): DecisionCommand => ({
  type: 'CloseDecision',
  decisionId,
  context: context(now, partners),
});
const closedWith = (data: Record<string, unknown>): PendingEvent =>
  ({ type: 'DecisionClosed', data: { decisionId, ...data } }) as PendingEvent;

const propose = (changes: Partial<ProposeDecision> = {}): ProposeDecision => ({
  type: 'ProposeDecision',
  ...samples.DecisionProposed,
  context: context(),
  ...changes,
});
const cast = (changes: Partial<CastVote> = {}): CastVote => ({
  type: 'CastVote',
  decisionId,
  partnerId: ids.partner,
  option: EAST,
  context: context(),
  ...changes,
});
const recordCommand = (changes: Partial<RecordDecision> = {}): RecordDecision => ({
  type: 'RecordDecision',
  ...samples.DecisionRecorded,
  context: context('2024-02-02T00:00:00Z'),
  ...changes,
});
const recorded: PendingEvent = { type: 'DecisionRecorded', data: samples.DecisionRecorded };

t.test('decisionStream names the stream', async (t) => {
  t.equal(decisionStream(decisionId), `decision-${decisionId}`);
});

t.test('ProposeDecision', async (t) => {
  t.test('proposes options, rule, quorum and closing time', async () => {
    given([]).when(propose()).then([proposed()]);
  });
  t.test('without a closing time', async () => {
    const { closesAt: _c, ...data } = samples.DecisionProposed;
    given([]).when(propose({ closesAt: undefined })).then([{ type: 'DecisionProposed', data }]);
  });
  t.test('closesAt must be in the future', async () => {
    given([]).when(propose({ context: context(after) })).thenThrows(RuleViolationError, 'in the future');
  });
  t.test('a decision id is used once', async () => {
    given([proposed()]).when(propose()).thenThrows(RuleViolationError, 'already exists');
    given([recorded]).when(propose()).thenThrows(RuleViolationError, 'already exists');
  });
  t.test('options are unique (catalog)', async () => {
    given([]).when(propose({ options: ['Yes', 'Yes'] })).thenThrows(ValidationError);
  });
  t.test('the backbone records the partner that put it forward', async () => {
    given([]).when(propose({ proposingPartnerId: ids.partner2 })).then([proposed({ proposingPartnerId: ids.partner2 })]);
  });
  t.test('the partner that put it forward is an active partner of the initiative', async () => {
    given([]).when(propose({ proposingPartnerId: uuid(77) })).thenThrows(RuleViolationError, 'is not a partner');
    given([])
      .when(propose({ proposingPartnerId: partner4, context: context(before, { ...four, [partner4]: 'left' }) }))
      .thenThrows(RuleViolationError, 'has left');
  });
});

t.test('CastVote', async (t) => {
  t.test('a partner votes for an option', async () => {
    given([proposed()]).when(cast({ comment: 'Highest need' })).then([{ type: 'VoteCast', data: samples.VoteCast }]);
  });
  t.test('a partner may vote again while open (the latest counts at close)', async () => {
    given([proposed(), vote(ids.partner, EAST)]).when(cast({ option: NS })).then([vote(ids.partner, NS)]);
  });
  t.test('a partner key votes for its own partner only', async () => {
    given([proposed()]).when(cast({ context: context(before, four, actors.partner) })).then([vote(ids.partner, EAST)]);
    given([proposed()])
      .when(cast({ partnerId: ids.partner2, context: context(before, four, actors.partner) }))
      .thenThrows(ForbiddenError);
  });
  t.test('the option must be one of the options', async () => {
    given([proposed()]).when(cast({ option: 'West' })).thenThrows(RuleViolationError, 'not an option');
  });
  t.test('only active partners vote', async () => {
    given([proposed()]).when(cast({ partnerId: uuid(77) })).thenThrows(RuleViolationError, 'is not a partner');
    given([proposed()])
      .when(cast({ context: context(before, { ...four, [ids.partner]: 'left' }) }))
      .thenThrows(RuleViolationError, 'has left');
  });
  t.test('no vote at or after closesAt', async () => {
    given([proposed()]).when(cast({ context: context(after) })).thenThrows(RuleViolationError, 'ended');
    // Times compare as instants, whatever their offsets: 19:00+02:00 is the closing instant, 18:59:59+02:00 before it.
    given([proposed()])
      .when(cast({ context: context('2024-04-01T19:00:00+02:00') }))
      .thenThrows(RuleViolationError, 'ended');
    given([proposed()]).when(cast({ context: context('2024-04-01T18:59:59+02:00') })).then([vote(ids.partner, EAST)]);
  });
  t.test('no vote once closed', async () => {
    given([proposed(), closedWith({ outcome: 'no_quorum', tally: { [NS]: 0, [EAST]: 0 }, votesCast: 0, eligibleVoters: 4 })])
      .when(cast())
      .thenThrows(RuleViolationError, 'is closed');
  });
  t.test('the decision must be proposed', async () => {
    given([]).when(cast()).thenThrows(NotFoundError);
  });
  t.test('a decision recorded from a meeting takes no votes', async () => {
    given([recorded]).when(cast()).thenThrows(RuleViolationError, 'recorded');
  });
});

t.test('CloseDecision', async (t) => {
  const votes = (...cast: [string, string][]) => cast.map(([partnerId, option]) => vote(partnerId, option));
  t.test('majority: the winning option has more than half the votes cast', async () => {
    given([proposed(), ...votes([ids.partner, EAST], [ids.partner2, EAST], [partner3, NS])])
      .when(close())
      .then([{ type: 'DecisionClosed', data: samples.DecisionClosed }]);
  });
  t.test("only each partner's latest vote counts", async () => {
    given([proposed(), ...votes([ids.partner, NS], [ids.partner2, EAST], [partner3, NS], [ids.partner, EAST])])
      .when(close())
      .then([{ type: 'DecisionClosed', data: samples.DecisionClosed }]);
  });
  t.test('a tie is rejected', async () => {
    given([proposed(), ...votes([ids.partner, EAST], [ids.partner2, EAST], [partner3, NS], [partner4, NS])])
      .when(close())
      .then([closedWith({ outcome: 'rejected', tally: { [NS]: 2, [EAST]: 2 }, votesCast: 4, eligibleVoters: 4 })]);
  });
  t.test('no quorum: too few of the eligible partners voted', async () => {
    given([proposed({ quorum: 0.75 }), ...votes([ids.partner, EAST], [ids.partner2, EAST])])
      .when(close())
      .then([closedWith({ outcome: 'no_quorum', tally: { [NS]: 0, [EAST]: 2 }, votesCast: 2, eligibleVoters: 4 })]);
  });
  t.test('no votes at all', async () => {
    given([proposed()])
      .when(close())
      .then([closedWith({ outcome: 'no_quorum', tally: { [NS]: 0, [EAST]: 0 }, votesCast: 0, eligibleVoters: 4 })]);
  });
  t.test('two_thirds and consensus', async () => {
    const three = votes([ids.partner, EAST], [ids.partner2, EAST], [partner3, NS]);
    given([proposed({ rule: 'two_thirds' }), ...three])
      .when(close())
      .then([closedWith({ outcome: 'adopted', winningOption: EAST, tally: { [NS]: 1, [EAST]: 2 }, votesCast: 3, eligibleVoters: 4 })]);
    given([proposed({ rule: 'consensus' }), ...three])
      .when(close())
      .then([closedWith({ outcome: 'rejected', tally: { [NS]: 1, [EAST]: 2 }, votesCast: 3, eligibleVoters: 4 })]);
    given([proposed({ rule: 'consensus' }), ...votes([ids.partner, NS], [ids.partner2, NS], [partner3, NS])])
      .when(close())
      .then([closedWith({ outcome: 'adopted', winningOption: NS, tally: { [NS]: 3, [EAST]: 0 }, votesCast: 3, eligibleVoters: 4 })]);
  });
  t.test('eligible voters are the active partners at close; a departed partner’s vote is not counted', async () => {
    const partners = { ...four, [partner3]: 'left', [partner4]: 'left' } as const;
    given([proposed(), ...votes([ids.partner, EAST], [partner3, NS], [partner4, NS])])
      .when(close(before, partners))
      .then([closedWith({ outcome: 'adopted', winningOption: EAST, tally: { [NS]: 0, [EAST]: 1 }, votesCast: 1, eligibleVoters: 2 })]);
  });
  t.test('closing before closesAt is allowed; after it, too', async () => {
    const expected = closedWith({ outcome: 'no_quorum', tally: { [NS]: 0, [EAST]: 0 }, votesCast: 0, eligibleVoters: 4 });
    given([proposed()]).when(close(before)).then([expected]);
    given([proposed()]).when(close(after)).then([expected]);
  });
  t.test('once', async () => {
    given([proposed(), closedWith({ outcome: 'no_quorum', tally: { [NS]: 0, [EAST]: 0 }, votesCast: 0, eligibleVoters: 4 })])
      .when(close())
      .thenThrows(RuleViolationError, 'is closed');
  });
  t.test('the decision must be proposed', async () => {
    given([]).when(close()).thenThrows(NotFoundError);
    given([recorded]).when(close()).thenThrows(RuleViolationError, 'recorded');
  });
});

t.test('tallyVotes', async (t) => {
  const ballot = { options: ['A', 'B', 'C'], rule: 'majority', quorum: 0.5 } as const;
  t.test('majority needs more than half, not a plurality', async (t) => {
    t.match(tallyVotes(ballot, ['A', 'A', 'B', 'C'], 4), { outcome: 'rejected', tally: { A: 2, B: 1, C: 1 } });
    t.match(tallyVotes(ballot, ['A', 'A', 'A', 'C'], 4), { outcome: 'adopted', winningOption: 'A' });
  });
  t.test('two_thirds is at least two thirds of the votes cast', async (t) => {
    t.match(tallyVotes({ ...ballot, rule: 'two_thirds' }, ['A', 'A', 'B'], 3), { outcome: 'adopted', winningOption: 'A' });
    t.match(tallyVotes({ ...ballot, rule: 'two_thirds' }, ['A', 'A', 'A', 'B', 'B'], 5), { outcome: 'rejected' });
  });
  t.test('quorum is exact for decimal fractions (11 of 20 meets 0.55)', async (t) => {
    const eleven = Array.from({ length: 11 }, () => 'A');
    t.match(tallyVotes({ ...ballot, quorum: 0.55 }, eleven, 20), { outcome: 'adopted', votesCast: 11, eligibleVoters: 20 });
    t.match(tallyVotes({ ...ballot, quorum: 0.55 }, eleven.slice(1), 20), { outcome: 'no_quorum' });
  });
  t.test('a quorum of 1 needs every eligible partner', async (t) => {
    t.match(tallyVotes({ ...ballot, quorum: 1 }, ['A', 'A'], 3), { outcome: 'no_quorum' });
    t.match(tallyVotes({ ...ballot, quorum: 1 }, ['A', 'A', 'A'], 3), { outcome: 'adopted' });
  });
  t.test('no eligible voter is no quorum', async (t) => {
    t.match(tallyVotes(ballot, [], 0), { outcome: 'no_quorum', votesCast: 0, eligibleVoters: 0 });
  });
});

t.test('RecordDecision', async (t) => {
  t.test('records a decision taken in a meeting', async () => {
    given([]).when(recordCommand()).then([recorded]);
  });
  t.test('a rejection names no option', async () => {
    const { chosenOption: _c, ...data } = samples.DecisionRecorded;
    given([])
      .when(recordCommand({ outcome: 'rejected', chosenOption: undefined }))
      .then([{ type: 'DecisionRecorded', data: { ...data, outcome: 'rejected' } }]);
  });
  t.test('the chosen option is one of the options (catalog)', async () => {
    given([]).when(recordCommand({ chosenOption: 'Veto' })).thenThrows(ValidationError);
  });
  t.test('takenAt is not in the future', async () => {
    given([])
      .when(recordCommand({ context: context('2024-02-01T09:00:00Z') }))
      .thenThrows(RuleViolationError, 'in the future');
  });
  t.test('the backbone records the partner that put it forward', async () => {
    given([])
      .when(recordCommand({ proposingPartnerId: ids.partner }))
      .then([{ type: 'DecisionRecorded', data: { ...samples.DecisionRecorded, proposingPartnerId: ids.partner } }]);
  });
  t.test('the partner that put it forward is an active partner of the initiative', async () => {
    given([]).when(recordCommand({ proposingPartnerId: uuid(77) })).thenThrows(RuleViolationError, 'is not a partner');
    given([])
      .when(recordCommand({ proposingPartnerId: ids.partner2, context: { ...context('2024-02-02T00:00:00Z', { [ids.partner2]: 'left' }) } }))
      .thenThrows(RuleViolationError, 'has left');
  });
  t.test('a decision id is used once', async () => {
    given([recorded]).when(recordCommand()).thenThrows(RuleViolationError, 'already exists');
    given([proposed()]).when(recordCommand()).thenThrows(RuleViolationError, 'already exists');
  });
});

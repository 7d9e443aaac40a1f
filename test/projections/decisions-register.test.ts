import t from 'tap';
import { decisionQuery, decisionsQuery, decisionsRegister } from '../../projections/decisions-register.js';
import { history, replay } from './events.js';

const I = '11111111-1111-4111-8111-111111111111';
const P1 = '22222222-2222-4222-8222-222222222222';
const P2 = '33333333-3333-4333-8333-333333333333';
const D = '44444444-4444-4444-8444-444444444444';
const M = '55555555-5555-4555-8555-555555555555';

t.test('given proposals, votes and outcomes, the register shows who voted how and what was decided', async (t) => {
  const h = history();
  h.add('DecisionProposed', { decisionId: D, initiativeId: I, title: 'Adopt the water charter', options: ['yes', 'no'], rule: 'majority', quorum: 0.5 })
    ('VoteCast', { decisionId: D, partnerId: P1, option: 'no' }, { partnerId: P1 })
    ('VoteCast', { decisionId: D, partnerId: P2, option: 'yes', comment: 'long overdue' }, { partnerId: P2 })
    ('VoteCast', { decisionId: D, partnerId: P1, option: 'yes' }, { partnerId: P1 })
    ('DecisionClosed', { decisionId: D, outcome: 'adopted', winningOption: 'yes', tally: { yes: 2, no: 0 }, votesCast: 2, eligibleVoters: 3 })
    ('DecisionRecorded', { decisionId: M, initiativeId: I, title: 'Meet quarterly', options: ['quarterly'], outcome: 'adopted', chosenOption: 'quarterly', takenAt: '2026-01-01T10:00:00Z' });
  const [charter, meeting] = decisionsQuery(replay(decisionsRegister, h.events).views[I]!);
  t.match(charter, { id: D, status: 'closed', outcome: 'adopted', winningOption: 'yes', tally: { yes: 2, no: 0 }, votesCast: 2, eligibleVoters: 3 });
  t.same(charter!.votes.map((v) => [v.partnerId, v.option]), [[P1, 'yes'], [P2, 'yes']], 'the latest vote of each partner counts');
  t.same(charter!.voteHistory.map((v) => [v.partnerId, v.option]), [[P1, 'no'], [P2, 'yes'], [P1, 'yes']], 'and every vote cast stays visible');
  t.match(charter!.proposedBy, { role: 'backbone' });
  t.match(meeting, { id: M, status: 'recorded', outcome: 'adopted', winningOption: 'quarterly', takenAt: '2026-01-01T10:00:00Z' });
});

t.test('given decisions put forward by a partner, the register names it beside the key that recorded them', async (t) => {
  const h = history();
  h.add('DecisionProposed', { decisionId: D, initiativeId: I, title: 'Adopt the water charter', options: ['yes', 'no'], rule: 'majority', quorum: 0.5, proposingPartnerId: P1 })
    ('DecisionRecorded', { decisionId: M, initiativeId: I, title: 'Meet quarterly', options: ['quarterly'], outcome: 'adopted', chosenOption: 'quarterly', takenAt: '2026-01-01T10:00:00Z', proposingPartnerId: P2 });
  const view = replay(decisionsRegister, h.events).views[I]!;
  const [charter, meeting] = decisionsQuery(view);
  t.match(charter, { id: D, status: 'open', proposingPartnerId: P1, proposedBy: { role: 'backbone' } });
  t.match(meeting, { id: M, status: 'recorded', proposingPartnerId: P2, proposedBy: { role: 'backbone' } });
  t.match(decisionQuery(view, M), { proposingPartnerId: P2 }, 'and so does the decision read by id');
});

t.test('given a decision without proposingPartnerId, the entry names no proposing partner', async (t) => {
  const h = history();
  h.add('DecisionProposed', { decisionId: D, initiativeId: I, title: 'Adopt the water charter', options: ['yes', 'no'], rule: 'majority', quorum: 0.5 });
  const [charter] = decisionsQuery(replay(decisionsRegister, h.events).views[I]!);
  t.notOk('proposingPartnerId' in charter!);
});

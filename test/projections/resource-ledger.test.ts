import t from 'tap';
import { addDecimal, percentOf } from '../../projections/decimal.js';
import { contributionQuery, ledgerQuery, resourceLedger } from '../../projections/resource-ledger.js';
import { history, replay } from './events.js';

const I = '11111111-1111-4111-8111-111111111111';
const P1 = '22222222-2222-4222-8222-222222222222';
const P2 = '33333333-3333-4333-8333-333333333333';
const G = '44444444-4444-4444-8444-444444444444';
const S = '55555555-5555-4555-8555-555555555555';
const C1 = 'c1111111-1111-4111-8111-111111111111';
const C2 = 'c2222222-2222-4222-8222-222222222222';
const C3 = 'c3333333-3333-4333-8333-333333333333';
const K1 = 'b1111111-1111-4111-8111-111111111111';
const K2 = 'b2222222-2222-4222-8222-222222222222';
const K3 = 'b3333333-3333-4333-8333-333333333333';
const K4 = 'b4444444-4444-4444-8444-444444444444';

const given = () => {
  const h = history();
  h.add('PartnerJoined', { initiativeId: I, partnerId: P1, name: 'City', sector: 'government', primaryInterests: [], isBackbone: false })
    ('PartnerJoined', { initiativeId: I, partnerId: P2, name: 'Foundation', sector: 'philanthropy', primaryInterests: [], isBackbone: false })
    ('StrategyAdopted', { initiativeId: I, strategyId: S, goalId: G, title: 'Buffer strips' })
    ('CommitmentMade', { commitmentId: C1, initiativeId: I, partnerId: P2, goalId: G, kind: 'funding', money: { amount: '10000.10', currency: 'EUR' }, dueDate: '2026-06-30' })
    ('CommitmentMade', { commitmentId: C2, initiativeId: I, partnerId: P1, strategyId: S, kind: 'staff_time', hours: 100, dueDate: '2026-03-31' })
    ('CommitmentMade', { commitmentId: C3, initiativeId: I, partnerId: P1, goalId: G, kind: 'funding', money: { amount: '5000', currency: 'USD' }, dueDate: '2026-12-31' })
    ('ContributionRecorded', { contributionId: K1, initiativeId: I, partnerId: P2, commitmentId: C1, money: { amount: '2500.05', currency: 'EUR' }, date: '2026-02-01' })
    ('ContributionRecorded', { contributionId: K2, initiativeId: I, partnerId: P2, commitmentId: C1, money: { amount: '2500.05', currency: 'EUR' }, date: '2026-03-01' })
    ('ContributionReversed', { contributionId: K2, commitmentId: C1, reason: 'double entry' })
    ('ContributionRecorded', { contributionId: K3, initiativeId: I, partnerId: P1, commitmentId: C2, hours: 40, date: '2026-02-15' })
    ('ContributionRecorded', { contributionId: K4, initiativeId: I, partnerId: P1, description: 'Meeting rooms', estimatedValue: { amount: '300', currency: 'EUR' }, date: '2026-02-20' })
    ('CommitmentWithdrawn', { commitmentId: C3, reason: 'budget cut' });
  return replay(resourceLedger, h.events).views[I]!;
};

t.test('exact decimal sums, never across currencies', async (t) => {
  t.equal(addDecimal('0.1', '0.2'), '0.3');
  t.equal(addDecimal('10000.10', '-0.1'), '10000');
  t.equal(percentOf('2500.05', '10000.10'), 25);
});

t.test('given commitments and contributions, the ledger shows fulfilment, overdue and totals by partner, sector, goal', async (t) => {
  const view = given();
  const ledger = ledgerQuery(view, '2026-04-15');
  const byId = Object.fromEntries(ledger.commitments.map((c) => [c.id, c]));
  t.equal(byId[C1]!.fulfilmentPercent, 25, 'a reversed contribution does not count');
  t.same(byId[C1]!.delivered.money, { EUR: '2500.05' });
  t.equal(byId[C2]!.fulfilmentPercent, 40, 'staff time is measured in hours');
  t.same(ledger.overdue, [C2], 'overdue is judged at the view date: C2 was due 2026-03-31 and is 40 % done');
  t.equal(byId[C3]!.overdue, false, 'a withdrawn commitment is never overdue');
  t.same(ledgerQuery(view, '2026-03-01').overdue, [], 'earlier, nothing was overdue: the date comes from asOf, not the clock');
  t.same(ledger.bySector.philanthropy, { committed: { money: { EUR: '10000.1' }, hours: 0, estimatedValue: {} }, contributed: { money: { EUR: '2500.05' }, hours: 0, estimatedValue: {} } });
  t.same(ledger.bySector.government?.committed, { money: {}, hours: 100, estimatedValue: {} }, 'the withdrawn USD pledge is not committed any more');
  t.same(ledger.bySector.government?.contributed, { money: {}, hours: 40, estimatedValue: { EUR: '300' } }, 'in-kind value sits beside money, never in it');
  t.same(ledger.byGoal[G]?.committed.money, { EUR: '10000.1' }, 'a strategy commitment counts toward its goal');
  t.equal(ledger.byGoal[G]?.committed.hours, 100);
});

t.test('given contributions, one is read out of the view by id, reversed ones marked', async (t) => {
  const view = given();
  t.same(contributionQuery(view, K1), { id: K1, partnerId: P2, commitmentId: C1, money: { amount: '2500.05', currency: 'EUR' }, date: '2026-02-01', reversed: false, recordedAt: view.contributions[K1]!.recordedAt });
  t.match(contributionQuery(view, K2), { id: K2, reversed: true }, 'a reversed contribution is still there, marked');
  t.same(contributionQuery(view, K4), { id: K4, partnerId: P1, description: 'Meeting rooms', estimatedValue: { amount: '300', currency: 'EUR' }, date: '2026-02-20', reversed: false, recordedAt: view.contributions[K4]!.recordedAt }, 'unplanned: no commitment');
  t.same(contributionQuery(view, K1), ledgerQuery(view, '2026-04-15').contributions[0], 'as the ledger lists it');
  t.equal(contributionQuery(view, C1), undefined, 'a commitment id → undefined');
  t.equal(contributionQuery(view, 'b9999999-1111-4111-8111-111111111111'), undefined, 'an unknown id → undefined');
  contributionQuery(view, K1)!.money!.amount = '0';
  t.equal(view.contributions[K1]!.money!.amount, '2500.05', 'an answer shares nothing with the view');
});

t.test('given past-due commitments, overdue is judged on what was delivered, exactly, not on the percent shown', async (t) => {
  const D1 = 'd1111111-1111-4111-8111-111111111111';
  const D2 = 'd2222222-2222-4222-8222-222222222222';
  const H1 = 'd3333333-3333-4333-8333-333333333333';
  const M1 = 'd4444444-4444-4444-8444-444444444444';
  const h = history();
  h.add('PartnerJoined', { initiativeId: I, partnerId: P1, name: 'City', sector: 'government', primaryInterests: [], isBackbone: false })
    ('CommitmentMade', { commitmentId: D1, initiativeId: I, partnerId: P1, goalId: G, kind: 'data', description: 'district dataset', dueDate: '2026-06-30' })
    ('CommitmentMade', { commitmentId: D2, initiativeId: I, partnerId: P1, goalId: G, kind: 'data', description: 'school dataset', dueDate: '2026-06-30' })
    ('CommitmentMade', { commitmentId: H1, initiativeId: I, partnerId: P1, goalId: G, kind: 'staff_time', hours: 20000, dueDate: '2026-06-30' })
    ('CommitmentMade', { commitmentId: M1, initiativeId: I, partnerId: P1, goalId: G, kind: 'funding', money: { amount: '3', currency: 'EUR' }, dueDate: '2026-06-30' })
    ('ContributionRecorded', { contributionId: K1, initiativeId: I, partnerId: P1, commitmentId: D1, description: 'delivered', date: '2026-06-01' })
    ('ContributionRecorded', { contributionId: K2, initiativeId: I, partnerId: P1, commitmentId: D2, description: 'delivered, then found to be another dataset', date: '2026-06-01' })
    ('ContributionReversed', { contributionId: K2, commitmentId: D2, reason: 'wrong dataset' })
    ('ContributionRecorded', { contributionId: K3, initiativeId: I, partnerId: P1, commitmentId: H1, hours: 19999, date: '2026-06-01' })
    ('ContributionRecorded', { contributionId: K4, initiativeId: I, partnerId: P1, commitmentId: M1, money: { amount: '2', currency: 'EUR' }, date: '2026-06-01' });
  const view = replay(resourceLedger, h.events).views[I]!;
  const ledger = ledgerQuery(view, '2026-07-01');
  const byId = Object.fromEntries(ledger.commitments.map((c) => [c.id, c]));
  t.equal(byId[D1]!.fulfilmentPercent, null, 'a data commitment has no measure');
  t.equal(byId[D1]!.overdue, false, 'delivered: not overdue');
  t.equal(byId[D2]!.overdue, true, 'its only contribution reversed: nothing delivered, overdue');
  t.equal(byId[H1]!.fulfilmentPercent, 99.9, '19,999 of 20,000 hours is 99.995 %, shown cut to 99.9, as money is');
  t.equal(byId[H1]!.overdue, true, 'one hour short: overdue');
  t.equal(byId[M1]!.fulfilmentPercent, 66.6, '2 of 3 EUR');
  t.same(ledger.overdue, [D2, H1, M1]);
});

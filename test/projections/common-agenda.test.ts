import t from 'tap';
import { agendaQuery, commonAgenda, goalQuery, partnerQuery, strategyQuery } from '../../projections/common-agenda.js';
import { digestsOf } from '../../projections/digest.js';
import { history, replay } from './events.js';

const I = '11111111-1111-4111-8111-111111111111';
const P1 = '22222222-2222-4222-8222-222222222222';
const P2 = '33333333-3333-4333-8333-333333333333';
const G = '44444444-4444-4444-8444-444444444444';
const S = '55555555-5555-4555-8555-555555555555';
const IND = '66666666-6666-4666-8666-666666666666';
const C = '77777777-7777-4777-8777-777777777777';

const given = () => {
  const h = history();
  h.add('InitiativeLaunched', { initiativeId: I, name: 'Clean River', problemStatement: 'Runoff pollutes the river.' })
    ('PartnerJoined', { initiativeId: I, partnerId: P1, name: 'River Trust', sector: 'nonprofit', primaryInterests: ['water'], isBackbone: true })
    ('PartnerJoined', { initiativeId: I, partnerId: P2, name: 'Farmers Union', sector: 'business', primaryInterests: ['soil', 'yield'], isBackbone: false })
    ('GoalAdopted', { initiativeId: I, goalId: G, title: 'Swimmable by 2030' })
    ('StrategyAdopted', { initiativeId: I, strategyId: S, goalId: G, title: 'Buffer strips' })
    ('ResponsibilityAssigned', { initiativeId: I, strategyId: S, partnerId: P1, role: 'A' })
    ('ResponsibilityAssigned', { initiativeId: I, strategyId: S, partnerId: P2, role: 'R' })
    ('IndicatorDefined', {
      initiativeId: I, indicatorId: IND, goalId: G, name: 'E. coli', measure: 'count', unit: 'cfu/100ml', direction: 'decrease', cumulative: false,
      baseline: { value: 900, date: '2025-01-01' }, targets: [{ periodEnd: '2030-12-31', value: 126 }], frequency: 'quarterly', disaggregations: [], requiresApproval: false,
    })
    ('IndicatorTargetRevised', { initiativeId: I, indicatorId: IND, periodEnd: '2030-12-31', value: 100, reason: 'EU bathing standard' })
    ('CommitmentMade', { commitmentId: C, initiativeId: I, partnerId: P2, strategyId: S, kind: 'staff_time', hours: 400, dueDate: '2026-12-31' })
    ('PartnerLeft', { initiativeId: I, partnerId: P2, reason: 'merged' });
  return h.events;
};

t.test('given an initiative history, the agenda shows partners, goals, strategies, RACI, targets and alignment', async (t) => {
  const view = agendaQuery(replay(commonAgenda, given()).views[I]!);
  t.match(view.initiative, { id: I, name: 'Clean River' });
  t.same(view.partnersBySector, { nonprofit: [P1], business: [P2] });
  t.match(view.partners.find((p) => p.id === P2), { status: 'left', leftAt: String });
  t.equal(view.goals.length, 1);
  t.match(view.goals[0]!.strategies[0], { id: S, title: 'Buffer strips', raci: { [P1]: 'A', [P2]: 'R' } });
  const indicator = view.goals[0]!.indicators[0]!;
  t.same(indicator.targets.map((x) => x.value), [100], 'the revised target stands');
  t.same(indicator.targetHistory.map((x) => [x.value, x.reason ?? null]), [[126, null], [100, 'EU bathing standard']], 'history shows every target that stood');
  t.same(view.raci, [{ strategyId: S, partnerId: P1, role: 'A' }, { strategyId: S, partnerId: P2, role: 'R' }]);
  t.same(view.alignment, [
    { partnerId: P1, primaryInterests: ['water'], goalIds: [] },
    { partnerId: P2, primaryInterests: ['soil', 'yield'], goalIds: [G] },
  ], 'a commitment to a strategy aligns the partner with its goal');
});

t.test('replaying the same events gives byte-identical state and the same digest', async (t) => {
  const events = given();
  const a = replay(commonAgenda, events);
  const b = replay(commonAgenda, events);
  t.same(digestsOf(commonAgenda, a), digestsOf(commonAgenda, b));
  t.match(digestsOf(commonAgenda, a)[I], /^[0-9a-f]{64}$/);
  const changed = replay(commonAgenda, events.slice(0, -1));
  t.not(digestsOf(commonAgenda, changed)[I], digestsOf(commonAgenda, a)[I], 'a different history gives a different digest');
});

t.test('given an initiative history, one partner, goal or strategy is read out of the view by id', async (t) => {
  const events = given();
  const view = replay(commonAgenda, events).views[I]!;
  const agenda = agendaQuery(view);

  t.same(partnerQuery(view, P2), {
    id: P2,
    name: 'Farmers Union',
    sector: 'business',
    primaryInterests: ['soil', 'yield'],
    isBackbone: false,
    status: 'left',
    joinedAt: events[2]!.metadata.recordedAt,
    leftAt: events[10]!.metadata.recordedAt,
    goalIds: [G],
    responsibilities: [{ strategyId: S, role: 'R' }],
  }, 'the partner with its alignment row and its RACI roles');
  t.same(partnerQuery(view, P1), { ...agenda.partners.find((p) => p.id === P1), goalIds: [], responsibilities: [{ strategyId: S, role: 'A' }] }, 'as the agenda lists it');

  t.same(goalQuery(view, G), { id: G, title: 'Swimmable by 2030', revisions: 0, strategyIds: [S], indicatorIds: [IND] });
  t.same(strategyQuery(view, S), { id: S, goalId: G, title: 'Buffer strips', raci: { [P1]: 'A', [P2]: 'R' } }, 'the strategy with its RACI responsibilities');
  t.same(strategyQuery(view, S), agenda.goals[0]!.strategies[0], 'as the agenda lists it under its goal');

  const early = replay(commonAgenda, events.slice(0, 5)).views[I]!;
  t.same(strategyQuery(early, S), { id: S, goalId: G, title: 'Buffer strips', raci: {} }, 'before any responsibility was assigned');
  t.same(goalQuery(early, G)!.indicatorIds, [], 'before its indicator was defined');
  t.equal(partnerQuery(early, P2)!.status, 'active');

  for (const [name, query] of [['partner', partnerQuery], ['goal', goalQuery], ['strategy', strategyQuery]] as const) {
    t.equal(query(view, C), undefined, `${name}: an id the view does not hold → undefined`);
    t.equal(query(view, name === 'goal' ? S : G), undefined, `${name}: an id of another kind → undefined`);
  }

  const revised = history();
  revised.add('GoalRevised', { initiativeId: I, goalId: G, title: 'Swimmable by 2032', description: 'Later, but surely', reason: 'funding' });
  const later = replay(commonAgenda, [...events, ...revised.events.map((e) => ({ ...e, seq: events.length }))]).views[I]!;
  t.same(goalQuery(later, G), { id: G, title: 'Swimmable by 2032', description: 'Later, but surely', revisions: 1, strategyIds: [S], indicatorIds: [IND] }, 'a revision shows, and is counted');

  const answer = partnerQuery(view, P2)!;
  answer.primaryInterests.push('changed');
  answer.goalIds.push('changed');
  strategyQuery(view, S)!.raci[P1] = 'I';
  goalQuery(view, G)!.strategyIds.push('changed');
  t.same(partnerQuery(view, P2)!.primaryInterests, ['soil', 'yield'], 'an answer shares nothing with the view');
  t.same(view.alignment[P2], [G]);
  t.equal(view.strategies[S]!.raci[P1], 'A');
  t.same(view.goals[G]!.strategyIds, [S]);
});

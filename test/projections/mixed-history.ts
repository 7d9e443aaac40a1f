import type { ProjectedEvent } from '../../projections/projection.js';
import { history } from './events.js';

/** A fixed history touching every projection: the same bytes in every process. */
export const mixedHistory = (): ProjectedEvent[] => {
  const I = '11111111-1111-4111-8111-111111111111';
  const P1 = '22222222-2222-4222-8222-222222222222';
  const P2 = '33333333-3333-4333-8333-333333333333';
  const G = '44444444-4444-4444-8444-444444444444';
  const S = '55555555-5555-4555-8555-555555555555';
  const C = '66666666-6666-4666-8666-666666666666';
  const K = '77777777-7777-4777-8777-777777777777';
  const D = '88888888-8888-4888-8888-888888888888';
  const A = '99999999-9999-4999-8999-999999999999';
  const h = history();
  h.add('InitiativeLaunched', { initiativeId: I, name: 'Clean River', problemStatement: 'Runoff pollutes the river.' })
    ('PartnerJoined', { initiativeId: I, partnerId: P1, name: 'City', sector: 'government', primaryInterests: ['water'], isBackbone: true })
    ('PartnerJoined', { initiativeId: I, partnerId: P2, name: 'Residents', sector: 'community', primaryInterests: ['health'], isBackbone: false })
    ('GoalAdopted', { initiativeId: I, goalId: G, title: 'Swimmable by 2030' })
    ('StrategyAdopted', { initiativeId: I, strategyId: S, goalId: G, title: 'Buffer strips' })
    ('ResponsibilityAssigned', { initiativeId: I, strategyId: S, partnerId: P2, role: 'C' })
    ('CommitmentMade', { commitmentId: C, initiativeId: I, partnerId: P1, goalId: G, kind: 'funding', money: { amount: '1000.50', currency: 'EUR' }, dueDate: '2026-06-30' })
    ('ContributionRecorded', { contributionId: K, initiativeId: I, partnerId: P1, commitmentId: C, money: { amount: '250.25', currency: 'EUR' }, date: '2026-02-01' })
    ('DecisionProposed', { decisionId: D, initiativeId: I, title: 'Adopt charter', options: ['yes', 'no'], rule: 'majority', quorum: 0.5 }, { partnerId: P1 })
    ('VoteCast', { decisionId: D, partnerId: P2, option: 'yes', comment: 'ünïcødé ✓' }, { partnerId: P2 })
    ('ActivityLogged', { initiativeId: I, activityId: A, title: 'Town hall', kind: 'meeting', date: '2026-01-20', partnerIds: [P1, P2] });
  return h.events;
};

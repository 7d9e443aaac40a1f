import t from 'tap';
import { activityQuery, initiativeLog, lessonQuery, riskQuery } from '../../projections/initiative-log.js';
import { history, replay } from './events.js';

const I = '11111111-1111-4111-8111-111111111111';
const P = '22222222-2222-4222-8222-222222222222';
const R = '33333333-3333-4333-8333-333333333333';
const A = '44444444-4444-4444-8444-444444444444';
const L = '55555555-5555-4555-8555-555555555555';

t.test('given activities, risk reviews and lessons, the log lists them with the risk as it now stands', async (t) => {
  const h = history();
  h.add('ActivityLogged', { initiativeId: I, activityId: A, title: 'Kick-off', kind: 'meeting', date: '2026-01-05', partnerIds: [P], minutes: 'Agreed the charter.' })
    ('RiskRaised', { initiativeId: I, riskId: R, title: 'Funding gap', category: 'financial', likelihood: 'high', impact: 'high', ownerPartnerId: P })
    ('RiskReviewed', { initiativeId: I, riskId: R, likelihood: 'medium', impact: 'high', mitigation: 'Second funder approached' })
    ('RiskClosed', { initiativeId: I, riskId: R, resolution: 'mitigated', reason: 'Grant secured' })
    ('LessonRecorded', { initiativeId: I, lessonId: L, kind: 'failure', title: 'Late data', whatHappened: 'Q1 data came late.', whatWeLearned: 'Set reminders.' });
  const view = replay(initiativeLog, h.events).views[I]!;
  t.match(view.activities, [{ activityId: A, title: 'Kick-off', partnerIds: [P] }]);
  t.match(view.risks, [{ riskId: R, status: 'closed', likelihood: 'medium', mitigation: 'Second funder approached', closure: { resolution: 'mitigated' } }]);
  t.equal(view.risks[0]!.reviews.length, 1, 'every review is kept');
  t.match(view.lessons, [{ lessonId: L, kind: 'failure', whatWeLearned: 'Set reminders.' }]);
});

t.test('given the log, one activity, risk or lesson is read out of the view by id, as the list shows it', async (t) => {
  const h = history();
  h.add('ActivityLogged', { initiativeId: I, activityId: A, title: 'Kick-off', kind: 'meeting', date: '2026-01-05', partnerIds: [P], minutes: 'Agreed the charter.', outputs: ['charter'] })
    ('RiskRaised', { initiativeId: I, riskId: R, title: 'Funding gap', category: 'financial', likelihood: 'high', impact: 'high', ownerPartnerId: P })
    ('RiskReviewed', { initiativeId: I, riskId: R, likelihood: 'medium', impact: 'high', mitigation: 'Second funder approached', notes: 'Call in March' })
    ('RiskClosed', { initiativeId: I, riskId: R, resolution: 'mitigated', reason: 'Grant secured' })
    ('LessonRecorded', { initiativeId: I, lessonId: L, kind: 'failure', title: 'Late data', whatHappened: 'Q1 data came late.', whatWeLearned: 'Set reminders.' });
  const at = (seq: number) => h.events[seq]!.metadata.recordedAt;
  const view = replay(initiativeLog, h.events).views[I]!;

  t.same(activityQuery(view, A), { id: A, title: 'Kick-off', kind: 'meeting', date: '2026-01-05', partnerIds: [P], minutes: 'Agreed the charter.', outputs: ['charter'], recordedAt: at(0) });
  t.same(riskQuery(view, R), {
    id: R,
    title: 'Funding gap',
    category: 'financial',
    likelihood: 'medium',
    impact: 'high',
    ownerPartnerId: P,
    mitigation: 'Second funder approached',
    status: 'closed',
    raisedAt: at(1),
    reviews: [{ likelihood: 'medium', impact: 'high', mitigation: 'Second funder approached', notes: 'Call in March', reviewedAt: at(2) }],
    closure: { resolution: 'mitigated', reason: 'Grant secured', closedAt: at(3) },
  }, 'the risk as it now stands, with every review and its closure');
  t.same(lessonQuery(view, L), { id: L, kind: 'failure', title: 'Late data', whatHappened: 'Q1 data came late.', whatWeLearned: 'Set reminders.', recordedAt: at(4) });

  const { riskId, ...listed } = view.risks[0]!;
  t.same(riskQuery(view, R), { id: riskId, ...listed }, 'the list entry, its riskId as id');

  const raised = replay(initiativeLog, h.events.slice(0, 2)).views[I]!;
  t.match(riskQuery(raised, R), { status: 'open', likelihood: 'high', reviews: [] }, 'as it stood when raised');
  t.notOk('closure' in riskQuery(raised, R)!);
  t.equal(lessonQuery(raised, L), undefined, 'not recorded yet → undefined');

  t.equal(activityQuery(view, R), undefined, 'a risk id is not an activity');
  t.equal(riskQuery(view, L), undefined, 'a lesson id is not a risk');
  t.equal(lessonQuery(view, A), undefined, 'an activity id is not a lesson');

  riskQuery(view, R)!.reviews.push({ likelihood: 'low', impact: 'low', reviewedAt: 'x' });
  activityQuery(view, A)!.partnerIds.push('x');
  t.equal(view.risks[0]!.reviews.length, 1, 'an answer shares nothing with the view');
  t.same(view.activities[0]!.partnerIds, [P]);
});

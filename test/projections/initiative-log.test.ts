import t from 'tap';
import { initiativeLog } from '../../projections/initiative-log.js';
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

import t, { type Test } from 'tap';
import { randomUUID } from 'node:crypto';
import { startService } from '../helpers/service.js';
import { api } from '../helpers/api.js';

const eur = (amount: string) => ({ amount, currency: 'EUR' });
const sha256 = 'a'.repeat(64);

/** An initiative with a goal and strategy, two partners with partner keys, and a backbone key. */
const setup = async (t: Test) => {
  const service = await startService(t);
  const c = api(service.app);
  const initiativeId = await c.launch();
  const goalId = await c.goal(initiativeId);
  const strategyId = await c.strategy(initiativeId, goalId);
  const partnerId = await c.partner(initiativeId, 'County Water Fund', 'philanthropy');
  const otherPartnerId = await c.partner(initiativeId, 'Farmers Union', 'business');
  const backbone = await c.key({ role: 'backbone', initiativeId });
  const partner = await c.key({ role: 'partner', initiativeId, partnerId });
  const otherPartner = await c.key({ role: 'partner', initiativeId, partnerId: otherPartnerId });
  return { ...service, c, initiativeId, goalId, strategyId, partnerId, otherPartnerId, backbone, partner, otherPartner };
};

t.test('a partner makes, revises and withdraws its own commitment', async (t) => {
  const { c, store, initiativeId, goalId, strategyId, partnerId, otherPartnerId, partner, otherPartner, backbone } = await setup(t);
  const made = await c.post(`/initiatives/${initiativeId}/commitments`, { partnerId, goalId, kind: 'funding', money: eur('5000.00'), dueDate: '2026-12-31' }, partner.headers);
  t.equal(made.status, 201);
  const commitmentId = made.body.id as string;
  t.equal(made.headers.location, `/commitments/${commitmentId}`);
  t.match(made.body, { stream: `commitment-${commitmentId}`, revision: 0 });
  t.match((await store.readStream(`commitment-${commitmentId}`))[0], { type: 'CommitmentMade', data: { commitmentId, initiativeId, partnerId, goalId, kind: 'funding', money: eur('5000.00') } });

  const staff = await c.post(`/initiatives/${initiativeId}/commitments`, { partnerId: otherPartnerId, strategyId, kind: 'staff_time', hours: 120, dueDate: '2026-06-30' }, otherPartner.headers);
  t.equal(staff.status, 201, 'toward a strategy, in hours');
  t.equal((await c.post(`/initiatives/${initiativeId}/commitments`, { partnerId: otherPartnerId, goalId, kind: 'in_kind', description: 'Lab testing', estimatedValue: eur('800'), dueDate: '2026-06-30' }, backbone.headers)).status, 201, 'the backbone records a pledge for a partner');

  const forOther = await c.post(`/initiatives/${initiativeId}/commitments`, { partnerId: otherPartnerId, goalId, kind: 'funding', money: eur('1'), dueDate: '2026-12-31' }, partner.headers);
  t.equal(forOther.status, 403, 'a partner key pledges only for its own partner');
  t.match(forOther.body, { type: '/problems/forbidden' });

  const paths = async (body: object) => (await c.post(`/initiatives/${initiativeId}/commitments`, body, partner.headers)).body.errors?.map((e: { path: string }) => e.path).sort();
  t.same(await paths({ partnerId, goalId, strategyId, kind: 'funding', money: eur('1'), dueDate: '2026-12-31' }), ['body.strategyId'], 'goalId or strategyId, not both');
  t.same(await paths({ partnerId, kind: 'funding', money: eur('1'), dueDate: '2026-12-31' }), ['body.goalId']);
  t.same(await paths({ partnerId, goalId, kind: 'funding', dueDate: '2026-12-31' }), ['body.money'], 'funding needs money');
  t.same(await paths({ partnerId, goalId, kind: 'funding', money: { amount: '1e3', currency: 'eur' }, dueDate: '2026-13-01' }).then((p) => p), ['body.dueDate', 'body.money.amount', 'body.money.currency']);
  t.match((await c.post(`/initiatives/${initiativeId}/commitments`, { partnerId, goalId: randomUUID(), kind: 'funding', money: eur('1'), dueDate: '2026-12-31' }, partner.headers)).body, { status: 409, detail: /not a goal/ });

  const revised = await c.post(`/commitments/${commitmentId}/revisions`, { money: eur('6000.00'), reason: 'board approved more' }, { ...partner.headers, 'if-match': '0' });
  t.equal(revised.status, 201);
  t.match(revised.body, { id: commitmentId, revision: 1 });
  t.match((await c.post(`/commitments/${commitmentId}/revisions`, { dueDate: '2027-01-31', reason: 'later' }, { ...partner.headers, 'if-match': '0' })).body, { status: 412, type: '/problems/precondition-failed' });
  t.match((await c.post(`/commitments/${commitmentId}/revisions`, { money: { amount: '10', currency: 'USD' }, reason: 'dollars now' }, partner.headers)).body, { status: 409, detail: /never mixed/ });
  t.match((await c.post(`/commitments/${commitmentId}/revisions`, { reason: 'nothing changes' }, partner.headers)).body, { status: 400, errors: [{ path: 'body.reason', message: /at least one/ }] });
  t.equal((await c.post(`/commitments/${commitmentId}/revisions`, { dueDate: '2027-01-31', reason: 'not mine' }, otherPartner.headers)).status, 403, 'another partner does not revise it');

  t.equal((await c.post(`/commitments/${commitmentId}/withdrawal`, { reason: 'not mine' }, otherPartner.headers)).status, 403);
  t.equal((await c.post(`/commitments/${commitmentId}/withdrawal`, { reason: 'budget cut' }, partner.headers)).status, 201);
  t.match((await c.post(`/commitments/${commitmentId}/withdrawal`, { reason: 'again' }, partner.headers)).body, { status: 409, detail: /already withdrawn/ });
  t.match((await c.post(`/commitments/${commitmentId}/contributions`, { money: eur('1'), date: '2026-02-01' }, partner.headers)).body, { status: 409, detail: /withdrawn/ });
});

t.test('contributions against a commitment: a resource of their own in the commitment stream, in its currency, reversible', async (t) => {
  const { c, store, app, initiativeId, goalId, partnerId, partner, otherPartner } = await setup(t);
  const commitmentId = await c.commitment(initiativeId, partnerId, goalId, {}, partner.headers);

  const res = await c.post(`/commitments/${commitmentId}/contributions`, { money: eur('2500.00'), date: '2026-02-15', evidence: { url: 'https://fund.example.org/transfer-2026-02.pdf', sha256 } }, partner.headers);
  t.equal(res.status, 201);
  const contributionId = res.body.id as string;
  t.not(contributionId, commitmentId);
  t.equal(res.headers.location, `/contributions/${contributionId}`);
  t.match(res.body, { stream: `commitment-${commitmentId}`, revision: 1 });
  t.match((await store.readStream(`commitment-${commitmentId}`))[1], { type: 'ContributionRecorded', data: { contributionId, commitmentId, initiativeId, partnerId, money: eur('2500.00'), evidence: { sha256 } } });

  const usd = await c.post(`/commitments/${commitmentId}/contributions`, { money: { amount: '100.00', currency: 'USD' }, date: '2026-02-16' }, partner.headers);
  t.equal(usd.status, 409, 'a contribution in another currency');
  t.match(usd.body, { type: '/problems/rule-violation', detail: /in EUR; a contribution in USD does not fit/ });
  t.match((await c.post(`/commitments/${commitmentId}/contributions`, { hours: 3, date: '2026-02-16' }, partner.headers)).body, { status: 409, detail: /no hours/ });
  t.equal((await c.post(`/commitments/${commitmentId}/contributions`, { money: eur('1'), date: '2026-02-16' }, otherPartner.headers)).status, 403, 'only the pledging partner delivers');
  const badEvidence = await c.post(`/commitments/${commitmentId}/contributions`, { money: eur('1'), date: '2026-02-16', evidence: { url: 'ftp://x', sha256: 'ABC' } }, partner.headers);
  t.same(badEvidence.body.errors.map((e: { path: string }) => e.path).sort(), ['body.evidence.sha256', 'body.evidence.url']);
  t.match((await c.post(`/commitments/${commitmentId}/contributions`, { date: '2026-02-16' }, partner.headers)).body, { status: 400, errors: [{ path: 'body.money', message: /money, hours or a description/ }] });

  t.equal((await c.post(`/contributions/${contributionId}/reversal`, { reason: 'not mine' }, otherPartner.headers)).status, 403);
  const reversed = await c.post(`/contributions/${contributionId}/reversal`, { reason: 'the transfer bounced' }, partner.headers);
  t.equal(reversed.status, 201, 'the directory routes the contribution id to its commitment stream');
  t.match(reversed.body, { id: contributionId, stream: `commitment-${commitmentId}` });
  t.match((await store.readStream(`commitment-${commitmentId}`)).at(-1), { type: 'ContributionReversed', data: { contributionId, commitmentId, reason: 'the transfer bounced' } });
  t.match((await c.post(`/contributions/${contributionId}/reversal`, { reason: 'twice' }, partner.headers)).body, { status: 409, detail: /already reversed/ });
  t.equal((await app.inject({ method: 'POST', url: `/contributions/${contributionId}/reversal`, headers: partner.headers, payload: { reason: 'stale', extra: 1 } })).statusCode, 400);
});

t.test('unplanned contributions live in their own stream and are reversed there', async (t) => {
  const { c, store, initiativeId, partnerId, otherPartnerId, partner, backbone } = await setup(t);
  const res = await c.post(`/initiatives/${initiativeId}/contributions`, { partnerId, description: 'Volunteers cleaned the riverbank', hours: 40, date: '2026-03-08' }, partner.headers);
  t.equal(res.status, 201);
  const contributionId = res.body.id as string;
  t.equal(res.headers.location, `/contributions/${contributionId}`);
  t.match(res.body, { stream: `contribution-${contributionId}`, revision: 0 });
  t.match((await store.readStream(`contribution-${contributionId}`))[0], { type: 'ContributionRecorded', data: { contributionId, initiativeId, partnerId, hours: 40 } });
  t.equal((await c.post(`/initiatives/${initiativeId}/contributions`, { partnerId: otherPartnerId, money: eur('1'), date: '2026-03-08' }, partner.headers)).status, 403, 'for its own partner only');
  t.match((await c.post(`/initiatives/${initiativeId}/contributions`, { partnerId: randomUUID(), money: eur('1'), date: '2026-03-08' }, backbone.headers)).body, { status: 409, detail: /not a partner/ });

  const stale = await c.post(`/contributions/${contributionId}/reversal`, { reason: 'r' }, { ...partner.headers, 'if-match': '3' });
  t.equal(stale.status, 412);
  const reversed = await c.post(`/contributions/${contributionId}/reversal`, { reason: 'counted twice' }, backbone.headers);
  t.equal(reversed.status, 201);
  t.match(reversed.body, { id: contributionId, stream: `contribution-${contributionId}`, revision: 1 });
  t.match((await store.readStream(`contribution-${contributionId}`))[1], { type: 'ContributionReversed', data: { contributionId, reason: 'counted twice' } });
  t.match((await c.post(`/contributions/${contributionId}/reversal`, { reason: 'twice' }, partner.headers)).body, { status: 409 });
});

t.test('unknown or mistyped ids are 404; another initiative\'s key is 403', async (t) => {
  const { c, initiativeId, goalId, partnerId, partner } = await setup(t);
  const commitmentId = await c.commitment(initiativeId, partnerId, goalId, {}, partner.headers);
  const contributionId = await c.created(`/commitments/${commitmentId}/contributions`, { money: eur('10'), date: '2026-02-01' }, partner.headers);
  for (const [url, body] of [
    [`/commitments/${randomUUID()}/revisions`, { dueDate: '2027-01-01', reason: 'r' }],
    [`/commitments/${randomUUID()}/withdrawal`, { reason: 'r' }],
    [`/commitments/${randomUUID()}/contributions`, { money: eur('1'), date: '2026-02-01' }],
    [`/contributions/${randomUUID()}/reversal`, { reason: 'r' }],
    [`/contributions/${commitmentId}/reversal`, { reason: 'r' }],
    [`/commitments/${contributionId}/withdrawal`, { reason: 'r' }],
    [`/initiatives/${randomUUID()}/commitments`, { partnerId, goalId, kind: 'funding', money: eur('1'), dueDate: '2026-12-31' }],
  ] as const) {
    const res = await c.post(url, body);
    t.equal(res.status, 404, url);
    t.match(res.body, { type: '/problems/not-found' });
  }
  const elsewhere = await c.launch('Elsewhere');
  const foreign = await c.key({ role: 'backbone', initiativeId: elsewhere });
  t.equal((await c.post(`/contributions/${contributionId}/reversal`, { reason: 'r' }, foreign.headers)).status, 403);
  t.equal((await c.post(`/commitments/${commitmentId}/contributions`, { money: eur('1'), date: '2026-02-01' }, foreign.headers)).status, 403);
});

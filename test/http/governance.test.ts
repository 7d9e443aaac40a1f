import t, { type Test } from 'tap';
import { randomUUID } from 'node:crypto';
import { startService } from '../helpers/service.js';
import { api } from '../helpers/api.js';

/** An initiative with three partners (each with a partner key) and a backbone key. */
const setup = async (t: Test) => {
  const service = await startService(t);
  const c = api(service.app);
  const initiativeId = await c.launch();
  const member = async (name: string, sector?: string) => {
    const id = await c.partner(initiativeId, name, sector);
    return { id, headers: (await c.key({ role: 'partner', initiativeId, partnerId: id })).headers };
  };
  const members = [await member('River Trust'), await member('Farmers Union', 'business'), await member('City Water', 'government')] as const;
  const backbone = await c.key({ role: 'backbone', initiativeId });
  return { ...service, c, initiativeId, members, partnerIds: members.map((m) => m.id), backbone };
};

t.test('a decision is proposed, voted on (the latest vote counts) and closed: the tally decides', async (t) => {
  const { c, store, initiativeId, members, backbone } = await setup(t);
  const proposed = await c.post(`/initiatives/${initiativeId}/decisions`, { title: 'Adopt the shared monitoring plan', options: ['yes', 'no'], rule: 'majority', quorum: 0.5 }, backbone.headers);
  t.equal(proposed.status, 201);
  const decisionId = proposed.body.id as string;
  t.equal(proposed.headers.location, `/decisions/${decisionId}`);
  t.match(proposed.body, { stream: `decision-${decisionId}`, revision: 0 });
  t.match((await store.readStream(`decision-${decisionId}`))[0], { type: 'DecisionProposed', data: { decisionId, initiativeId, options: ['yes', 'no'], rule: 'majority', quorum: 0.5 } });

  const [{ id: p0, headers: k0 }, { id: p1, headers: k1 }, { id: p2, headers: k2 }] = members;
  t.equal((await c.post(`/decisions/${decisionId}/votes`, { partnerId: p0, option: 'no' }, k0)).status, 201);
  t.equal((await c.post(`/decisions/${decisionId}/votes`, { partnerId: p0, option: 'yes', comment: 'convinced at the meeting' }, k0)).status, 201, 'a later vote replaces the earlier one');
  t.equal((await c.post(`/decisions/${decisionId}/votes`, { partnerId: p1, option: 'yes' }, k1)).status, 201);
  const forOther = await c.post(`/decisions/${decisionId}/votes`, { partnerId: p2, option: 'no' }, k1);
  t.equal(forOther.status, 403, 'a partner key votes only for its own partner');
  t.match(forOther.body, { type: '/problems/forbidden' });
  t.match((await c.post(`/decisions/${decisionId}/votes`, { partnerId: p1, option: 'maybe' }, k1)).body, { status: 409, detail: /not an option/ });
  const stale = await c.post(`/decisions/${decisionId}/votes`, { partnerId: p1, option: 'yes' }, { ...k1, 'if-match': '1' });
  t.match(stale.body, { status: 412, currentRevision: 3 });

  t.equal((await c.post(`/decisions/${decisionId}/close`, {}, k0)).status, 403, 'partners do not close decisions');
  const closed = await c.post(`/decisions/${decisionId}/close`, {}, backbone.headers);
  t.equal(closed.status, 201);
  t.match(closed.body, { id: decisionId, revision: 4 });
  t.match((await store.readStream(`decision-${decisionId}`)).at(-1), {
    type: 'DecisionClosed',
    data: { decisionId, outcome: 'adopted', winningOption: 'yes', tally: { yes: 2, no: 0 }, votesCast: 2, eligibleVoters: 3 },
  });

  const late = await c.post(`/decisions/${decisionId}/votes`, { partnerId: p2, option: 'no' }, k2);
  t.equal(late.status, 409, 'a vote on a closed decision');
  t.match(late.body, { type: '/problems/rule-violation', detail: /is closed/ });
  t.match((await c.post(`/decisions/${decisionId}/close`, {}, backbone.headers)).body, { status: 409, detail: /is closed/ });
});

t.test('closing without quorum records no_quorum; an empty close body is fine', async (t) => {
  const { c, app, store, initiativeId, partnerIds, backbone } = await setup(t);
  const decisionId = await c.decision(initiativeId, { quorum: 1, rule: 'consensus', closesAt: new Date(Date.now() + 86_400_000).toISOString() }, backbone.headers);
  t.equal((await c.post(`/decisions/${decisionId}/votes`, { partnerId: partnerIds[0], option: 'yes' }, backbone.headers)).status, 201, 'the backbone records a partner\'s vote');
  const closed = await app.inject({ method: 'POST', url: `/decisions/${decisionId}/close`, headers: backbone.headers });
  t.equal(closed.statusCode, 201, 'no body at all');
  t.match((await store.readStream(`decision-${decisionId}`)).at(-1), { type: 'DecisionClosed', data: { outcome: 'no_quorum', votesCast: 1, eligibleVoters: 3 } });
  t.notOk('winningOption' in ((await store.readStream(`decision-${decisionId}`)).at(-1)?.data as object));
});

t.test('a decision taken in a meeting is recorded with outcome and takenAt', async (t) => {
  const { c, store, initiativeId, members, backbone } = await setup(t);
  const body = { title: 'Join the regional water board', options: ['join', 'stay out'], outcome: 'adopted', chosenOption: 'join', takenAt: '2026-01-20T18:30:00+01:00' };
  const recorded = await c.post(`/initiatives/${initiativeId}/decisions`, body, backbone.headers);
  t.equal(recorded.status, 201);
  const decisionId = recorded.body.id as string;
  t.equal(recorded.headers.location, `/decisions/${decisionId}`);
  t.match((await store.readStream(`decision-${decisionId}`))[0], { type: 'DecisionRecorded', data: { decisionId, initiativeId, outcome: 'adopted', chosenOption: 'join', takenAt: body.takenAt } });
  t.match((await c.post(`/decisions/${decisionId}/votes`, { partnerId: members[0].id, option: 'join' }, members[0].headers)).body, { status: 409, detail: /taken in a meeting/ });

  const errors = async (b: object) => (await c.post(`/initiatives/${initiativeId}/decisions`, b, backbone.headers)).body;
  t.match(await errors({ ...body, rule: 'majority', quorum: 0.5 }), { status: 400, errors: [{ path: 'body.rule' }, { path: 'body.quorum' }] });
  t.match(await errors({ ...body, chosenOption: undefined }), { status: 400, errors: [{ path: 'body.chosenOption', message: /names the chosen option/ }] });
  t.match(await errors({ ...body, chosenOption: 'abstain' }), { status: 400, errors: [{ path: 'body.chosenOption', message: 'must be one of options' }] });
  t.match(await errors({ title: 'No takenAt', options: ['a'], outcome: 'rejected' }), { status: 400, errors: [{ path: 'body.takenAt' }] });
  t.match(await errors({ ...body, takenAt: new Date(Date.now() + 3_600_000).toISOString() }), { status: 409, detail: /in the future/ });
  t.match(await errors({ title: 'Proposal without rule', options: ['a', 'b'] }), { status: 400, errors: [{ path: 'body.rule', message: 'is required' }, { path: 'body.quorum', message: 'is required' }] });
  t.match(await errors({ title: 'One option', options: ['a'], rule: 'majority', quorum: 0.5 }), { status: 400, errors: [{ path: 'body.options' }] });
  t.match(await errors({ title: 'Closed already', options: ['a', 'b'], rule: 'majority', quorum: 0.5, closesAt: '2020-01-01T00:00:00Z' }), { status: 409, detail: /must be in the future/ });
  t.match(await errors({ title: 'Quorum', options: ['a', 'b'], rule: 'majority', quorum: 0 }), { status: 400, errors: [{ path: 'body.quorum' }] });
});

t.test('the backbone names the partner that put a decision forward: the equity lens credits its sector', async (t) => {
  const { c, store, initiativeId, members, backbone } = await setup(t);
  const [, { id: farmers }, { id: city }] = members;
  const proposal = { title: 'Share tractor time', options: ['yes', 'no'], rule: 'majority', quorum: 0.5 };
  const proposed = await c.post(`/initiatives/${initiativeId}/decisions`, { ...proposal, proposingPartnerId: farmers }, backbone.headers);
  t.equal(proposed.status, 201);
  const decisionId = proposed.body.id as string;
  t.match((await store.readStream(`decision-${decisionId}`))[0], { type: 'DecisionProposed', data: { decisionId, proposingPartnerId: farmers } });
  const meeting = { title: 'Test the wells twice a year', options: ['twice', 'once'], outcome: 'adopted', chosenOption: 'twice', takenAt: '2026-01-20T18:30:00Z' };
  const recorded = await c.post(`/initiatives/${initiativeId}/decisions`, { ...meeting, proposingPartnerId: city }, backbone.headers);
  t.equal(recorded.status, 201);
  t.match((await store.readStream(`decision-${recorded.body.id as string}`))[0], { type: 'DecisionRecorded', data: { proposingPartnerId: city } });
  t.equal((await c.post(`/initiatives/${initiativeId}/decisions`, proposal, backbone.headers)).status, 201, 'without proposingPartnerId');

  type Sector = { sector: string; proposals: number; shareOfProposals: number | null };
  const { view } = await c.ok<{ view: { sectors: Sector[] } }>(`/initiatives/${initiativeId}/equity`);
  const sector = (name: string) => view.sectors.find((s) => s.sector === name)!;
  t.match(sector('business'), { proposals: 1, shareOfProposals: 33.3 }, 'the farmers\' proposal');
  t.match(sector('government'), { proposals: 1, shareOfProposals: 33.3 }, 'the city\'s decision taken in a meeting');
  t.match(sector('unattributed'), { proposals: 1 }, 'the backbone key\'s own proposal');

  const { decision } = await c.ok<{ decision: { proposingPartnerId?: string; proposedBy: { role: string } } }>(`/decisions/${decisionId}`);
  t.match(decision, { proposingPartnerId: farmers, proposedBy: { role: 'backbone' } }, 'the register names the partner beside the key');
  const { view: register } = await c.ok<{ view: { id: string; proposingPartnerId?: string }[] }>(`/initiatives/${initiativeId}/decisions`);
  t.same(register.map((d) => d.proposingPartnerId), [farmers, city, undefined]);
});

t.test('a decision is put forward only by an active partner of the initiative', async (t) => {
  const { c, initiativeId, members, backbone } = await setup(t);
  const proposal = { title: 'Share tractor time', options: ['yes', 'no'], rule: 'majority', quorum: 0.5 };
  const meeting = { title: 'Meet monthly', options: ['monthly'], outcome: 'adopted', chosenOption: 'monthly', takenAt: '2026-01-20T18:30:00Z' };
  const stranger = randomUUID();
  for (const body of [proposal, meeting]) {
    const res = await c.post(`/initiatives/${initiativeId}/decisions`, { ...body, proposingPartnerId: stranger }, backbone.headers);
    t.equal(res.status, 409, 'a partner of no initiative, or of another');
    t.match(res.body, { type: '/problems/rule-violation', detail: /is not a partner/ });
  }
  const elsewhere = await c.launch('Elsewhere');
  const foreign = await c.partner(elsewhere, 'Foreign Trust');
  t.match((await c.post(`/initiatives/${initiativeId}/decisions`, { ...proposal, proposingPartnerId: foreign }, backbone.headers)).body, { status: 409, detail: /is not a partner/ });
  t.equal((await c.post(`/initiatives/${initiativeId}/partners/${members[0].id}/departure`, { reason: 'project ended' })).status, 201);
  t.match((await c.post(`/initiatives/${initiativeId}/decisions`, { ...proposal, proposingPartnerId: members[0].id }, backbone.headers)).body, { status: 409, detail: /has left/ });
  t.match((await c.post(`/initiatives/${initiativeId}/decisions`, { ...proposal, proposingPartnerId: 'not an id' }, backbone.headers)).body, { status: 400, errors: [{ path: 'body.proposingPartnerId' }] });
});

t.test('risks are raised, reviewed and closed by the backbone', async (t) => {
  const { c, store, initiativeId, members, backbone } = await setup(t);
  const [{ id: owner }, { id: newOwner }] = members;
  t.equal((await c.post(`/initiatives/${initiativeId}/risks`, { title: 'x', category: 'financial', likelihood: 'low', impact: 'low', ownerPartnerId: owner }, members[0].headers)).status, 403, 'partners do not raise risks');
  const raised = await c.post(`/initiatives/${initiativeId}/risks`, { title: 'Funding gap in year two', category: 'financial', likelihood: 'medium', impact: 'high', ownerPartnerId: owner, mitigation: 'Apply to the state fund' }, backbone.headers);
  t.equal(raised.status, 201);
  const riskId = raised.body.id as string;
  t.equal(raised.headers.location, `/risks/${riskId}`);
  t.match(raised.body, { stream: `risk-${riskId}` });
  t.match((await c.post(`/initiatives/${initiativeId}/risks`, { title: 'x', category: 'financial', likelihood: 'low', impact: 'low', ownerPartnerId: randomUUID() }, backbone.headers)).body, { status: 409, detail: /not a partner/ });
  t.match((await c.post(`/initiatives/${initiativeId}/risks`, { title: 'x', category: 'weather', likelihood: 'low', impact: 'low', ownerPartnerId: owner }, backbone.headers)).body, { status: 400, errors: [{ path: 'body.category' }] });

  t.equal((await c.post(`/risks/${riskId}/reviews`, { likelihood: 'low', impact: 'high', ownerPartnerId: newOwner, notes: 'state fund approved' }, { ...backbone.headers, 'if-match': '0' })).status, 201);
  t.match((await c.post(`/risks/${riskId}/reviews`, { likelihood: 'low', impact: 'high' }, { ...backbone.headers, 'if-match': '0' })).body, { status: 412 });
  t.match((await store.readStream(`risk-${riskId}`))[1], { type: 'RiskReviewed', data: { initiativeId, riskId, likelihood: 'low', ownerPartnerId: newOwner } });
  t.equal((await c.post(`/risks/${riskId}/closure`, { resolution: 'mitigated', reason: 'funded through 2028' }, backbone.headers)).status, 201);
  t.match((await c.post(`/risks/${riskId}/reviews`, { likelihood: 'low', impact: 'low' }, backbone.headers)).body, { status: 409, detail: /is closed/ });
  t.match((await c.post(`/risks/${riskId}/closure`, { resolution: 'mitigated', reason: 'again' }, backbone.headers)).body, { status: 409 });
});

t.test('unknown ids are 404; another initiative\'s key is 403', async (t) => {
  const { c, initiativeId, members, partnerIds, backbone } = await setup(t);
  const decisionId = await c.decision(initiativeId, {}, backbone.headers);
  const riskId = await c.risk(initiativeId, members[0].id, backbone.headers);
  for (const [url, body] of [
    [`/decisions/${randomUUID()}/votes`, { partnerId: partnerIds[0], option: 'yes' }],
    [`/decisions/${randomUUID()}/close`, {}],
    [`/decisions/${riskId}/close`, {}],
    [`/risks/${randomUUID()}/reviews`, { likelihood: 'low', impact: 'low' }],
    [`/risks/${decisionId}/closure`, { resolution: 'accepted', reason: 'r' }],
    [`/initiatives/${randomUUID()}/decisions`, { title: 't', options: ['a', 'b'], rule: 'majority', quorum: 1 }],
  ] as const) {
    const res = await c.post(url, body);
    t.equal(res.status, 404, url);
    t.match(res.body, { type: '/problems/not-found' });
  }
  const elsewhere = await c.launch('Elsewhere');
  const foreign = await c.key({ role: 'backbone', initiativeId: elsewhere });
  t.equal((await c.post(`/decisions/${decisionId}/close`, {}, foreign.headers)).status, 403);
  t.equal((await c.post(`/risks/${riskId}/closure`, { resolution: 'accepted', reason: 'r' }, foreign.headers)).status, 403);
});

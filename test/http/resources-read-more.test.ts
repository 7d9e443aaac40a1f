import t from 'tap';
import { api } from '../helpers/api.js';
import { admin, startService } from '../helpers/service.js';

/**
 * GET /<kind>/:id for partners, goals, strategies, contributions, risks, activities, lessons and readings (design
 * §7, "each resource has a GET by id"): what was written, now and asOf, scoped like the views. The first four
 * kinds are in resources-read.test.ts.
 */

type Headers = Record<string, string>;
type AsOf = { seq: number; recordedAt: string | null };
type One<K extends string> = { initiativeId: string; asOf: AsOf } & Record<K, Record<string, unknown>>;

const { app } = await startService(t);
const c = api(app);
const { get, ok } = c;
/** A write that must succeed: its receipt (`id` of the resource, `seq` of the event). */
const write = async (url: string, body: unknown, headers: Headers = admin): Promise<{ id: string; seq: number }> => {
  const res = await c.post(url, body, headers);
  if (res.status !== 201) throw new Error(`${url} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return { id: res.body.id as string, seq: res.body.seq as number };
};

const I = await c.launch('Clean River Partnership');
const J = await c.launch('Elsewhere');
const partner = await write(`/initiatives/${I}/partners`, { name: 'River Trust', sector: 'nonprofit', primaryInterests: ['water quality', 'habitats'], isBackbone: true });
const P = partner.id;
const Q = await c.partner(I, 'Farmers Union', 'business');
const goal = await write(`/initiatives/${I}/goals`, { title: 'Swimmable river by 2030', description: 'Bathing-water quality at every site' });
const G = goal.id;
const strategy = await write(`/initiatives/${I}/strategies`, { goalId: G, title: 'Buffer strips along farmland' });
const S = strategy.id;
const indicator = await c.indicator(I, G);
const reviewed = await c.indicator(I, G, { name: 'Reviewed indicator', requiresApproval: true });
const pledge = await c.commitment(I, Q, G);
const contribution = await write(`/commitments/${pledge}/contributions`, {
  money: { amount: '1200.50', currency: 'EUR' },
  date: '2026-02-01',
  evidence: { url: 'https://example.org/receipt.pdf', sha256: 'a'.repeat(64) },
});
const risk = await write(`/initiatives/${I}/risks`, { title: 'Funding gap in year two', category: 'financial', likelihood: 'medium', impact: 'high', ownerPartnerId: P });
const activity = await write(`/initiatives/${I}/activities`, { strategyId: S, title: 'Kick-off with farmers', kind: 'meeting', date: '2026-01-15', partnerIds: [P, Q], minutes: 'Agreed where to start.' });
const lesson = await write(`/initiatives/${I}/lessons`, { kind: 'failure', title: 'Late data', whatHappened: 'Q1 data came late.', whatWeLearned: 'Send reminders a week ahead.', goalId: G });
const reading = await write(`/indicators/${indicator}/readings`, { partnerId: Q, period: { start: '2026-01-01', end: '2026-03-31' }, value: 30, source: 'farm survey' });

const keys = {
  backbone: (await c.key({ role: 'backbone', initiativeId: I })).headers,
  partner: (await c.key({ role: 'partner', initiativeId: I, partnerId: P })).headers,
  viewer: (await c.key({ role: 'viewer', initiativeId: I })).headers,
  auditor: (await c.key({ role: 'auditor', initiativeId: I })).headers,
  wideViewer: (await c.key({ role: 'viewer' })).headers,
  otherBackbone: (await c.key({ role: 'backbone', initiativeId: J })).headers,
};

t.test('GET /partners/:id: the partner, its alignment and RACI roles, now and asOf', async (t) => {
  const now = await ok<One<'partner'>>(`/partners/${P}`);
  t.equal(now.initiativeId, I);
  t.same(now.partner, {
    id: P,
    name: 'River Trust',
    sector: 'nonprofit',
    primaryInterests: ['water quality', 'habitats'],
    isBackbone: true,
    status: 'active',
    joinedAt: now.partner.joinedAt,
    goalIds: [],
    responsibilities: [],
  });
  t.match(now.partner.joinedAt, /^\d{4}-\d{2}-\d{2}T/);
  t.match((await ok<One<'partner'>>(`/partners/${Q}`)).partner, { sector: 'business', isBackbone: false, goalIds: [G] }, 'a pledge toward the goal aligns the partner with it');
  const agenda = (await ok<{ view: { partners: unknown[] } }>(`/initiatives/${I}/agenda`)).view;
  t.same(agenda.partners.find((p) => (p as { id: string }).id === P), (({ goalIds: _g, responsibilities: _r, ...rest }) => rest)(now.partner), 'the agenda\'s entry for it');

  const before = now.asOf.seq;
  t.equal((await c.post(`/initiatives/${I}/raci`, { strategyId: S, partnerId: P, role: 'A' })).status, 201);
  t.same((await ok<One<'partner'>>(`/partners/${P}`)).partner.responsibilities, [{ strategyId: S, role: 'A' }], 'its RACI role shows');
  t.same((await ok<One<'partner'>>(`/partners/${P}?asOf=${before}`)).partner, now.partner, 'asOf the earlier seq: the earlier state');
  t.equal((await get(`/partners/${P}?asOf=${partner.seq - 1}`)).status, 404, 'asOf before it joined → 404');
  t.same((await ok<One<'partner'>>(`/partners/${P}?asOf=${partner.seq}`)).asOf.seq, partner.seq, 'asOf the seq it joined → 200');
});

t.test('GET /goals/:id: title, description, revisions, strategies and indicators, now and asOf', async (t) => {
  const now = await ok<One<'goal'>>(`/goals/${G}`);
  t.same(now.goal, { id: G, title: 'Swimmable river by 2030', description: 'Bathing-water quality at every site', revisions: 0, strategyIds: [S], indicatorIds: [indicator, reviewed] });
  t.same((await ok<One<'goal'>>(`/goals/${G}?asOf=${goal.seq}`)).goal, { id: G, title: 'Swimmable river by 2030', description: 'Bathing-water quality at every site', revisions: 0, strategyIds: [], indicatorIds: [] }, 'as adopted');
  t.equal((await get(`/goals/${G}?asOf=${goal.seq - 1}`)).status, 404, 'asOf before it was adopted → 404');
});

t.test('GET /strategies/:id: the strategy with its RACI responsibilities, now and asOf', async (t) => {
  const before = await ok<One<'strategy'>>(`/strategies/${S}`);
  t.same(before.strategy.id, S);
  t.match(before.strategy, { goalId: G, title: 'Buffer strips along farmland' });
  t.notOk('description' in before.strategy, 'no description when none was given');
  t.equal((await c.post(`/initiatives/${I}/raci`, { strategyId: S, partnerId: Q, role: 'R' })).status, 201);
  const after = await ok<One<'strategy'>>(`/strategies/${S}`);
  t.same(after.strategy.raci, { ...(before.strategy.raci as object), [Q]: 'R' }, 'the new responsibility shows');
  t.equal((after.strategy.raci as Record<string, string>)[Q], 'R');
  const agenda = (await ok<{ view: { goals: { strategies: unknown[] }[] } }>(`/initiatives/${I}/agenda`)).view;
  t.same(after.strategy, agenda.goals[0]!.strategies[0], 'as the agenda lists it under its goal');
  t.same((await ok<One<'strategy'>>(`/strategies/${S}?asOf=${strategy.seq}`)).strategy, { id: S, goalId: G, title: 'Buffer strips along farmland', raci: {} }, 'as adopted: no responsibilities yet');
  t.equal((await get(`/strategies/${S}?asOf=${strategy.seq - 1}`)).status, 404, 'asOf before it was adopted → 404');
});

t.test('GET /contributions/:id: what was delivered, its evidence and reversal, now and asOf', async (t) => {
  const now = await ok<One<'contribution'>>(`/contributions/${contribution.id}`);
  t.same(now.contribution, {
    id: contribution.id,
    partnerId: Q,
    commitmentId: pledge,
    money: { amount: '1200.50', currency: 'EUR' },
    date: '2026-02-01',
    evidence: { url: 'https://example.org/receipt.pdf', sha256: 'a'.repeat(64) },
    reversed: false,
    recordedAt: now.contribution.recordedAt,
  });
  const unplanned = await write(`/initiatives/${I}/contributions`, { partnerId: P, hours: 12, date: '2026-02-10', description: 'Volunteer survey days' });
  t.match((await ok<One<'contribution'>>(`/contributions/${unplanned.id}`)).contribution, { id: unplanned.id, partnerId: P, hours: 12, description: 'Volunteer survey days' });
  t.notOk('commitmentId' in (await ok<One<'contribution'>>(`/contributions/${unplanned.id}`)).contribution, 'unplanned: no commitment');

  const reversal = await write(`/contributions/${contribution.id}/reversal`, { reason: 'bounced' });
  t.equal((await ok<One<'contribution'>>(`/contributions/${contribution.id}`)).contribution.reversed, true, 'a reversed contribution is marked');
  t.equal((await ok<One<'contribution'>>(`/contributions/${contribution.id}?asOf=${reversal.seq - 1}`)).contribution.reversed, false, 'not before its reversal');
  t.equal((await get(`/contributions/${contribution.id}?asOf=${contribution.seq - 1}`)).status, 404, 'asOf before it was recorded → 404');
});

t.test('GET /risks/:id: the risk as it stands, with reviews and closure, now and asOf', async (t) => {
  const raised = await ok<One<'risk'>>(`/risks/${risk.id}`);
  t.same(raised.risk, {
    id: risk.id,
    title: 'Funding gap in year two',
    category: 'financial',
    likelihood: 'medium',
    impact: 'high',
    ownerPartnerId: P,
    status: 'open',
    raisedAt: raised.risk.raisedAt,
    reviews: [],
  });
  await write(`/risks/${risk.id}/reviews`, { likelihood: 'low', impact: 'high', mitigation: 'Second funder approached' });
  const closure = await write(`/risks/${risk.id}/closure`, { resolution: 'mitigated', reason: 'Grant secured' });
  const closed = await ok<One<'risk'>>(`/risks/${risk.id}`);
  t.match(closed.risk, {
    likelihood: 'low',
    mitigation: 'Second funder approached',
    status: 'closed',
    reviews: [{ likelihood: 'low', impact: 'high', mitigation: 'Second funder approached', reviewedAt: String }],
    closure: { resolution: 'mitigated', reason: 'Grant secured', closedAt: String },
  });
  const listed = (await ok<{ view: { riskId: string }[] }>(`/initiatives/${I}/risks`)).view.find((r) => r.riskId === risk.id)!;
  const { riskId, ...rest } = listed;
  t.same(closed.risk, { id: riskId, ...rest }, 'as /initiatives/:id/risks lists it, its riskId as id');
  t.match((await ok<One<'risk'>>(`/risks/${risk.id}?asOf=${closure.seq - 1}`)).risk, { status: 'open', reviews: [{ likelihood: 'low' }] }, 'asOf before the closure: reviewed, open');
  t.same((await ok<One<'risk'>>(`/risks/${risk.id}?asOf=${raised.asOf.seq}`)).risk, raised.risk, 'asOf the earlier seq: as raised');
  t.equal((await get(`/risks/${risk.id}?asOf=${risk.seq - 1}`)).status, 404, 'asOf before it was raised → 404');
});

t.test('GET /activities/:id and /lessons/:id: the log entry, now and asOf', async (t) => {
  const a = await ok<One<'activity'>>(`/activities/${activity.id}`);
  t.same(a.activity, {
    id: activity.id,
    strategyId: S,
    title: 'Kick-off with farmers',
    kind: 'meeting',
    date: '2026-01-15',
    partnerIds: [P, Q],
    minutes: 'Agreed where to start.',
    recordedAt: a.activity.recordedAt,
  });
  const listed = (await ok<{ view: { activityId: string }[] }>(`/initiatives/${I}/activities`)).view[0]!;
  const { activityId, ...rest } = listed;
  t.same(a.activity, { id: activityId, ...rest }, 'as /initiatives/:id/activities lists it');
  t.equal((await get(`/activities/${activity.id}?asOf=${activity.seq - 1}`)).status, 404, 'asOf before it was logged → 404');
  t.equal((await ok<One<'activity'>>(`/activities/${activity.id}?asOf=${activity.seq}`)).activity.title, 'Kick-off with farmers');

  const l = await ok<One<'lesson'>>(`/lessons/${lesson.id}`);
  t.same(l.lesson, {
    id: lesson.id,
    kind: 'failure',
    title: 'Late data',
    whatHappened: 'Q1 data came late.',
    whatWeLearned: 'Send reminders a week ahead.',
    goalId: G,
    recordedAt: l.lesson.recordedAt,
  });
  t.equal((await get(`/lessons/${lesson.id}?asOf=${lesson.seq - 1}`)).status, 404, 'asOf before it was recorded → 404');
  t.equal((await ok<One<'lesson'>>(`/lessons/${lesson.id}?asOf=${lesson.seq}`)).lesson.kind, 'failure');
});

t.test('GET /readings/:id: as currently valid, with its history; corrected shows the corrected value, retracted says so', async (t) => {
  const recorded = await ok<One<'reading'>>(`/readings/${reading.id}`);
  t.same(recorded.reading, {
    id: reading.id,
    indicatorId: indicator,
    partnerId: Q,
    period: { start: '2026-01-01', end: '2026-03-31' },
    disaggregation: {},
    value: 30,
    source: 'farm survey',
    status: 'accepted',
    counts: true,
    recordedAt: recorded.reading.recordedAt,
    seq: reading.seq,
    history: [{ type: 'recorded', seq: reading.seq, recordedAt: recorded.reading.recordedAt, by: { keyId: 'admin', role: 'admin' }, status: 'accepted', value: 30 }],
  });

  const correction = await write(`/readings/${reading.id}/corrections`, { value: 35, reason: 'a farm was left out' });
  const corrected = await ok<One<'reading'>>(`/readings/${reading.id}`);
  t.match(corrected.reading, { value: 35, status: 'accepted', counts: true, seq: reading.seq });
  t.match(corrected.reading.history, [{ type: 'recorded', value: 30 }, { type: 'corrected', seq: correction.seq, value: 35, reason: 'a farm was left out', status: 'accepted' }], 'history shows both');
  t.equal((await ok<One<'reading'>>(`/readings/${reading.id}?asOf=${correction.seq - 1}`)).reading.value, 30, 'asOf before the correction: the recorded value');
  t.same((await ok<One<'reading'>>(`/readings/${reading.id}?asOf=${reading.seq}`)).reading, recorded.reading, 'asOf its recording: as recorded');
  t.equal((await get(`/readings/${reading.id}?asOf=${reading.seq - 1}`)).status, 404, 'asOf before it was recorded → 404');

  const retraction = await write(`/readings/${reading.id}/retraction`, { reason: 'double count' });
  const retracted = await ok<One<'reading'>>(`/readings/${reading.id}`);
  t.match(retracted.reading, {
    value: 35,
    status: 'retracted',
    counts: false,
    retraction: { reason: 'double count', recordedAt: String, seq: retraction.seq },
  }, 'a retracted reading says so (and keeps the value it had)');
  t.same((retracted.reading.history as { type: string }[]).map((h) => h.type), ['recorded', 'corrected', 'retracted']);
  t.notOk('retraction' in (await ok<One<'reading'>>(`/readings/${reading.id}?asOf=${retraction.seq - 1}`)).reading, 'not retracted before its retraction');
});

t.test('GET /readings/:id: a reading awaiting review, returned, corrected and approved, with who did what', async (t) => {
  const submitted = await write(`/indicators/${reviewed}/readings`, { partnerId: P, period: { start: '2026-01-01', end: '2026-03-31' }, value: 8 }, keys.partner);
  t.match((await ok<One<'reading'>>(`/readings/${submitted.id}`)).reading, { status: 'submitted', counts: false, value: 8 });
  await write(`/readings/${submitted.id}/review`, { outcome: 'return', comment: 'which survey?' }, keys.backbone);
  await write(`/readings/${submitted.id}/corrections`, { value: 9, reason: 'recounted' }, keys.partner);
  await write(`/readings/${submitted.id}/review`, { outcome: 'approve' }, keys.backbone);
  const approved = (await ok<One<'reading'>>(`/readings/${submitted.id}`)).reading;
  t.match(approved, { partnerId: P, value: 9, status: 'approved', counts: true });
  t.match(approved.history, [
    { type: 'recorded', status: 'submitted', value: 8, by: { role: 'partner', partnerId: P } },
    { type: 'returned', status: 'returned', comment: 'which survey?', by: { role: 'backbone' } },
    { type: 'corrected', status: 'submitted', value: 9, reason: 'recounted', by: { role: 'partner', partnerId: P } },
    { type: 'approved', status: 'approved', by: { role: 'backbone' } },
  ]);
});

t.test('every kind: 404 for an unknown id or one of another kind, 403 outside the key\'s initiative, 401 without a key; readers of the initiative read', async (t) => {
  const unknown = '00000000-0000-4000-8000-000000000000';
  const own = {
    partners: P,
    goals: G,
    strategies: S,
    contributions: contribution.id,
    risks: risk.id,
    activities: activity.id,
    lessons: lesson.id,
    readings: reading.id,
  };
  /** An id of another kind for each route (a goal for most, a strategy for goals). */
  const otherKind = { ...Object.fromEntries(Object.keys(own).map((kind) => [kind, G])), goals: S, readings: indicator } as Record<keyof typeof own, string>;
  for (const [kind, id] of Object.entries(own) as [keyof typeof own, string][]) {
    const missing = await get(`/${kind}/${unknown}`);
    t.equal(missing.status, 404, `${kind}: unknown id → 404`);
    t.match(missing.type, /^application\/problem\+json/);
    t.equal((await get(`/${kind}/${otherKind[kind]}`)).status, 404, `${kind}: an id of another kind → 404`);
    t.equal((await get(`/${kind}/${pledge}`)).status, 404, `${kind}: a commitment id → 404`);
    t.equal((await get(`/${kind}/not-a-uuid`)).status, 400, `${kind}: not a uuid → 400`);

    // The views show every reader of the initiative all of it (a partner key every partner's readings, a viewer individual readings).
    for (const who of ['backbone', 'partner', 'viewer', 'auditor', 'wideViewer'] as const) {
      t.equal((await get(`/${kind}/${id}`, keys[who])).status, 200, `${kind}: ${who} reads it`);
    }
    const refused = await get(`/${kind}/${id}`, keys.otherBackbone);
    t.equal(refused.status, 403, `${kind}: a key of another initiative → 403`);
    t.match(refused.type, /^application\/problem\+json/);
    t.equal((await get(`/${kind}/${id}`, {})).status, 401, `${kind}: no key → 401`);
  }
  t.equal((await ok<One<'reading'>>(`/readings/${reading.id}`, keys.partner)).reading.partnerId, Q, 'a partner key reads another partner\'s reading, as readings.csv shows it');
});

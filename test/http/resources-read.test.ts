import t from 'tap';
import { api } from '../helpers/api.js';
import { admin, startService } from '../helpers/service.js';

/** GET /initiatives and GET /<kind>s/:id (design §7): what was written, now and asOf, scoped like the views. */

type Headers = Record<string, string>;
type AsOf = { seq: number; recordedAt: string | null };

const { app } = await startService(t);
const c = api(app);
const { get, ok } = c;

const I = await c.created('/initiatives', { name: 'Clean River Partnership', problemStatement: 'Runoff pollutes the river people drink from.', geography: 'Lower Ouse valley' });
const J = await c.launch('Elsewhere');
const P = await c.partner(I, 'River Trust');
const Q = await c.partner(I, 'Farmers Union', 'business');
const G = await c.goal(I);
const indicator = await c.indicator(I, G);
const pledge = await c.commitment(I, P, G);
const decision = await c.decision(I);
const otherGoal = await c.goal(J, 'Elsewhere goal');
const otherIndicator = await c.indicator(J, otherGoal);
const otherPartner = await c.partner(J, 'Other partner');
const otherCommitment = await c.commitment(J, otherPartner, otherGoal);
const otherDecision = await c.decision(J);

const keys = {
  admin,
  backbone: (await c.key({ role: 'backbone', initiativeId: I })).headers,
  partner: (await c.key({ role: 'partner', initiativeId: I, partnerId: P })).headers,
  viewer: (await c.key({ role: 'viewer', initiativeId: I })).headers,
  auditor: (await c.key({ role: 'auditor', initiativeId: I })).headers,
  wideAuditor: (await c.key({ role: 'auditor' })).headers,
  wideViewer: (await c.key({ role: 'viewer' })).headers,
  otherBackbone: (await c.key({ role: 'backbone', initiativeId: J })).headers,
};

t.test('GET /initiatives lists what the key may see, with the agenda\'s counts', async (t) => {
  type List = { asOf: AsOf; initiatives: { id: string; name: string; problemStatement: string; geography?: string; counts: Record<string, number> }[] };
  const all = await ok<List>('/initiatives');
  t.same(all.initiatives.map((i) => i.id), [I, J], 'admin: every initiative, in launch order');
  t.match(all.initiatives[0], {
    id: I,
    name: 'Clean River Partnership',
    problemStatement: 'Runoff pollutes the river people drink from.',
    geography: 'Lower Ouse valley',
    launchedAt: String,
    counts: { partners: 2, activePartners: 2, goals: 1, strategies: 0, indicators: 1 },
  });
  t.notOk('geography' in all.initiatives[1]!, 'no geography when none was given');
  t.match(all.asOf, { seq: Number, recordedAt: String });

  for (const who of ['wideAuditor', 'wideViewer'] as const) {
    t.same((await ok<List>('/initiatives', keys[who])).initiatives.map((i) => i.id), [I, J], `${who}: every initiative`);
  }
  for (const who of ['backbone', 'partner', 'viewer', 'auditor'] as const) {
    t.same((await ok<List>('/initiatives', keys[who])).initiatives.map((i) => i.id), [I], `${who} of I: only I`);
  }
  t.same((await ok<List>('/initiatives', keys.otherBackbone)).initiatives.map((i) => i.id), [J], 'backbone of J: only J');
  t.equal((await get('/initiatives', {})).status, 401, 'no key: 401');

  const before = await ok<List>(`/initiatives?asOf=0`);
  t.same(before.initiatives.map((i) => i.id), [I], 'asOf=0: only the first launch');
  t.same(before.initiatives[0]!.counts, { partners: 0, activePartners: 0, goals: 0, strategies: 0, indicators: 0 });
});

t.test('GET /initiatives/:id is the agenda\'s summary, now and asOf', async (t) => {
  type One = { initiativeId: string; asOf: AsOf; initiative: { id: string; name: string; counts: Record<string, number> } };
  const now = await ok<One>(`/initiatives/${I}`);
  t.equal(now.initiativeId, I);
  t.match(now.initiative, { id: I, name: 'Clean River Partnership', geography: 'Lower Ouse valley', counts: { partners: 2, goals: 1, indicators: 1 } });
  const atLaunch = await ok<One>(`/initiatives/${I}?asOf=0`);
  t.same(atLaunch.asOf.seq, 0);
  t.same(atLaunch.initiative.counts, { partners: 0, activePartners: 0, goals: 0, strategies: 0, indicators: 0 }, 'asOf=0: as launched');
  t.equal((await get(`/initiatives/${J}?asOf=0`)).status, 404, 'J was not launched yet at seq 0');
});

t.test('GET /indicators/:id: definition and figures, now and asOf', async (t) => {
  type One = { initiativeId: string; asOf: AsOf; indicator: Record<string, unknown> };
  const before = await ok<One>(`/indicators/${indicator}`);
  t.match(before.indicator, {
    id: indicator,
    goalId: G,
    name: 'Households with safe drinking water',
    measure: 'count',
    unit: 'households',
    direction: 'increase',
    baseline: { value: 1200, date: '2025-12-31' },
    targets: [{ periodEnd: '2026-12-31', value: 2000 }],
    aggregation: 'sum',
    latest: null,
    level: null,
    onTrack: 'no_data',
  });
  t.notOk('series' in before.indicator, 'no series (that is /series)');
  t.notOk('periods' in before.indicator, 'no raw aggregates');

  await c.reading(indicator, P, { value: 30 });
  const after = await ok<One>(`/indicators/${indicator}`);
  t.match(after.indicator, { latest: { period: { start: '2026-01-01', end: '2026-03-31' }, value: 30 }, level: 1230, progressPercent: 3.8 });
  t.same((await ok<One>(`/indicators/${indicator}?asOf=${before.asOf.seq}`)).indicator, before.indicator, 'asOf the earlier seq: the earlier state');
});

t.test('GET /commitments/:id: the pledge, its contributions and fulfilment, now and asOf', async (t) => {
  type One = { initiativeId: string; asOf: AsOf; commitment: Record<string, unknown> };
  const before = await ok<One>(`/commitments/${pledge}`);
  t.match(before.commitment, {
    id: pledge,
    partnerId: P,
    goalId: G,
    kind: 'funding',
    money: { amount: '5000.00', currency: 'EUR' },
    dueDate: '2026-12-31',
    status: 'active',
    contributionIds: [],
    contributions: [],
    fulfilmentPercent: 0,
  });
  const contribution = await c.created(`/commitments/${pledge}/contributions`, { money: { amount: '1000', currency: 'EUR' }, date: '2026-02-01' });
  const after = await ok<One>(`/commitments/${pledge}`);
  t.match(after.commitment, { contributionIds: [contribution], contributions: [{ id: contribution, reversed: false }], delivered: { money: { EUR: String } }, fulfilmentPercent: 20 });
  t.same((await ok<One>(`/commitments/${pledge}?asOf=${before.asOf.seq}`)).commitment, before.commitment, 'asOf the earlier seq: the earlier state');
});

t.test('GET /decisions/:id: the proposal and its votes, now and asOf', async (t) => {
  type One = { initiativeId: string; asOf: AsOf; decision: Record<string, unknown> };
  const before = await ok<One>(`/decisions/${decision}`);
  t.match(before.decision, { id: decision, title: 'Adopt the monitoring plan', options: ['yes', 'no'], status: 'open', rule: 'majority', quorum: 0.5, votes: [], voteHistory: [] });
  t.equal((await c.post(`/decisions/${decision}/votes`, { partnerId: Q, option: 'no' })).status, 201);
  const after = await ok<One>(`/decisions/${decision}`);
  t.match(after.decision, { votes: [{ partnerId: Q, option: 'no' }], voteHistory: [{ partnerId: Q, option: 'no' }] });
  t.same((await ok<One>(`/decisions/${decision}?asOf=${before.asOf.seq}`)).decision, before.decision, 'asOf the earlier seq: the earlier state');
});

t.test('404 for an unknown id or one of another kind, 403 outside the key\'s initiative', async (t) => {
  const unknown = '00000000-0000-4000-8000-000000000000';
  const own = { initiatives: I, indicators: indicator, commitments: pledge, decisions: decision };
  const other = { initiatives: J, indicators: otherIndicator, commitments: otherCommitment, decisions: otherDecision };
  for (const kind of ['initiatives', 'indicators', 'commitments', 'decisions'] as const) {
    const missing = await get(`/${kind}/${unknown}`);
    t.equal(missing.status, 404, `${kind}: unknown id → 404`);
    t.match(missing.type, /^application\/problem\+json/);
    t.equal((await get(`/${kind}/${kind === 'commitments' ? decision : pledge}`)).status, 404, `${kind}: an id of another kind → 404`);
    t.equal((await get(`/${kind}/${G}`)).status, 404, `${kind}: a goal id → 404`);
    t.equal((await get(`/${kind}/not-a-uuid`)).status, 400, `${kind}: not a uuid → 400`);

    for (const who of ['backbone', 'partner', 'viewer', 'auditor'] as const) {
      t.equal((await get(`/${kind}/${own[kind]}`, keys[who])).status, 200, `${kind}: ${who} of I reads its own`);
      const refused = await get(`/${kind}/${other[kind]}`, keys[who]);
      t.equal(refused.status, 403, `${kind}: ${who} of I → 403 for J`);
      t.match(refused.type, /^application\/problem\+json/);
    }
    for (const who of ['wideAuditor', 'wideViewer'] as const) t.equal((await get(`/${kind}/${other[kind]}`, keys[who])).status, 200, `${kind}: ${who} reads J`);
    t.equal((await get(`/${kind}/${own[kind]}`, keys.otherBackbone)).status, 403, `${kind}: backbone of J → 403 for I`);
    t.equal((await get(`/${kind}/${own[kind]}`, {})).status, 401, `${kind}: no key → 401`);
  }
});

import t from 'tap';
import { allProjections } from '../../projections/index.js';
import { digestsOf } from '../../projections/digest.js';
import type { ProjectedEvent } from '../../projections/projection.js';
import { api } from '../helpers/api.js';
import { admin, startService } from '../helpers/service.js';

type ViewBody<V = unknown> = { initiativeId: string; asOf: { seq: number; recordedAt: string | null }; view: V };

t.test('views answer now and exactly as they stood at an earlier seq or time', async (t) => {
  const { app } = await startService(t);
  const c = api(app);
  const get = async <V>(url: string, headers = admin) => {
    const res = await app.inject({ method: 'GET', url, headers });
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return res.json() as ViewBody<V>;
  };
  const initiative = await c.launch();
  const partner = await c.partner(initiative, 'River Trust');
  const goal = await c.created(`/initiatives/${initiative}/goals`, { title: 'Swimmable river by 2030' });
  const first = await get<{ goals: { title: string }[] }>(`/initiatives/${initiative}/agenda`);
  t.equal(first.view.goals.length, 1);
  t.match(first.asOf, { seq: 2, recordedAt: String });

  await c.created(`/initiatives/${initiative}/goals`, { title: 'Safe drinking water' });
  const now = await get<{ goals: unknown[] }>(`/initiatives/${initiative}/agenda`);
  t.equal(now.view.goals.length, 2);
  t.same(await get(`/initiatives/${initiative}/agenda?asOf=${first.asOf.seq}`), first, 'asOf=<seq> answers the first answer');
  t.same(await get(`/initiatives/${initiative}/agenda?asOf=${encodeURIComponent(first.asOf.recordedAt!)}`), first, 'asOf=<time> too');
  t.equal((await app.inject({ method: 'GET', url: `/initiatives/${initiative}/agenda?asOf=99`, headers: admin })).statusCode, 404, 'a point beyond the log is a 404');
  t.equal((await app.inject({ method: 'GET', url: `/initiatives/${initiative}/agenda?asOf=yesterday`, headers: admin })).statusCode, 400);

  const indicator = await c.indicator(initiative, goal);
  await c.reading(indicator, partner, { value: 30 });
  const q1 = await get<{ indicators: { id: string; series: { total: { value: number } | null }[]; level: number }[] }>(`/initiatives/${initiative}/measurement`);
  const reading = await c.reading(indicator, partner, { value: 50, period: { start: '2026-04-01', end: '2026-06-30' } });
  await c.post(`/readings/${reading}/corrections`, { value: 55, reason: 'typo' });
  const measured = await get<{ indicators: { series: { total: { value: number } | null }[]; level: number }[] }>(`/initiatives/${initiative}/measurement`);
  t.same(measured.view.indicators[0]!.series.map((p) => p.total?.value), [30, 55], 'the series shows the corrected value');
  t.equal(measured.view.indicators[0]!.level, 1200 + 30 + 55, 'increments add up from the baseline');
  t.same((await get(`/initiatives/${initiative}/measurement?asOf=${q1.asOf.seq}`)).view, q1.view, 'and as it stood after Q1');
  const series = (await app.inject({ method: 'GET', url: `/indicators/${indicator}/series?from=2026-04-01`, headers: admin })).json();
  t.same(series.series.series.map((p: { period: { start: string } }) => p.period.start), ['2026-04-01'], 'the series filters by period');

  await c.commitment(initiative, partner, goal);
  const ledger = await get<{ commitments: { fulfilmentPercent: number | null }[] }>(`/initiatives/${initiative}/ledger`);
  t.equal(ledger.view.commitments.length, 1);
  await c.decision(initiative);
  t.equal((await get<unknown[]>(`/initiatives/${initiative}/decisions`)).view.length, 1);
  t.match((await get<{ sectors: unknown[] }>(`/initiatives/${initiative}/equity`)).view.sectors, Array);
  t.same((await get(`/initiatives/${initiative}/lessons`)).view, []);
});

t.test('views are scoped to the key\'s initiative', async (t) => {
  const { app } = await startService(t);
  const c = api(app);
  const a = await c.launch('A');
  const b = await c.launch('B');
  const viewer = await c.key({ role: 'viewer', initiativeId: a });
  t.equal((await app.inject({ method: 'GET', url: `/initiatives/${a}/agenda`, headers: viewer.headers })).statusCode, 200);
  t.equal((await app.inject({ method: 'GET', url: `/initiatives/${b}/agenda`, headers: viewer.headers })).statusCode, 403);
  t.equal((await app.inject({ method: 'GET', url: `/initiatives/${a}/agenda` })).statusCode, 401);
});

t.test('/audit/digests equals an independent replay of /audit/events through the projections', async (t) => {
  const { app } = await startService(t);
  const c = api(app);
  const initiative = await c.launch();
  const partner = await c.partner(initiative, 'River Trust');
  const goal = await c.created(`/initiatives/${initiative}/goals`, { title: 'Swimmable river' });
  await c.commitment(initiative, partner, goal);
  await app.inject({ method: 'POST', url: '/audit/checkpoints', headers: admin });
  const served = (await app.inject({ method: 'GET', url: '/audit/digests', headers: admin })).json();
  const { entries } = (await app.inject({ method: 'GET', url: '/audit/events?from=0', headers: admin })).json() as { entries: { event: ProjectedEvent }[] };
  t.equal(served.treeSize, entries.length);
  for (const projection of allProjections) {
    const state = entries.reduce((s, { event }) => projection.apply(s, event), projection.init());
    t.same(served.digests[projection.name], digestsOf(projection, state), `${projection.name} replays to the served digests`);
  }
  t.match(served.digests['common-agenda'][initiative], /^[0-9a-f]{64}$/);
});

t.test('a series filter must name declared dimension=value pairs: a typo is a 400, not an empty or unfiltered series', async (t) => {
  const { app } = await startService(t);
  const c = api(app);
  const initiative = await c.launch();
  const partner = await c.partner(initiative, 'River Trust');
  const goal = await c.goal(initiative);
  const indicator = await c.indicator(initiative, goal, { disaggregations: [{ dimension: 'district', values: ['North', 'South'] }] });
  await c.reading(indicator, partner, { value: 5, disaggregation: { district: 'North' } });
  const series = (filter: string) => app.inject({ method: 'GET', url: `/indicators/${indicator}/series?disaggregation=${encodeURIComponent(filter)}`, headers: admin });
  const north = await series('district=North');
  t.equal(north.statusCode, 200);
  t.equal(north.json().series.disaggregation, 'district=North');
  t.equal(north.json().series.series.length, 1);
  for (const [filter, message] of [
    ['district', /dimension=value pairs/],
    ['District=North', /no dimension District \(it has district\)/],
    ['district=north', /district has no value north \(it has North, South\)/],
  ] as const) {
    const res = await series(filter);
    t.equal(res.statusCode, 400, filter);
    t.match(res.json().errors, [{ path: 'querystring.disaggregation', message }]);
  }
});

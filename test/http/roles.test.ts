import t from 'tap';
import { request } from 'node:http';
import { admin, startService } from '../helpers/service.js';
import { api, indicatorBody } from '../helpers/api.js';

/**
 * Design §7, role by role, against every route family: admin everywhere; backbone every write in its own
 * initiative; partner only its own commitments, contributions, readings and votes; auditor reads the audit API
 * and writes nothing; viewer writes nothing; a backbone key of another initiative can do nothing here
 * (it lists only its own initiatives). Every key of the initiative reads its views and resources. Admins, the
 * backbone and auditors list and read the initiative's access keys. Checkpoints and proofs (hashes only) are for
 * every key that gets checkpoints in its feed: partners witness the log.
 * Every request is valid for the role that may make it, so an allowed one is 2xx and a refused one is 403.
 */

type Who = 'admin' | 'backbone' | 'partner' | 'auditor' | 'viewer' | 'otherBackbone';
type Headers = Record<string, string>;

const { app } = await startService(t);
await app.listen({ port: 0, host: '127.0.0.1' });
const { port } = app.server.address() as { port: number };
const c = api(app);
const I = await c.launch('Clean River Partnership');
const J = await c.launch('Elsewhere');
const G = await c.goal(I);
const S = await c.strategy(I, G);
const P = await c.partner(I, 'River Trust');
const indicator = await c.indicator(I, G);
const reviewed = await c.indicator(I, G, { name: 'Reviewed indicator', requiresApproval: true });
const pledge = await c.commitment(I, P, G);

const keys: Record<Who, Headers> = {
  admin,
  backbone: (await c.key({ role: 'backbone', initiativeId: I })).headers,
  partner: (await c.key({ role: 'partner', initiativeId: I, partnerId: P })).headers,
  auditor: (await c.key({ role: 'auditor' })).headers,
  viewer: (await c.key({ role: 'viewer', initiativeId: I })).headers,
  otherBackbone: (await c.key({ role: 'backbone', initiativeId: J })).headers,
};

let n = 0;
/** A fresh reading period per request (one day, counting from 2026-01-01), so no reading is a duplicate. */
const period = () => {
  const day = new Date(Date.UTC(2026, 0, 1) + n++ * 86_400_000).toISOString().slice(0, 10);
  return { start: day, end: day };
};
const unique = (what: string) => `${what} ${n++}`;
const reading = (indicatorId: string) => c.reading(indicatorId, P, { period: period() });

const post = async (url: string, body: unknown, headers: Headers) => (await c.post(url, body, headers)).status;
const inject = async (method: 'GET' | 'DELETE' | 'POST', url: string, headers: Headers) => (await app.inject({ method, url, headers })).statusCode;
/** A streaming GET over real HTTP (inject would wait for a stream that never ends): its status, then hang up. */
const stream = (url: string, headers: Headers) =>
  new Promise<number>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: url, headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on('error', reject);
    req.end();
  });

interface Route {
  family: string;
  name: string;
  /** Who gets a 2xx; everyone else a 403. */
  allowed: readonly Who[];
  /** Sets up what the request needs (as admin), then makes it with `headers`; answers the status. */
  run(headers: Headers): Promise<number>;
}

const RUNS = ['admin', 'backbone'] as const;
const OWN = ['admin', 'backbone', 'partner'] as const;
const AUDIT = ['admin', 'auditor'] as const;
/**
 * Checkpoints and proofs (hashes only): every key that gets checkpoints in its feed, so partners can witness the log;
 * the log is one tree for the deployment, so a backbone key of another initiative too.
 */
const WITNESS = ['admin', 'backbone', 'partner', 'auditor', 'otherBackbone'] as const;
/** Reading access keys: those who manage them, and auditors (the auditor here is deployment-wide). */
const READ_KEYS = ['admin', 'backbone', 'auditor'] as const;
/** The event feed: every key of the initiative but viewers (they read views); the auditor here is deployment-wide. */
const FEED = ['admin', 'backbone', 'partner', 'auditor'] as const;
/** Subscribing is managing an endpoint: admins, the backbone and the owning partner (auditors and viewers read). */
const SUBSCRIBE = ['admin', 'backbone', 'partner'] as const;
/** Reading a resource of the initiative: every key of it, viewers included (the auditor here is deployment-wide). */
const READ = ['admin', 'backbone', 'partner', 'auditor', 'viewer'] as const;
/** The views of the initiative (and its readings as CSV): every key of it, viewers included, as for resources. */
const VIEW = READ;
/** The list of initiatives: every key, each seeing what it may (another initiative's backbone sees its own). */
const READ_ALL = [...READ, 'otherBackbone'] as const;
/** A subscription owned by the partner, made by an admin. */
const subscription = async () => c.created('/subscriptions', { url: 'https://hooks.river-trust.example.org/impact', initiativeId: I, partnerId: P });
/** One resource of each kind read by id, made by an admin. */
const contribution = await c.created(`/commitments/${pledge}/contributions`, { money: { amount: '25', currency: 'EUR' }, date: '2026-02-01' });
const risk = await c.risk(I, P);
const activity = await c.created(`/initiatives/${I}/activities`, { strategyId: S, title: 'Site visit', kind: 'outreach', date: '2026-02-03', partnerIds: [P] });
const lesson = await c.created(`/initiatives/${I}/lessons`, { kind: 'failure', title: 'Evening meetings', whatHappened: 'Nobody came.', whatWeLearned: 'Ask first.' });
const recorded = await reading(indicator);

const routes: Route[] = [
  { family: 'initiatives', name: 'POST /initiatives', allowed: ['admin'], run: (h) => post('/initiatives', { name: unique('Initiative'), problemStatement: 'A problem worth a partnership.' }, h) },

  { family: 'partners/agenda', name: 'POST /initiatives/:id/partners', allowed: RUNS, run: (h) => post(`/initiatives/${I}/partners`, { name: unique('Partner'), sector: 'community', primaryInterests: [] }, h) },
  {
    family: 'partners/agenda',
    name: 'POST /initiatives/:id/partners/:pid/departure',
    allowed: RUNS,
    run: async (h) => post(`/initiatives/${I}/partners/${await c.partner(I, unique('Leaving'))}/departure`, { reason: 'merged' }, h),
  },
  { family: 'partners/agenda', name: 'POST /initiatives/:id/goals', allowed: RUNS, run: (h) => post(`/initiatives/${I}/goals`, { title: unique('Goal') }, h) },
  { family: 'partners/agenda', name: 'POST /goals/:id/revisions', allowed: RUNS, run: async (h) => post(`/goals/${await c.goal(I)}/revisions`, { title: unique('Goal'), reason: 'clearer' }, h) },
  { family: 'partners/agenda', name: 'POST /initiatives/:id/strategies', allowed: RUNS, run: (h) => post(`/initiatives/${I}/strategies`, { goalId: G, title: unique('Strategy') }, h) },
  { family: 'partners/agenda', name: 'POST /initiatives/:id/raci', allowed: RUNS, run: async (h) => post(`/initiatives/${I}/raci`, { strategyId: await c.strategy(I, G), partnerId: P, role: 'R' }, h) },
  {
    family: 'partners/agenda',
    name: 'POST /initiatives/:id/activities',
    allowed: RUNS,
    run: (h) => post(`/initiatives/${I}/activities`, { strategyId: S, title: unique('Workshop'), kind: 'training', date: '2026-02-02', partnerIds: [P] }, h),
  },
  {
    family: 'partners/agenda',
    name: 'POST /initiatives/:id/lessons',
    allowed: RUNS,
    run: (h) => post(`/initiatives/${I}/lessons`, { kind: 'success', title: unique('Lesson'), whatHappened: 'Farmers came.', whatWeLearned: 'Meet at the market.' }, h),
  },

  { family: 'measurement', name: 'POST /initiatives/:id/indicators', allowed: RUNS, run: (h) => post(`/initiatives/${I}/indicators`, { ...indicatorBody(G), name: unique('Indicator') }, h) },
  { family: 'measurement', name: 'POST /indicators/:id/targets', allowed: RUNS, run: (h) => post(`/indicators/${indicator}/targets`, { periodEnd: '2026-12-31', value: 2000 + n++, reason: 'revised' }, h) },
  { family: 'measurement', name: 'POST /indicators/:id/readings', allowed: OWN, run: (h) => post(`/indicators/${indicator}/readings`, { partnerId: P, period: period(), value: 3 }, h) },
  { family: 'measurement', name: 'POST /readings/:id/corrections', allowed: OWN, run: async (h) => post(`/readings/${await reading(indicator)}/corrections`, { value: 4, reason: 'typo' }, h) },
  { family: 'measurement', name: 'POST /readings/:id/review', allowed: RUNS, run: async (h) => post(`/readings/${await reading(reviewed)}/review`, { outcome: 'approve' }, h) },
  { family: 'measurement', name: 'POST /readings/:id/retraction', allowed: OWN, run: async (h) => post(`/readings/${await reading(indicator)}/retraction`, { reason: 'wrong site' }, h) },

  {
    family: 'resources',
    name: 'POST /initiatives/:id/commitments',
    allowed: OWN,
    run: (h) => post(`/initiatives/${I}/commitments`, { partnerId: P, strategyId: S, kind: 'staff_time', hours: 10, dueDate: '2026-12-31' }, h),
  },
  { family: 'resources', name: 'POST /commitments/:id/revisions', allowed: OWN, run: async (h) => post(`/commitments/${await c.commitment(I, P, G)}/revisions`, { dueDate: '2027-03-31', reason: 'later' }, h) },
  { family: 'resources', name: 'POST /commitments/:id/withdrawal', allowed: OWN, run: async (h) => post(`/commitments/${await c.commitment(I, P, G)}/withdrawal`, { reason: 'budget cut' }, h) },
  { family: 'resources', name: 'POST /commitments/:id/contributions', allowed: OWN, run: (h) => post(`/commitments/${pledge}/contributions`, { money: { amount: '10', currency: 'EUR' }, date: '2026-02-01' }, h) },
  { family: 'resources', name: 'POST /initiatives/:id/contributions', allowed: OWN, run: (h) => post(`/initiatives/${I}/contributions`, { partnerId: P, description: 'Meeting room', date: '2026-02-01' }, h) },
  {
    family: 'resources',
    name: 'POST /contributions/:id/reversal',
    allowed: OWN,
    run: async (h) => post(`/contributions/${await c.created(`/commitments/${pledge}/contributions`, { money: { amount: '1', currency: 'EUR' }, date: '2026-02-01' })}/reversal`, { reason: 'bounced' }, h),
  },

  { family: 'governance', name: 'POST /initiatives/:id/decisions (propose)', allowed: RUNS, run: (h) => post(`/initiatives/${I}/decisions`, { title: unique('Decision'), options: ['yes', 'no'], rule: 'majority', quorum: 0.5 }, h) },
  {
    family: 'governance',
    name: 'POST /initiatives/:id/decisions (taken in a meeting)',
    allowed: RUNS,
    run: (h) => post(`/initiatives/${I}/decisions`, { title: unique('Decision'), options: ['yes'], outcome: 'adopted', chosenOption: 'yes', takenAt: '2026-01-15T10:00:00Z' }, h),
  },
  { family: 'governance', name: 'POST /decisions/:id/votes', allowed: OWN, run: async (h) => post(`/decisions/${await c.decision(I)}/votes`, { partnerId: P, option: 'yes' }, h) },
  { family: 'governance', name: 'POST /decisions/:id/close', allowed: RUNS, run: async (h) => post(`/decisions/${await c.decision(I)}/close`, {}, h) },
  { family: 'governance', name: 'POST /initiatives/:id/risks', allowed: RUNS, run: (h) => post(`/initiatives/${I}/risks`, { title: unique('Risk'), category: 'operational', likelihood: 'low', impact: 'medium', ownerPartnerId: P }, h) },
  { family: 'governance', name: 'POST /risks/:id/reviews', allowed: RUNS, run: async (h) => post(`/risks/${await c.risk(I, P)}/reviews`, { likelihood: 'low', impact: 'low' }, h) },
  { family: 'governance', name: 'POST /risks/:id/closure', allowed: RUNS, run: async (h) => post(`/risks/${await c.risk(I, P)}/closure`, { resolution: 'accepted', reason: 'small' }, h) },

  { family: 'reads', name: 'GET /initiatives', allowed: READ_ALL, run: (h) => inject('GET', '/initiatives', h) },
  { family: 'reads', name: 'GET /initiatives/:id', allowed: READ, run: (h) => inject('GET', `/initiatives/${I}`, h) },
  { family: 'reads', name: 'GET /indicators/:id', allowed: READ, run: (h) => inject('GET', `/indicators/${indicator}`, h) },
  { family: 'reads', name: 'GET /commitments/:id', allowed: READ, run: (h) => inject('GET', `/commitments/${pledge}`, h) },
  { family: 'reads', name: 'GET /decisions/:id', allowed: READ, run: async (h) => inject('GET', `/decisions/${await c.decision(I)}`, h) },
  { family: 'reads', name: 'GET /partners/:id', allowed: READ, run: (h) => inject('GET', `/partners/${P}`, h) },
  { family: 'reads', name: 'GET /goals/:id', allowed: READ, run: (h) => inject('GET', `/goals/${G}`, h) },
  { family: 'reads', name: 'GET /strategies/:id', allowed: READ, run: (h) => inject('GET', `/strategies/${S}`, h) },
  { family: 'reads', name: 'GET /contributions/:id', allowed: READ, run: (h) => inject('GET', `/contributions/${contribution}`, h) },
  { family: 'reads', name: 'GET /risks/:id', allowed: READ, run: (h) => inject('GET', `/risks/${risk}`, h) },
  { family: 'reads', name: 'GET /activities/:id', allowed: READ, run: (h) => inject('GET', `/activities/${activity}`, h) },
  { family: 'reads', name: 'GET /lessons/:id', allowed: READ, run: (h) => inject('GET', `/lessons/${lesson}`, h) },
  { family: 'reads', name: 'GET /readings/:id', allowed: READ, run: (h) => inject('GET', `/readings/${recorded}`, h) },

  ...(['agenda', 'measurement', 'ledger', 'decisions', 'equity', 'activities', 'risks', 'lessons'] as const).map(
    (view): Route => ({ family: 'views', name: `GET /initiatives/:id/${view}`, allowed: VIEW, run: (h) => inject('GET', `/initiatives/${I}/${view}`, h) }),
  ),
  { family: 'views', name: 'GET /indicators/:id/series', allowed: VIEW, run: (h) => inject('GET', `/indicators/${indicator}/series`, h) },
  { family: 'views', name: 'GET /initiatives/:id/readings.csv', allowed: VIEW, run: (h) => inject('GET', `/initiatives/${I}/readings.csv`, h) },

  { family: 'access keys', name: 'POST /access-keys', allowed: RUNS, run: (h) => post('/access-keys', { role: 'viewer', initiativeId: I, label: unique('viewer') }, h) },
  { family: 'access keys', name: 'DELETE /access-keys/:id', allowed: RUNS, run: async (h) => inject('DELETE', `/access-keys/${(await c.key({ role: 'viewer', initiativeId: I })).id}`, h) },
  { family: 'access keys', name: 'GET /access-keys?initiativeId=', allowed: READ_KEYS, run: (h) => inject('GET', `/access-keys?initiativeId=${I}`, h) },
  { family: 'access keys', name: 'GET /access-keys/:id', allowed: READ_KEYS, run: async (h) => inject('GET', `/access-keys/${(await c.key({ role: 'viewer', initiativeId: I })).id}`, h) },

  { family: 'audit', name: 'GET /audit/checkpoint', allowed: WITNESS, run: (h) => inject('GET', '/audit/checkpoint', h) },
  { family: 'audit', name: 'GET /audit/checkpoints', allowed: WITNESS, run: (h) => inject('GET', '/audit/checkpoints?from=0', h) },
  { family: 'audit', name: 'GET /audit/proof/inclusion', allowed: WITNESS, run: (h) => inject('GET', '/audit/proof/inclusion?seq=0&treeSize=2', h) },
  { family: 'audit', name: 'GET /audit/proof/consistency', allowed: WITNESS, run: (h) => inject('GET', '/audit/proof/consistency?from=1&to=2', h) },
  { family: 'audit', name: 'GET /audit/events', allowed: AUDIT, run: (h) => inject('GET', '/audit/events?from=0&limit=2', h) },
  { family: 'audit', name: 'POST /audit/checkpoints', allowed: ['admin'], run: (h) => inject('POST', '/audit/checkpoints', h) },

  { family: 'feeds', name: 'GET /feeds/events?initiative=', allowed: FEED, run: (h) => stream(`/feeds/events?initiative=${I}`, h) },
  { family: 'feeds', name: 'POST /subscriptions', allowed: SUBSCRIBE, run: (h) => post('/subscriptions', { url: 'https://hooks.river-trust.example.org/impact', initiativeId: I }, h) },
  { family: 'feeds', name: 'GET /subscriptions?initiativeId=', allowed: FEED, run: (h) => inject('GET', `/subscriptions?initiativeId=${I}`, h) },
  { family: 'feeds', name: 'GET /subscriptions/:id', allowed: FEED, run: async (h) => inject('GET', `/subscriptions/${await subscription()}`, h) },
  { family: 'feeds', name: 'POST /subscriptions/:id/disable', allowed: SUBSCRIBE, run: async (h) => post(`/subscriptions/${await subscription()}/disable`, {}, h) },
  {
    family: 'feeds',
    name: 'POST /subscriptions/:id/enable',
    allowed: SUBSCRIBE,
    run: async (h) => {
      const id = await subscription();
      await c.post(`/subscriptions/${id}/disable`, {});
      return post(`/subscriptions/${id}/enable`, {}, h);
    },
  },
  { family: 'feeds', name: 'DELETE /subscriptions/:id', allowed: SUBSCRIBE, run: async (h) => inject('DELETE', `/subscriptions/${await subscription()}`, h) },
];

const families = [...new Set(routes.map((r) => r.family))];

const roleTest = (who: Who, description: string) =>
  t.test(`${who}: ${description}`, async (t) => {
    for (const family of families) {
      await t.test(family, async (t) => {
        for (const route of routes.filter((r) => r.family === family)) {
          const status = await route.run(keys[who]);
          if (route.allowed.includes(who)) t.ok(status >= 200 && status < 300, `${route.name} → ${status}, 2xx expected`);
          else t.equal(status, 403, `${route.name} → 403`);
        }
      });
    }
  });

roleTest('admin', 'everything, everywhere');
roleTest('backbone', 'every write in its own initiative; of the audit API only checkpoints and proofs');
roleTest('partner', 'only its own readings, commitments, contributions and votes; witnesses checkpoints and proofs');
roleTest('auditor', 'reads the audit API and access keys, writes nothing');
roleTest('viewer', 'writes nothing, and the audit API is not a view');
roleTest('otherBackbone', 'a backbone key of another initiative can do nothing here but witness the one log');

t.test('without a key, or with an unknown one, every route is 401', async (t) => {
  for (const route of routes) {
    t.equal(await route.run({}), 401, `${route.name} without a key`);
    t.equal(await route.run({ authorization: 'Bearer il_unknownunknownunknownunknownunknownunknown0' }), 401, `${route.name} with an unknown key`);
  }
});

t.test('every route family is covered', async (t) => {
  t.same(families, ['initiatives', 'partners/agenda', 'measurement', 'resources', 'governance', 'reads', 'views', 'access keys', 'audit', 'feeds']);
});

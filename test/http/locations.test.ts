import t from 'tap';
import { api } from '../helpers/api.js';
import { servedRoutes } from '../helpers/routes.js';
import { admin, startService } from '../helpers/service.js';

/**
 * Design §7: a write that creates a resource answers 201 with `Location`, and a client can follow it. Every create
 * route is made here and its `Location` followed with a GET (200, the created resource). Every other write route
 * is listed as creating nothing addressable, so a new write route has to be put in one list or the other.
 *
 * Access keys too: `POST /access-keys` answers `Location: /access-keys/{id}`, which `GET` reads (role, scope, label,
 * times; never the key, shown once, nor its hash) and `DELETE` revokes.
 */

const { app } = await startService(t);
const c = api(app);
const I = await c.launch();
const P = await c.partner(I, 'River Trust');
const G = await c.goal(I);
const S = await c.strategy(I, G);
const indicator = await c.indicator(I, G);
const commitment = await c.commitment(I, P, G);

type Json = Record<string, unknown>;
interface Create {
  route: string;
  url: string;
  body: Json;
  /** Where the created resource is read, given its id. */
  location: (id: string) => string;
  /** The id in the GET answer. */
  idIn: (answer: Json) => unknown;
}
const inAnswer = (key: string) => (answer: Json) => (answer[key] as Json | undefined)?.id;

const creates: Create[] = [
  { route: 'POST /initiatives', url: '/initiatives', body: { name: 'Safe Water Coalition', problemStatement: 'Wells are untested.' }, location: (id) => `/initiatives/${id}`, idIn: inAnswer('initiative') },
  { route: 'POST /initiatives/:id/partners', url: `/initiatives/${I}/partners`, body: { name: 'Farmers Union', sector: 'business', primaryInterests: [] }, location: (id) => `/partners/${id}`, idIn: inAnswer('partner') },
  { route: 'POST /initiatives/:id/goals', url: `/initiatives/${I}/goals`, body: { title: 'Safe drinking water' }, location: (id) => `/goals/${id}`, idIn: inAnswer('goal') },
  { route: 'POST /initiatives/:id/strategies', url: `/initiatives/${I}/strategies`, body: { goalId: G, title: 'Household filters' }, location: (id) => `/strategies/${id}`, idIn: inAnswer('strategy') },
  {
    route: 'POST /initiatives/:id/indicators',
    url: `/initiatives/${I}/indicators`,
    body: { goalId: G, name: 'Wells tested', measure: 'count', unit: 'wells', direction: 'increase', baseline: { value: 0, date: '2025-12-31' }, targets: [], frequency: 'annual' },
    location: (id) => `/indicators/${id}`,
    idIn: inAnswer('indicator'),
  },
  { route: 'POST /indicators/:id/readings', url: `/indicators/${indicator}/readings`, body: { partnerId: P, period: { start: '2026-01-01', end: '2026-03-31' }, value: 7 }, location: (id) => `/readings/${id}`, idIn: inAnswer('reading') },
  {
    route: 'POST /initiatives/:id/commitments',
    url: `/initiatives/${I}/commitments`,
    body: { partnerId: P, strategyId: S, kind: 'staff_time', hours: 10, dueDate: '2026-12-31' },
    location: (id) => `/commitments/${id}`,
    idIn: inAnswer('commitment'),
  },
  { route: 'POST /commitments/:id/contributions', url: `/commitments/${commitment}/contributions`, body: { money: { amount: '100', currency: 'EUR' }, date: '2026-02-01' }, location: (id) => `/contributions/${id}`, idIn: inAnswer('contribution') },
  { route: 'POST /initiatives/:id/contributions', url: `/initiatives/${I}/contributions`, body: { partnerId: P, description: 'Meeting room', date: '2026-02-01' }, location: (id) => `/contributions/${id}`, idIn: inAnswer('contribution') },
  { route: 'POST /initiatives/:id/decisions', url: `/initiatives/${I}/decisions`, body: { title: 'Adopt the plan', options: ['yes', 'no'], rule: 'majority', quorum: 0.5 }, location: (id) => `/decisions/${id}`, idIn: inAnswer('decision') },
  {
    route: 'POST /initiatives/:id/decisions',
    url: `/initiatives/${I}/decisions`,
    body: { title: 'Meet monthly', options: ['yes'], outcome: 'adopted', chosenOption: 'yes', takenAt: '2026-01-15T10:00:00Z' },
    location: (id) => `/decisions/${id}`,
    idIn: inAnswer('decision'),
  },
  { route: 'POST /initiatives/:id/activities', url: `/initiatives/${I}/activities`, body: { strategyId: S, title: 'Workshop', kind: 'training', date: '2026-02-02', partnerIds: [P] }, location: (id) => `/activities/${id}`, idIn: inAnswer('activity') },
  { route: 'POST /initiatives/:id/risks', url: `/initiatives/${I}/risks`, body: { title: 'Funding gap', category: 'financial', likelihood: 'medium', impact: 'high', ownerPartnerId: P }, location: (id) => `/risks/${id}`, idIn: inAnswer('risk') },
  { route: 'POST /initiatives/:id/lessons', url: `/initiatives/${I}/lessons`, body: { kind: 'success', title: 'Meet at the market', whatHappened: 'Farmers came.', whatWeLearned: 'Go where people are.' }, location: (id) => `/lessons/${id}`, idIn: inAnswer('lesson') },
  { route: 'POST /subscriptions', url: '/subscriptions', body: { url: 'https://hooks.river-trust.example.org/impact', initiativeId: I }, location: (id) => `/subscriptions/${id}`, idIn: (answer) => answer.id },
];

/** Write routes that change an existing resource (or, for the readings CSV import, make many): no `Location`. */
const CHANGES = [
  'POST /initiatives/:id/partners/:pid/departure',
  'POST /goals/:id/revisions',
  'POST /initiatives/:id/raci',
  'POST /indicators/:id/targets',
  'POST /readings/:id/corrections',
  'POST /readings/:id/review',
  'POST /readings/:id/retraction',
  'POST /commitments/:id/revisions',
  'POST /commitments/:id/withdrawal',
  'POST /contributions/:id/reversal',
  'POST /decisions/:id/votes',
  'POST /decisions/:id/close',
  'POST /risks/:id/reviews',
  'POST /risks/:id/closure',
  'DELETE /access-keys/:id',
  'POST /audit/checkpoints',
  'POST /subscriptions/:id/enable',
  'POST /subscriptions/:id/disable',
  'DELETE /subscriptions/:id',
];

const routes = servedRoutes(app);
/** The served GET route a path matches, if any (`/partners/<uuid>` → `/partners/:id`). */
const getRouteOf = (path: string) =>
  routes.find((r) => r.method === 'GET' && new RegExp(`^${r.url.replace(/:[A-Za-z0-9_]+/g, '[^/]+')}$`).test(path))?.url;

t.test('every create route answers a Location that a GET follows to the created resource', async (t) => {
  for (const create of creates) {
    const res = await c.post(create.url, create.body);
    t.equal(res.status, 201, `${create.route} → 201`);
    const id = res.body.id as string;
    const location = res.headers.location as string | undefined;
    t.equal(location, create.location(id), `${create.route}: Location ${location}`);
    if (!location) continue;
    t.ok(getRouteOf(location), `${create.route}: ${location} is a GET route (${getRouteOf(location)})`);
    const read = await app.inject({ method: 'GET', url: location, headers: admin });
    t.equal(read.statusCode, 200, `GET ${location} → 200`);
    t.equal(create.idIn(read.json()), id, `GET ${location} answers the created resource`);
  }
});

t.test('access keys: Location names the key that a GET reads and DELETE revokes; the GET never shows the key', async (t) => {
  const res = await c.post('/access-keys', { role: 'viewer', initiativeId: I, label: 'dashboard' });
  t.equal(res.status, 201);
  const location = res.headers.location as string;
  t.equal(location, `/access-keys/${res.body.id}`);
  t.equal(getRouteOf(location), '/access-keys/:id', `${location} is a GET route`);
  const read = await app.inject({ method: 'GET', url: location, headers: admin });
  t.equal(read.statusCode, 200, `GET ${location} → 200`);
  t.match(read.json(), { id: res.body.id, role: 'viewer', initiativeId: I, label: 'dashboard', revoked: false }, 'the created key');
  t.notOk(read.body.includes(res.body.key as string), 'but not the key itself');
  t.ok(app.hasRoute({ method: 'DELETE', url: '/access-keys/:id' }), 'DELETE /access-keys/:id revokes it');
});

t.test('every write route is either a create (Location followed above) or a change', async (t) => {
  const listed = new Set([...creates.map((create) => create.route), 'POST /access-keys', ...CHANGES]);
  const writes = routes.filter((r) => r.method === 'POST' || r.method === 'DELETE').map((r) => `${r.method} ${r.url}`);
  t.same(writes.filter((route) => !listed.has(route)), [], 'no write route is unlisted');
  t.same([...listed].filter((route) => !writes.includes(route)), [], 'every listed route is served');
});

t.test('a change answers no Location', async (t) => {
  const res = await c.post(`/goals/${G}/revisions`, { title: 'Swimmable river by 2031', reason: 'slower funding' });
  t.equal(res.status, 201);
  t.equal(res.headers.location, undefined);
});

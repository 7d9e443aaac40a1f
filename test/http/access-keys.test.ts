import t from 'tap';
import { admin, startService } from '../helpers/service.js';
import { api } from '../helpers/api.js';

t.test('issued keys act within their role and initiative; revocation bites at once; the key never reaches the log', async (t) => {
  const { app, store } = await startService(t);
  const c = api(app);
  const a = await c.launch('A');
  const b = await c.launch('B');
  const backbone = await c.key({ role: 'backbone', initiativeId: a });
  t.match(backbone.key, /^il_[A-Za-z0-9_-]{43}$/);

  t.equal((await c.post(`/initiatives/${a}/partners`, { name: 'River Trust', sector: 'nonprofit', primaryInterests: ['water'] }, backbone.headers)).status, 201, 'backbone runs its own initiative');
  const other = await c.post(`/initiatives/${b}/partners`, { name: 'Intruder', sector: 'business', primaryInterests: [] }, backbone.headers);
  t.equal(other.status, 403, 'but not another one');
  t.match(other.body, { type: '/problems/forbidden' });
  t.equal((await c.post('/initiatives', { name: 'X', problemStatement: 'Not allowed for a backbone.' }, backbone.headers)).status, 403, 'only admins launch initiatives');

  const auditor = await c.key({ role: 'auditor' });
  t.equal((await c.post(`/initiatives/${a}/goals`, { title: 'Swimmable river' }, auditor.headers)).status, 403, 'an auditor writes nothing');
  t.equal((await app.inject({ method: 'GET', url: '/audit/checkpoint', headers: auditor.headers })).statusCode, 200, 'but reads the audit API');

  const partnerId = await c.partner(a, 'Farmers Union', 'business');
  const partnerKey = await c.key({ role: 'partner', initiativeId: a, partnerId }, backbone.headers);
  t.equal((await c.post(`/initiatives/${a}/goals`, { title: 'Partners do not set goals' }, partnerKey.headers)).status, 403);
  t.equal((await c.post('/access-keys', { role: 'backbone', initiativeId: b, label: 'escalation' }, backbone.headers)).status, 403, 'a backbone cannot issue keys for another initiative');

  const revoke = await app.inject({ method: 'DELETE', url: `/access-keys/${backbone.id}`, headers: admin });
  t.equal(revoke.statusCode, 201);
  const after = await c.post(`/initiatives/${a}/goals`, { title: 'Too late' }, backbone.headers);
  t.equal(after.status, 401, 'a revoked key is refused on the very next request');
  t.equal((await app.inject({ method: 'DELETE', url: `/access-keys/${backbone.id}`, headers: admin })).statusCode, 409, 'revoking twice is a conflict');

  const log = JSON.stringify(await store.readAll({ maxCount: 1000 }));
  for (const key of [backbone.key, auditor.key, partnerKey.key]) t.notOk(log.includes(key), 'no key is in the event log');
  const issued = (await store.readAll({ maxCount: 1000 })).filter((e) => e.type === 'AccessKeyIssued');
  t.ok(issued.every((e) => /^[0-9a-f]{64}$/.test((e.data as { keyHash: string }).keyHash)), 'only hashes are');
  const byBackbone = issued.find((e) => (e.data as { keyId: string }).keyId === partnerKey.id);
  t.match(byBackbone?.metadata.actor, { keyId: backbone.id, role: 'backbone', initiativeId: a }, 'every event records the acting key, role and scope');
});

t.test('an idempotent retry of POST /access-keys shows the same key again', async (t) => {
  const { app } = await startService(t);
  const headers = { ...admin, 'idempotency-key': 'auditor-2026' };
  const first = await app.inject({ method: 'POST', url: '/access-keys', headers, payload: { role: 'auditor', label: 'external auditor' } });
  const retry = await app.inject({ method: 'POST', url: '/access-keys', headers, payload: { role: 'auditor', label: 'external auditor' } });
  t.equal(first.statusCode, 201);
  t.same(retry.json(), first.json(), 'same id, same key, same receipt');
  t.equal(retry.headers['idempotent-replayed'], 'true');
});

t.test('a key body that breaks the role rules is a 400 naming the body field; revoking an unknown key is a 404', async (t) => {
  const { app } = await startService(t);
  const c = api(app);
  const initiativeId = await c.launch();
  const partnerId = await c.partner(initiativeId, 'River Trust');
  const cases: Array<[object, string, RegExp]> = [
    [{ role: 'partner', initiativeId, label: 'x' }, 'body.partnerId', /exactly one partner/],
    [{ role: 'viewer', initiativeId, partnerId, label: 'x' }, 'body.partnerId', /only a partner key/],
    [{ role: 'backbone', label: 'x' }, 'body.initiativeId', /scoped to an initiative/],
    [{ role: 'admin', initiativeId, label: 'x' }, 'body.initiativeId', /spans the deployment/],
  ];
  for (const [body, path, message] of cases) {
    const res = await c.post('/access-keys', body);
    t.equal(res.status, 400, JSON.stringify(body));
    t.match(res.body.errors, [{ path, message }]);
  }
  const backbone = await c.key({ role: 'backbone', initiativeId });
  const unknown = '00000000-0000-4000-8000-00000000abcd';
  for (const headers of [admin, backbone.headers]) {
    const res = await app.inject({ method: 'DELETE', url: `/access-keys/${unknown}`, headers });
    t.equal(res.statusCode, 404, 'the same answer for an admin and a backbone key');
  }
});

t.test('an Idempotency-Key reused for another request is a 422 that records nothing and shows nothing of the first', async (t) => {
  const { app, store } = await startService(t);
  const c = api(app);
  const initiativeId = await c.launch();
  const owner = await c.partner(initiativeId, 'River Trust');
  const headers = { ...admin, 'idempotency-key': 'monday-batch' };
  const goal = await app.inject({ method: 'POST', url: `/initiatives/${initiativeId}/goals`, headers, payload: { title: 'Swimmable river' } });
  t.equal(goal.statusCode, 201);
  const before = (await store.readAll({ maxCount: 1000 })).length;
  const risk = await app.inject({ method: 'POST', url: `/initiatives/${initiativeId}/risks`, headers, payload: { title: 'Drought', category: 'operational', likelihood: 'high', impact: 'high', ownerPartnerId: owner } });
  t.equal(risk.statusCode, 422, 'another route, another stream');
  t.match(risk.json(), { type: '/problems/idempotency-key-reused', status: 422 });
  const key = await app.inject({ method: 'POST', url: '/access-keys', headers, payload: { role: 'auditor', label: 'external auditor' } });
  t.equal(key.statusCode, 422, 'a key derived from the first request\'s resource is never shown');
  t.notOk('key' in key.json());
  t.equal((await store.readAll({ maxCount: 1000 })).length, before, 'nothing recorded');
  const retry = await app.inject({ method: 'POST', url: `/initiatives/${initiativeId}/goals`, headers, payload: { title: 'Swimmable river' } });
  t.same(retry.json(), goal.json(), 'the genuine retry still replays the first receipt');
});

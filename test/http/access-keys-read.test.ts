import t, { type Test } from 'tap';
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { admin, startService } from '../helpers/service.js';
import { api } from '../helpers/api.js';

/**
 * Design §7: keys are issued and revoked as events and only a hash is kept. `GET /access-keys` and
 * `GET /access-keys/:id` show which keys exist so they can be revoked: an admin (and a deployment-wide auditor) every
 * key, a backbone key (and a scoped auditor) those of its own initiative; each with its role, scope, label and when it was issued and revoked — never the key, never
 * its hash.
 */

type Headers = Record<string, string>;
type Json = Record<string, unknown>;

// Given two initiatives and keys of every kind, one of them revoked.
const service = await startService(t);
const { app, store } = service;
const c = api(app);
const A = await c.launch('Clean River Partnership');
const B = await c.launch('Elsewhere');
const P = await c.partner(A, 'River Trust');
const backboneA = await c.key({ role: 'backbone', initiativeId: A, label: 'backbone of A' });
const backboneB = await c.key({ role: 'backbone', initiativeId: B, label: 'backbone of B' });
const partnerA = await c.key({ role: 'partner', initiativeId: A, partnerId: P, label: 'River Trust reporting' }, backboneA.headers);
const auditor = await c.key({ role: 'auditor', label: 'external auditor' });
const viewerA = await c.key({ role: 'viewer', initiativeId: A, label: 'dashboard' });
const revokedA = await c.key({ role: 'viewer', initiativeId: A, label: 'old dashboard' });
t.equal((await app.inject({ method: 'DELETE', url: `/access-keys/${revokedA.id}`, headers: admin })).statusCode, 201);
const all = [backboneA, backboneB, partnerA, auditor, viewerA, revokedA];

const get = async (url: string, headers: Headers) => {
  const res = await app.inject({ method: 'GET', url, headers });
  return { status: res.statusCode, text: res.body, body: res.json() as Json, type: res.headers['content-type'] };
};
const idsOf = (body: Json) => (body.accessKeys as Json[]).map((k) => k.id);

const events = await store.readAll({ maxCount: 1000 });
const recordedAt = (type: string, keyId: string) => events.find((e) => e.type === type && (e.data as { keyId: string }).keyId === keyId)?.metadata.recordedAt;
const hashes = events.filter((e) => e.type === 'AccessKeyIssued').map((e) => (e.data as { keyHash: string }).keyHash);

/** Neither a key (`il_…`) nor a hash is anywhere in the raw answer. */
const showsNoSecret = (t: Test, text: string) => {
  t.notOk(text.includes('il_'), 'no key in the answer');
  for (const key of all) t.notOk(text.includes(key.key), 'not even a key\'s text');
  t.notOk(hashes.some((hash) => text.includes(hash)), 'no hash in the answer');
  t.notOk(/hash/i.test(text), 'no hash field');
};

t.test('given an admin key, when it lists the keys, then it sees every key by issue time, revoked ones included', async (t) => {
  const res = await get('/access-keys', admin);
  t.equal(res.status, 200);
  t.same(idsOf(res.body), all.map((k) => k.id), 'every issued key, in the order they were issued');
  const issued = (res.body.accessKeys as Json[]).map((k) => k.issuedAt as string);
  t.same(issued, [...issued].sort(), 'by issuedAt');
  for (const key of res.body.accessKeys as Json[]) {
    t.same(Object.keys(key).sort(), ['id', 'initiativeId', 'issuedAt', 'label', 'partnerId', 'revoked', 'revokedAt', 'role'], `${key.label}: just these fields`);
  }
  showsNoSecret(t, res.text);

  const onlyA = await get(`/access-keys?initiativeId=${A}`, admin);
  t.equal(onlyA.status, 200);
  t.same(idsOf(onlyA.body), [backboneA, partnerA, viewerA, revokedA].map((k) => k.id), '?initiativeId= narrows to one initiative');
  t.same(idsOf((await get(`/access-keys?initiativeId=${randomUUID()}`, admin)).body), [], 'an initiative without keys: none');
  t.equal((await get('/access-keys?initiativeId=not-a-uuid', admin)).status, 400);
});

t.test('given an admin key, when it reads one key, then it sees its role, scope, label and when it was issued', async (t) => {
  const res = await get(`/access-keys/${partnerA.id}`, admin);
  t.equal(res.status, 200);
  t.same(res.body, {
    id: partnerA.id,
    role: 'partner',
    initiativeId: A,
    partnerId: P,
    label: 'River Trust reporting',
    issuedAt: recordedAt('AccessKeyIssued', partnerA.id),
    revoked: false,
    revokedAt: null,
  });
  t.match(res.body.issuedAt, /^\d{4}-\d\d-\d\dT/, 'issuedAt is the recordedAt of AccessKeyIssued');
  showsNoSecret(t, res.text);
  t.match((await get(`/access-keys/${auditor.id}`, admin)).body, { role: 'auditor', initiativeId: null, partnerId: null }, 'a deployment-wide key has no initiative');
});

t.test('given a revoked key, then it shows revoked with when, and its key is refused', async (t) => {
  const res = await get(`/access-keys/${revokedA.id}`, admin);
  t.equal(res.status, 200);
  t.match(res.body, { revoked: true, revokedAt: recordedAt('AccessKeyRevoked', revokedA.id) });
  t.ok(res.body.revokedAt, 'revokedAt is the recordedAt of AccessKeyRevoked');
  t.ok((res.body.revokedAt as string) >= (res.body.issuedAt as string), 'revoked after it was issued');
  const listed = (await get('/access-keys', admin)).body.accessKeys as Json[];
  t.match(listed.find((k) => k.id === revokedA.id), { revoked: true, revokedAt: res.body.revokedAt }, 'the list shows it revoked too');
  t.ok(listed.filter((k) => k.id !== revokedA.id).every((k) => k.revoked === false && k.revokedAt === null), 'the others are valid');
  t.equal((await get(`/initiatives/${A}`, revokedA.headers)).status, 401, 'the revoked key itself is refused');
});

t.test('given a backbone key, when it lists or reads keys, then it sees only those of its own initiative', async (t) => {
  const res = await get('/access-keys', backboneA.headers);
  t.equal(res.status, 200);
  t.same(idsOf(res.body), [backboneA, partnerA, viewerA, revokedA].map((k) => k.id), 'its initiative\'s keys (itself and the revoked one included)');
  showsNoSecret(t, res.text);
  t.same((await get(`/access-keys?initiativeId=${A}`, backboneA.headers)).body, res.body, 'naming its own initiative is the same');
  t.same(idsOf((await get('/access-keys', backboneB.headers)).body), [backboneB.id], 'the other backbone sees its own');

  const other = await get(`/access-keys?initiativeId=${B}`, backboneA.headers);
  t.equal(other.status, 403, 'another initiative\'s keys: 403');
  t.match(other.type, /^application\/problem\+json/);
  t.match(other.body, { type: '/problems/forbidden', status: 403 });

  t.match((await get(`/access-keys/${viewerA.id}`, backboneA.headers)), { status: 200, body: { id: viewerA.id, initiativeId: A } }, 'a key of its initiative');
  t.equal((await get(`/access-keys/${backboneB.id}`, backboneA.headers)).status, 403, 'a key of another initiative: 403');
  t.equal((await get(`/access-keys/${auditor.id}`, backboneA.headers)).status, 403, 'a deployment-wide key: 403');
});

t.test('given an unknown or malformed id, then 404 or 400, as problems', async (t) => {
  for (const headers of [admin, backboneA.headers]) {
    const unknown = await get(`/access-keys/${randomUUID()}`, headers);
    t.equal(unknown.status, 404);
    t.match(unknown.type, /^application\/problem\+json/);
    t.match(unknown.body, { type: '/problems/not-found' });
    t.equal((await get('/access-keys/not-a-uuid', headers)).status, 400);
  }
});

t.test('given a partner or viewer key, then listing and reading keys is 403', async (t) => {
  for (const key of [partnerA, viewerA]) {
    t.equal((await get('/access-keys', key.headers)).status, 403);
    t.equal((await get(`/access-keys/${key.id}`, key.headers)).status, 403, 'not even itself');
  }
});

t.test('given an auditor key (auditors read everything, design §7), then it reads keys as far as its scope reaches', async (t) => {
  const everyKey = await get('/access-keys', auditor.headers);
  t.equal(everyKey.status, 200);
  t.same(idsOf(everyKey.body), all.map((k) => k.id), 'a deployment-wide auditor: every key, revoked ones included');
  showsNoSecret(t, everyKey.text);
  t.same(idsOf((await get(`/access-keys?initiativeId=${B}`, auditor.headers)).body), [backboneB.id], 'or one initiative\'s');
  t.match(await get(`/access-keys/${backboneA.id}`, auditor.headers), { status: 200, body: { id: backboneA.id, role: 'backbone' } });

  const scoped = await c.key({ role: 'auditor', initiativeId: A, label: 'auditor of A' });
  const own = await get('/access-keys', scoped.headers);
  t.equal(own.status, 200);
  t.same(idsOf(own.body), [backboneA, partnerA, viewerA, revokedA, scoped].map((k) => k.id), 'an auditor of A: the keys of A');
  t.equal((await get(`/access-keys?initiativeId=${B}`, scoped.headers)).status, 403, 'not those of B');
  t.equal((await get(`/access-keys/${backboneB.id}`, scoped.headers)).status, 403, 'nor one of them');
  t.equal((await get(`/access-keys/${auditor.id}`, scoped.headers)).status, 403, 'nor a deployment-wide key');
  t.equal((await app.inject({ method: 'DELETE', url: `/access-keys/${viewerA.id}`, headers: auditor.headers })).statusCode, 403, 'reading is not revoking');
});

t.test('given no key or an unknown one, then 401', async (t) => {
  for (const headers of [{}, { authorization: 'Bearer il_unknownunknownunknownunknownunknownunknown0' }] as Headers[]) {
    t.equal((await get('/access-keys', headers)).status, 401);
    t.equal((await get(`/access-keys/${viewerA.id}`, headers)).status, 401);
  }
});

t.test('the OpenAPI document names the answers AccessKey and AccessKeyList, under access, with a bearer key', async (t) => {
  const doc = (await get('/openapi.json', {})).body as { components: { schemas: Record<string, { properties: Json }> }; paths: Record<string, Record<string, Json>> };
  t.same(Object.keys(doc.components.schemas.AccessKey!.properties).sort(), ['id', 'initiativeId', 'issuedAt', 'label', 'partnerId', 'revoked', 'revokedAt', 'role']);
  t.ok(doc.components.schemas.AccessKeyList, 'AccessKeyList');
  for (const path of ['/access-keys', '/access-keys/{id}']) t.match(doc.paths[path]!.get, { tags: ['access'], security: [{ bearer: [] }] }, `GET ${path}`);
});

t.test('given a directory made before keys had times, when the service starts, then it replays the log to fill them', async (t) => {
  const first = await startService(t);
  const own = api(first.app);
  const I = await own.launch();
  const kept = await own.key({ role: 'viewer', initiativeId: I });
  const gone = await own.key({ role: 'viewer', initiativeId: I });
  t.equal((await first.app.inject({ method: 'DELETE', url: `/access-keys/${gone.id}`, headers: admin })).statusCode, 201);
  const before = (await first.app.inject({ method: 'GET', url: '/access-keys', headers: admin })).json().accessKeys;
  await first.stop();

  // The local file as the release before these columns left it.
  const db = new Database(join(first.dataDir, 'local.sqlite'));
  db.exec('ALTER TABLE access_keys DROP COLUMN issued_at; ALTER TABLE access_keys DROP COLUMN revoked_at;');
  db.close();

  const again = await startService(t, { DATA_DIR: first.dataDir });
  let after: Json[] = [];
  for (let i = 0; i < 100; i++) {
    after = (await again.app.inject({ method: 'GET', url: '/access-keys', headers: admin })).json().accessKeys;
    if (after.every((k) => k.issuedAt !== null)) break;
    await sleep(20);
  }
  t.same(after, before, 'the same keys with the same times as before');
  t.equal((await again.app.inject({ method: 'GET', url: `/initiatives/${I}`, headers: gone.headers })).statusCode, 401, 'the revoked key stays revoked');
  t.equal((await again.app.inject({ method: 'GET', url: `/initiatives/${I}`, headers: kept.headers })).statusCode, 200, 'the valid one still works');
});

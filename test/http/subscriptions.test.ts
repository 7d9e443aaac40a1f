import t from 'tap';
import { api } from '../helpers/api.js';
import { admin, startService } from '../helpers/service.js';

t.test('subscriptions through the API, without Redis: recorded and listed; deliveries say why there are none', async (t) => {
  const service = await startService(t);
  const client = api(service.app);
  const initiative = await client.launch();
  const partner = await client.partner(initiative, 'River Trust');
  const partner2 = await client.partner(initiative, 'Water Board');
  const partnerKey = await client.key({ role: 'partner', initiativeId: initiative, partnerId: partner });
  const partner2Key = await client.key({ role: 'partner', initiativeId: initiative, partnerId: partner2 });
  const viewer = await client.key({ role: 'viewer', initiativeId: initiative });
  const auditor = await client.key({ role: 'auditor', initiativeId: initiative });
  const backbone = await client.key({ role: 'backbone', initiativeId: initiative });
  const elsewhere = await client.launch('Elsewhere');
  const url = 'https://hooks.river-trust.example.org/impact';

  t.test('a partner subscribes for itself and gets the secret once; the subscription is its own', async (t) => {
    const res = await client.post('/subscriptions', { url, initiativeId: initiative, types: ['ReadingRecorded'] }, partnerKey.headers);
    t.equal(res.status, 201, JSON.stringify(res.body));
    t.match(res.body.secret, /^whsec_/);
    const got = await service.app.inject({ method: 'GET', url: `/subscriptions/${res.body.id}`, headers: partnerKey.headers });
    t.match(got.json(), { id: res.body.id, partnerId: partner, url, types: ['ReadingRecorded'], status: 'active', disabled: null });
    t.notOk('secret' in got.json(), 'never shown again');
    const other = await service.app.inject({ method: 'GET', url: `/subscriptions/${res.body.id}`, headers: partner2Key.headers });
    t.equal(other.statusCode, 403, 'another partner does not see it');
    const list2 = await service.app.inject({ method: 'GET', url: '/subscriptions', headers: partner2Key.headers });
    t.same(list2.json().subscriptions, []);
    const listBackbone = await service.app.inject({ method: 'GET', url: '/subscriptions', headers: backbone.headers });
    t.equal(listBackbone.json().subscriptions.length, 1, 'the backbone sees its initiative’s subscriptions');
    t.equal(listBackbone.json().deliveryEnabled, false);
    const listAuditor = await service.app.inject({ method: 'GET', url: '/subscriptions', headers: auditor.headers });
    t.equal(listAuditor.json().subscriptions.length, 1, 'so does its auditor');

    const retry = await client.post('/subscriptions', { url, initiativeId: initiative }, { ...partnerKey.headers, 'idempotency-key': 'sub-1' });
    const again = await client.post('/subscriptions', { url, initiativeId: initiative }, { ...partnerKey.headers, 'idempotency-key': 'sub-1' });
    t.equal(again.body.id, retry.body.id, 'an idempotent retry answers the same subscription …');
    t.equal(again.body.secret, retry.body.secret, '… with the same secret (derived, never stored)');

    const deliveries = await service.app.inject({ method: 'GET', url: `/subscriptions/${res.body.id}/deliveries`, headers: partnerKey.headers });
    t.equal(deliveries.statusCode, 503);
    t.match(deliveries.json().detail, /REDIS_URL is not set/);
  });

  t.test('who may subscribe', async (t) => {
    for (const [who, headers] of [['viewer', viewer.headers], ['auditor', auditor.headers]] as const) {
      t.equal((await client.post('/subscriptions', { url, initiativeId: initiative }, headers)).status, 403, `a ${who} cannot`);
    }
    t.equal((await client.post('/subscriptions', { url, initiativeId: initiative, partnerId: partner2 }, partnerKey.headers)).status, 403, 'not for another partner');
    t.equal((await client.post('/subscriptions', { url, initiativeId: elsewhere }, backbone.headers)).status, 403, 'not in another initiative');
    t.equal((await client.post('/subscriptions', { url, initiativeId: initiative })).status, 201, 'an admin may, without an owner');
    t.equal((await service.app.inject({ method: 'POST', url: '/subscriptions', payload: { url, initiativeId: initiative } })).statusCode, 401);
  });

  t.test('bad URLs and types are 400s naming the field; private networks are refused (SSRF)', async (t) => {
    for (const bad of [
      'http://hooks.example.org/x',
      'https://10.0.0.1/x',
      'https://169.254.169.254/latest/meta-data',
      'https://127.0.0.1:3000/initiatives',
      'https://localhost/x',
      'https://[::1]/x',
      'https://192.168.0.10/x',
      'not a url',
    ]) {
      const res = await client.post('/subscriptions', { url: bad, initiativeId: initiative });
      t.equal(res.status, 400, `${bad} refused`);
      t.same(res.body.errors?.map((e: { path: string }) => e.path), ['body.url']);
    }
    const types = await client.post('/subscriptions', { url, initiativeId: initiative, types: ['ReadingRecorded', 'NoSuchEvent', 'AccessKeyIssued', 'org.impact-ledger.access-key.issued'] });
    t.equal(types.status, 400);
    t.same(types.body.errors.map((e: { path: string }) => e.path), ['body.types.1', 'body.types.2', 'body.types.3'], 'unknown and administrative types are named');
    const unknown = await client.post('/subscriptions', { url, initiativeId: initiative, secret: 'whsec_x' });
    t.equal(unknown.status, 400, 'no field can carry a secret in');
  });

  t.test('types may be named as the deliveries carry them (CloudEvents types): recorded by catalog name, once each', async (t) => {
    const res = await client.post('/subscriptions', { url, initiativeId: initiative, types: ['org.impact-ledger.reading.recorded', 'ReadingRecorded', 'org.impact-ledger.decision.vote-cast'] });
    t.equal(res.status, 201, JSON.stringify(res.body));
    const got = await service.app.inject({ method: 'GET', url: `/subscriptions/${res.body.id}`, headers: admin });
    t.same(got.json().types, ['ReadingRecorded', 'VoteCast']);
  });

  t.test('`checkpoint` asks for signed checkpoints and `*` for every event type, by either name; a look-alike is a 400', async (t) => {
    const witness = await client.post('/subscriptions', { url, initiativeId: initiative, types: ['org.impact-ledger.checkpoint.signed', 'checkpoint'] });
    t.equal(witness.status, 201, JSON.stringify(witness.body));
    const everything = await client.post('/subscriptions', { url, initiativeId: initiative, types: ['*', 'checkpoint', 'ReadingRecorded'] });
    t.equal(everything.status, 201, JSON.stringify(everything.body));
    const typesOf = async (id: string) => (await service.app.inject({ method: 'GET', url: `/subscriptions/${id}`, headers: admin })).json().types;
    t.same(await typesOf(witness.body.id), ['checkpoint'], 'recorded once, by the name SSE `types=` uses');
    t.same(await typesOf(everything.body.id), ['*', 'checkpoint', 'ReadingRecorded']);
    const recorded = (await service.store.readStream(`subscription-${witness.body.id}`)).find((e) => e.type === 'SubscriptionCreated');
    t.same((recorded!.data as { types: string[] }).types, ['checkpoint'], 'the log records the filter as the API shows it');
    const lookAlikes = await client.post('/subscriptions', { url, initiativeId: initiative, types: ['Checkpoint', 'checkpoints', '**'] });
    t.equal(lookAlikes.status, 400);
    t.same(lookAlikes.body.errors.map((e: { path: string }) => e.path), ['body.types.0', 'body.types.1', 'body.types.2']);
  });

  t.test('a partner that left keeps its subscription history, but its subscription is not enabled again', async (t) => {
    const leaving = await client.partner(initiative, 'Leaving Co-op');
    const leavingKey = await client.key({ role: 'partner', initiativeId: initiative, partnerId: leaving });
    const sub = await client.post('/subscriptions', { url, initiativeId: initiative }, leavingKey.headers);
    t.equal(sub.status, 201);
    t.equal((await client.post(`/subscriptions/${sub.body.id}/disable`, {}, leavingKey.headers)).status, 201);
    t.equal((await client.post(`/initiatives/${initiative}/partners/${leaving}/departure`, { reason: 'Merged into another member' })).status, 201);
    for (const headers of [leavingKey.headers, backbone.headers]) {
      const res = await client.post(`/subscriptions/${sub.body.id}/enable`, {}, headers);
      t.match(res, { status: 409, body: { detail: /has left/ } }, 'refused whoever asks');
    }
    const state = await service.app.inject({ method: 'GET', url: `/subscriptions/${sub.body.id}`, headers: admin });
    t.equal(state.json().status, 'disabled');
  });

  t.test('disable, enable, remove; only the owner, the backbone or an admin', async (t) => {
    const sub = await client.post('/subscriptions', { url, initiativeId: initiative }, partnerKey.headers);
    const id = sub.body.id as string;
    t.equal((await client.post(`/subscriptions/${id}/disable`, {}, partner2Key.headers)).status, 403, 'another partner cannot touch it');
    t.equal((await client.post(`/subscriptions/${id}/enable`, {}, partnerKey.headers)).status, 409, 'enabling an active one is a conflict');
    t.equal((await client.post(`/subscriptions/${id}/disable`, { reason: 'maintenance' }, partnerKey.headers)).status, 201);
    const disabled = await service.app.inject({ method: 'GET', url: `/subscriptions/${id}`, headers: partnerKey.headers });
    t.match(disabled.json(), { status: 'disabled', disabled: { reason: 'maintenance', lastSeq: sub.body.seq } });
    t.equal((await client.post(`/subscriptions/${id}/enable`, {}, backbone.headers)).status, 201);
    const removed = await service.app.inject({ method: 'DELETE', url: `/subscriptions/${id}`, headers: partnerKey.headers });
    t.equal(removed.statusCode, 201);
    t.equal((await service.app.inject({ method: 'GET', url: `/subscriptions/${id}`, headers: admin })).statusCode, 404, 'gone');
  });
});

import t from 'tap';
import { admin, startService } from '../helpers/service.js';

const launch = { name: 'Clean River Partnership', problemStatement: 'Runoff pollutes the river that 40,000 people drink from.' };

t.test('POST /initiatives records InitiativeLaunched and returns a receipt with seq', async (t) => {
  const { app, store } = await startService(t);
  const res = await app.inject({ method: 'POST', url: '/initiatives', headers: admin, payload: launch });
  t.equal(res.statusCode, 201);
  const receipt = res.json();
  t.match(receipt, { id: String, eventId: String, stream: `initiative-${receipt.id}`, revision: 0, seq: 0 });
  t.equal(res.headers.location, `/initiatives/${receipt.id}`);

  const [event] = await store.readStream(receipt.stream);
  t.equal(event?.id, receipt.eventId, 'the receipt names the stored event');
  t.equal(event?.type, 'InitiativeLaunched');
  t.same(event?.data, { initiativeId: receipt.id, ...launch });
  t.match(event?.metadata, { actor: { keyId: 'admin', role: 'admin' }, correlationId: String, schemaVersion: 1 });

  const second = await app.inject({ method: 'POST', url: '/initiatives', headers: admin, payload: launch });
  t.equal(second.json().seq, 1, 'the next write is the next seq: the caller can read its own writes');
});

t.test('bad input is a problem+json 400 naming each field', async (t) => {
  const { app, store } = await startService(t);
  const res = await app.inject({ method: 'POST', url: '/initiatives', headers: admin, payload: { name: '', bogus: 1 } });
  t.equal(res.statusCode, 400);
  t.match(res.headers['content-type'], /^application\/problem\+json/);
  const problem = res.json();
  t.match(problem, { type: '/problems/validation', status: 400, title: String });
  const paths = problem.errors.map((e: { path: string }) => e.path).sort();
  t.same(paths, ['body.bogus', 'body.name', 'body.problemStatement']);
  t.match(problem.errors.find((e: { path: string }) => e.path === 'body.problemStatement'), { message: 'is required' });

  const malformed = await app.inject({ method: 'POST', url: '/initiatives', headers: { ...admin, 'content-type': 'application/json' }, payload: '{"name":' });
  t.equal(malformed.statusCode, 400);
  t.match(malformed.json(), { status: 400, detail: /JSON/ });
  t.same(await store.readAll(), [], 'nothing was recorded for rejected requests');
});

t.test('a missing or unknown key is 401 before the body is even read', async (t) => {
  const { app } = await startService(t);
  const none = await app.inject({ method: 'POST', url: '/initiatives', payload: { name: '' } });
  t.equal(none.statusCode, 401);
  t.equal(none.headers['www-authenticate'], 'Bearer');
  const wrong = await app.inject({ method: 'POST', url: '/initiatives', headers: { authorization: 'Bearer nope' }, payload: launch });
  t.equal(wrong.statusCode, 401);
  t.match(wrong.json(), { type: '/problems/unauthorized', status: 401 });
});

t.test('oversized bodies are 413, unknown routes 404, both as problems', async (t) => {
  const { app } = await startService(t, { BODY_LIMIT_BYTES: '2048' });
  const big = await app.inject({ method: 'POST', url: '/initiatives', headers: admin, payload: { ...launch, problemStatement: 'x'.repeat(4096) } });
  t.equal(big.statusCode, 413);
  t.match(big.headers['content-type'], /problem\+json/);
  const missing = await app.inject({ method: 'GET', url: '/nowhere' });
  t.equal(missing.statusCode, 404);
  t.match(missing.json(), { type: '/problems/not-found' });
});

t.test('GET /health and the OpenAPI document', async (t) => {
  const { app } = await startService(t);
  const health = await app.inject({ method: 'GET', url: '/health' });
  t.same(health.json(), { status: 'ok', seq: -1 });
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
  t.equal(doc.openapi, '3.1.0');
  t.equal(doc.paths['/initiatives'].post.operationId, 'launchInitiative');
  t.ok(doc.paths['/initiatives'].post.responses['400'], 'error responses are documented');
  t.same(doc.components.securitySchemes.bearer, { type: 'http', scheme: 'bearer' });
});

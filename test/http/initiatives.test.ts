import t from 'tap';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { admin, startService } from '../helpers/service.js';
import Database from 'better-sqlite3';
import { api } from '../helpers/api.js';

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

t.test('Idempotency-Key: a retry returns the first receipt and records nothing new, even after a restart', async (t) => {
  const first = await startService(t);
  const headers = { ...admin, 'idempotency-key': 'launch-clean-river-1' };
  const original = await first.app.inject({ method: 'POST', url: '/initiatives', headers, payload: launch });
  t.equal(original.statusCode, 201);
  const retry = await first.app.inject({ method: 'POST', url: '/initiatives', headers, payload: launch });
  t.equal(retry.statusCode, 201);
  t.same(retry.json(), original.json(), 'the same receipt');
  t.equal(retry.headers.location, original.headers.location);
  t.equal(retry.headers['idempotent-replayed'], 'true');
  const concurrent = await Promise.all(
    Array.from({ length: 5 }, () => first.app.inject({ method: 'POST', url: '/initiatives', headers: { ...admin, 'idempotency-key': 'burst' }, payload: launch })),
  );
  t.equal(new Set(concurrent.map((r) => r.json().id)).size, 1, 'concurrent retries of one key create one initiative');
  t.equal((await first.store.readAll()).length, 2, 'two keys, two events');
  await first.stop();

  const again = await startService(t, { DATA_DIR: first.dataDir });
  const afterRestart = await again.app.inject({ method: 'POST', url: '/initiatives', headers, payload: launch });
  t.same(afterRestart.json(), original.json(), 'replayed after a restart');
  t.equal((await again.store.readAll()).length, 2, 'still two events');
  await again.stop();

  // The record is derived from the log itself: with the local read models deleted, it is rebuilt.
  for (const suffix of ['', '-wal', '-shm']) rmSync(join(first.dataDir, `local.sqlite${suffix}`), { force: true });
  const rebuilt = await startService(t, { DATA_DIR: first.dataDir });
  const afterRebuild = await rebuilt.app.inject({ method: 'POST', url: '/initiatives', headers, payload: launch });
  t.same(afterRebuild.json(), original.json(), 'replayed after the local state was rebuilt from the log');
  const fresh = await rebuilt.app.inject({ method: 'POST', url: '/initiatives', headers: { ...admin, 'idempotency-key': 'another' }, payload: launch });
  t.not(fresh.json().id, original.json().id, 'a new key is a new write');
  t.equal((await rebuilt.store.readAll()).length, 3);
});

t.test('Idempotency-Key: a retry the directory has not caught up with yet is still answered with the first receipt', async (t) => {
  const first = await startService(t);
  const headers = { ...admin, 'idempotency-key': 'launch-before-the-directory' };
  const original = await first.app.inject({ method: 'POST', url: '/initiatives', headers, payload: launch });
  t.equal(original.statusCode, 201);
  const reading = await api(first.app).indicator(original.json().id, await api(first.app).goal(original.json().id));
  const partner = await api(first.app).partner(original.json().id, 'River Trust');
  const readingHeaders = { ...admin, 'idempotency-key': 'reading-before-the-directory' };
  const readingBody = { partnerId: partner, period: { start: '2026-01-01', end: '2026-03-31' }, value: 7 };
  const firstReading = await first.app.inject({ method: 'POST', url: `/indicators/${reading}/readings`, headers: readingHeaders, payload: readingBody });
  t.equal(firstReading.statusCode, 201);
  await first.stop();
  // As if the directory had not applied those writes yet (a rebuild catching up, another instance's write): their
  // receipts are not in it, while the follower's checkpoint is past them.
  const db = new Database(join(first.dataDir, 'local.sqlite'));
  t.equal(db.prepare('DELETE FROM idempotency').run().changes, 2);
  db.close();
  const again = await startService(t, { DATA_DIR: first.dataDir });
  const events = (await again.store.readAll({ maxCount: 1000 })).length;
  for (const [url, retryHeaders, payload, before] of [
    ['/initiatives', headers, launch, original],
    [`/indicators/${reading}/readings`, readingHeaders, readingBody, firstReading],
  ] as const) {
    const retry = await again.app.inject({ method: 'POST', url, headers: retryHeaders, payload });
    t.equal(retry.statusCode, 201, `${url}: not a 409 against its own first write (${retry.body})`);
    t.same(retry.json(), before.json(), `${url}: the first receipt`);
    t.equal(retry.headers['idempotent-replayed'], 'true');
  }
  t.equal((await again.store.readAll({ maxCount: 1000 })).length, events, 'nothing new recorded');
});

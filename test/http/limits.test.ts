import t from 'tap';
import { servedRoutes } from '../helpers/routes.js';
import type { FastifyInstance } from 'fastify';
import { rateLimitBucket } from '../../src/http/rate-limit.js';
import { createAuthenticator } from '../../src/http/auth/authenticate.js';
import { api } from '../helpers/api.js';
import { ADMIN_TOKEN, admin, startService } from '../helpers/service.js';

const writeRoutes = (app: FastifyInstance) => servedRoutes(app).filter((r) => r.method === 'POST' || r.method === 'DELETE');
const withIds = (url: string, id: string) => url.replace(/:[A-Za-z0-9_]+/g, id);
const asOpenApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
const problemJson = /^application\/problem\+json/;

type Schema = { [key: string]: unknown };
const isObject = (value: unknown): value is Schema => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Walks a request-body JSON Schema (through `$ref`s and unions), calling `visit` with each sub-schema and its path. */
const walk = (schema: unknown, components: Schema, path: string, visit: (s: Schema, path: string) => void, seen = new Set<unknown>()): void => {
  if (!isObject(schema) || seen.has(schema)) return;
  seen.add(schema);
  if (typeof schema.$ref === 'string') return walk(components[schema.$ref.split('/').pop()!], components, path, visit, seen);
  visit(schema, path);
  for (const key of ['anyOf', 'oneOf', 'allOf']) if (Array.isArray(schema[key])) for (const s of schema[key] as unknown[]) walk(s, components, path, visit, seen);
  if (isObject(schema.properties)) for (const [name, s] of Object.entries(schema.properties)) walk(s, components, `${path}.${name}`, visit, seen);
  if (isObject(schema.additionalProperties)) walk(schema.additionalProperties, components, `${path}.*`, visit, seen);
  if (isObject(schema.propertyNames)) walk(schema.propertyNames, components, `${path}.<key>`, visit, seen);
  if (schema.items) walk(schema.items, components, `${path}[]`, visit, seen);
};

/** A string schema that cannot grow without bound: a max length, a fixed set, or an anchored pattern with no `*`, `+` or `{n,}`. */
const boundedString = (s: Schema) =>
  s.maxLength !== undefined || Array.isArray(s.enum) || 'const' in s || (typeof s.pattern === 'string' && /^\^.*\$$/.test(s.pattern) && !/(?<!\\)[*+]|\{\d+,\}/.test(s.pattern));

t.test('every write route answers an oversized body with 413 problem+json, and records nothing', async (t) => {
  const { app, store } = await startService(t, { BODY_LIMIT_BYTES: '4096' });
  const initiative = await api(app).launch();
  const before = (await store.readAll()).length;
  const big = JSON.stringify({ name: 'x'.repeat(8192) });
  const routes = writeRoutes(app);
  t.ok(routes.length >= 10, `${routes.length} write routes`);
  for (const route of routes) {
    const res = await app.inject({ method: route.method as 'POST', url: withIds(route.url, initiative), headers: { ...admin, 'content-type': 'application/json' }, payload: big });
    t.equal(res.statusCode, 413, `${route.method} ${route.url}`);
    t.match(res.headers['content-type'], problemJson);
    t.match(res.json(), { type: '/problems/ctp-body-too-large', title: 'Payload Too Large', status: 413 });
  }
  t.equal((await store.readAll()).length, before, 'no event from any of them');
});

t.test('rate limit per key: 429 problem+json with Retry-After; other keys unaffected; anonymous callers limited per IP', async (t) => {
  const { app } = await startService(t, { RATE_LIMIT_PER_MINUTE: '4' });
  const c = api(app);
  await c.launch(); // admin: 1
  const a = await c.key({ role: 'auditor', label: 'auditor A' }); // admin: 2
  const b = await c.key({ role: 'auditor', label: 'auditor B' }); // admin: 3

  const checkpoint = (headers: Record<string, string>, remoteAddress = '127.0.0.1') => app.inject({ method: 'GET', url: '/audit/checkpoint', headers, remoteAddress });
  for (let i = 0; i < 4; i++) t.equal((await checkpoint(a.headers)).statusCode, 200, `key A request ${i + 1}`);
  const limited = await checkpoint(a.headers);
  t.equal(limited.statusCode, 429, 'the fifth request of key A in the minute is refused');
  t.match(limited.headers['content-type'], problemJson);
  t.match(limited.json(), { type: '/problems/rate-limited', title: 'Too many requests', status: 429, detail: /4 requests per minute/ });
  t.match(limited.headers['retry-after'], /^[1-9]\d*$/, 'with Retry-After in seconds');
  t.ok(Number(limited.headers['retry-after']) <= 60);
  t.equal((await checkpoint(b.headers)).statusCode, 200, 'key B has its own budget, from the same IP');
  t.equal((await checkpoint(a.headers, '10.9.9.9')).statusCode, 429, 'and key A is limited from any IP');

  // Anonymous and unknown keys count against their IP: a flood of made-up keys is limited too.
  const anonymous = (remoteAddress: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/initiatives', headers, payload: { name: 'x' }, remoteAddress });
  for (let i = 0; i < 4; i++) t.equal((await anonymous('10.0.0.1', i % 2 ? { authorization: `Bearer made-up-${i}` } : {})).statusCode, 401);
  const flood = await anonymous('10.0.0.1', { authorization: 'Bearer yet-another-made-up-key' });
  t.equal(flood.statusCode, 429, 'the fifth unauthenticated request from one IP is refused, whatever key it makes up');
  t.match(flood.headers['content-type'], problemJson);
  t.equal((await anonymous('10.0.0.2')).statusCode, 401, 'another IP has its own budget');
  t.equal((await c.post('/initiatives', { name: 'Fourth', problemStatement: 'The admin key has one request left.' })).status, 201, 'a valid key is not held to its IP\'s budget');
  t.equal((await c.post('/initiatives', { name: 'Fifth', problemStatement: 'Now it has none.' })).status, 429);
});

t.test('the limiter holds key ids, never keys', async (t) => {
  const { app } = await startService(t);
  const auditor = await api(app).key({ role: 'auditor' });
  const authenticate = createAuthenticator({ adminToken: ADMIN_TOKEN });
  const bucket = rateLimitBucket(authenticate);
  t.equal(bucket({ headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, ip: '10.0.0.1' }), 'key:admin');
  t.equal(bucket({ headers: { authorization: 'Bearer unknown-key' }, ip: '10.0.0.1' }), 'ip:10.0.0.1');
  t.equal(bucket({ headers: {}, ip: '::1' }), 'ip:::1');
  t.equal(bucket({ headers: { authorization: 'Basic YTpi' }, ip: '10.0.0.2' }), 'ip:10.0.0.2');
  const limited = await startService(t, { RATE_LIMIT_PER_MINUTE: '1' });
  const issued = await api(limited.app).key({ role: 'auditor' });
  const second = await limited.app.inject({ method: 'GET', url: '/audit/checkpoint', headers: issued.headers });
  t.equal(second.statusCode, 200, 'a new key starts with its own budget (the admin used its one request to issue it)');
  t.notOk(JSON.stringify(second.headers).includes(issued.key) || JSON.stringify(second.headers).includes(auditor.key), 'no key echoes in rate-limit headers');
});

t.test('request bodies: unknown fields rejected, strings bounded, arrays bounded — on every write route', async (t) => {
  const { app, store } = await startService(t);
  const initiative = await api(app).launch();
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
  const components = doc.components.schemas as Schema;
  const before = (await store.readAll()).length;
  for (const route of writeRoutes(app)) {
    const name = `${route.method} ${route.url}`;
    const body = doc.paths[asOpenApiPath(route.url)]?.[route.method.toLowerCase()]?.requestBody?.content?.['application/json']?.schema;
    if (!body) continue;
    walk(body, components, 'body', (s, path) => {
      if (s.type === 'object' && isObject(s.properties) && Object.keys(s.properties).length) t.equal(s.additionalProperties, false, `${name} ${path}: unknown fields rejected`);
      if (s.type === 'object' && isObject(s.properties) && !Object.keys(s.properties).length) t.ok(s.additionalProperties === false || isObject(s.additionalProperties), `${name} ${path}: no free-form object`);
      if (s.type === 'array') t.ok(typeof s.maxItems === 'number', `${name} ${path}: array bounded`);
      if (s.type === 'string') {
        t.ok(boundedString(s), `${name} ${path}: string bounded`);
      }
    });
    const res = await app.inject({ method: route.method as 'POST', url: withIds(route.url, initiative), headers: admin, payload: { __unknownField: 1 } });
    t.equal(res.statusCode, 400, `${name}: a body with an unknown field is a 400`);
    t.match(res.json(), { type: '/problems/validation' });
  }
  t.equal((await store.readAll()).length, before, 'nothing recorded');

  const extra = await app.inject({ method: 'POST', url: '/initiatives', headers: admin, payload: { name: 'N', problemStatement: 'P', extra: true } });
  t.equal(extra.statusCode, 400);
  t.same(extra.json().errors, [{ path: 'body.extra', message: 'unknown field' }], 'the unknown field is named');
  for (const payload of ['{"name":"N","problemStatement":"P","__proto__":{"x":1}}', '{"name":"N","problemStatement":"P","constructor":{"prototype":{"x":1}}}']) {
    const poisoned = await app.inject({ method: 'POST', url: '/initiatives', headers: { ...admin, 'content-type': 'application/json' }, payload });
    t.equal(poisoned.statusCode, 400, `prototype poisoning is refused by the JSON parser: ${payload}`);
    t.match(poisoned.headers['content-type'], problemJson);
  }
  t.equal((await store.readAll()).length, before, 'still nothing recorded');
});

t.test('numbers JSON cannot keep (1e400 parses to Infinity) are a 400 naming the field, never a 500', async (t) => {
  const { app } = await startService(t);
  const initiative = await api(app).launch();
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
  const components = doc.components.schemas as Schema;
  let checked = 0;
  for (const route of writeRoutes(app)) {
    const body = doc.paths[asOpenApiPath(route.url)]?.[route.method.toLowerCase()]?.requestBody?.content?.['application/json']?.schema;
    const numeric: string[] = [];
    walk(body, components, 'body', (s, path) => {
      if ((s.type === 'number' || s.type === 'integer') && /^body(\.[A-Za-z0-9_]+)+$/.test(path)) numeric.push(path);
    });
    for (const path of new Set(numeric)) {
      const keys = path.split('.').slice(1);
      const text = keys.reduceRight((inner, key) => `{${JSON.stringify(key)}:${inner}}`, '1e400');
      for (const payload of [text, text.replace('1e400', '-1e400')]) {
        const res = await app.inject({ method: route.method as 'POST', url: withIds(route.url, initiative), headers: { ...admin, 'content-type': 'application/json' }, payload });
        t.equal(res.statusCode, 400, `${route.method} ${route.url} ${path} = ${payload.includes('-1e400') ? '-' : ''}Infinity`);
        t.ok((res.json().errors ?? []).some((e: { path: string }) => e.path === path || path.startsWith(`${e.path}.`)), `the problem names ${path}`);
        checked++;
      }
    }
  }
  t.ok(checked >= 4, `${checked} numeric fields checked across the write routes`);
  const huge = await app.inject({ method: 'POST', url: '/initiatives', headers: { ...admin, 'content-type': 'application/json' }, payload: '{"name":"n","problemStatement":"p","geography":1e400}' });
  t.equal(huge.statusCode, 400);
});

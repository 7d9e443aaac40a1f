import t from 'tap';
import { servedRoutes } from '../helpers/routes.js';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import type { Position } from '../../src/store/event-store.js';
import type { Service } from '../../src/service.js';
import { api } from '../helpers/api.js';
import { ADMIN_TOKEN, startService } from '../helpers/service.js';

/**
 * Property: whatever arrives at a write route — random JSON, bodies built from the route's own documented schema
 * and then broken, prototype-pollution keys, huge or deeply nested payloads, numbers JSON turns into Infinity,
 * invalid UTF-8, any content type, garbage headers — the answer is never a 5xx, every error is an RFC 9457
 * problem, and only a 201 may add events to the store. Routes are discovered from the app's router.
 */

const BODY_LIMIT = 64 * 1024;
const TOTAL_RUNS = Number(process.env.FUZZ_RUNS ?? 6000);


type JsonSchema = { [key: string]: unknown };

/** One of the ids known so far: seeded, then every resource a 201 created (the pool grows while the fuzz runs). */
const knownId = (ids: string[]) => fc.nat().map((i) => ids[i % ids.length]!);
const isObject = (value: unknown): value is JsonSchema => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A JSON value written into the body text as is, e.g. `1e400` (JSON.parse makes it Infinity). */
const raw = (text: string) => `\u0000RAW:${text}`;
const toJsonText = (value: unknown): string => JSON.stringify(value).replace(/"\\u0000RAW:([^"]*)"/g, '$1');

/** Values of the documented shape (enough of them valid to reach the deciders), from a JSON Schema. */
const fromSchema = (schema: unknown, components: JsonSchema, ids: string[], depth = 0): fc.Arbitrary<unknown> => {
  if (!isObject(schema) || depth > 8) return fc.jsonValue({ maxDepth: 2 });
  if (typeof schema.$ref === 'string') return fromSchema(components[schema.$ref.split('/').pop()!], components, ids, depth + 1);
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  const union = (schema.anyOf ?? schema.oneOf) as unknown[] | undefined;
  if (Array.isArray(union)) return fc.oneof(...union.map((s) => fromSchema(s, components, ids, depth + 1)));
  if (Array.isArray(schema.allOf)) return fromSchema(schema.allOf[0], components, ids, depth + 1);
  switch (schema.type) {
    case 'object': {
      const properties = isObject(schema.properties) ? schema.properties : {};
      const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
      if (Object.keys(properties).length === 0 && isObject(schema.additionalProperties)) {
        const names = isObject(schema.propertyNames) ? fromSchema(schema.propertyNames, components, ids, depth + 1) : fc.string({ maxLength: 8 });
        return fc.array(fc.tuple(names, fromSchema(schema.additionalProperties, components, ids, depth + 1)), { maxLength: 3 }).map((entries) => Object.fromEntries(entries));
      }
      const model = Object.fromEntries(Object.entries(properties).map(([key, s]) => [key, fromSchema(s, components, ids, depth + 1)]));
      return fc.record(model, { requiredKeys: [...required].filter((key) => key in model) });
    }
    case 'array': {
      const maxLength = Math.min(Number(schema.maxItems ?? 3), 3);
      return fc.array(fromSchema(schema.items, components, ids, depth + 1), { minLength: Math.min(Number(schema.minItems ?? 0), maxLength), maxLength });
    }
    case 'string': {
      if (schema.format === 'uuid') return fc.oneof({ weight: 3, arbitrary: knownId(ids) }, { weight: 1, arbitrary: fc.uuid() });
      if (schema.format === 'date') return fc.date({ min: new Date('2000-01-01'), max: new Date('2035-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
      if (schema.format === 'date-time') return fc.date({ min: new Date('2000-01-01'), max: new Date('2035-12-31'), noInvalidDate: true }).map((d) => d.toISOString());
      if (schema.format === 'uri' || schema.format === 'url') return fc.webUrl();
      const maxLength = Math.min(Number(schema.maxLength ?? 40), 40);
      const minLength = Number(schema.minLength ?? 0);
      if (typeof schema.pattern === 'string' && schema.pattern !== '\\S') {
        return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length >= minLength && s.length <= Number(schema.maxLength ?? Infinity));
      }
      return fc.string({ minLength: Math.max(minLength, 1), maxLength }).filter((s) => schema.pattern === undefined || /\S/.test(s));
    }
    case 'integer':
      return fc.integer({ min: Math.max(Number(schema.minimum ?? -1000), -1e9), max: Math.min(Number(schema.maximum ?? 1e6), 1e9) });
    case 'number': {
      const min = Math.max(Number(schema.minimum ?? schema.exclusiveMinimum ?? -1e6), -1e12);
      return fc.double({ min, max: Math.min(Number(schema.maximum ?? 1e6), 1e12), noNaN: true, noDefaultInfinity: true }).filter((n) => schema.exclusiveMinimum === undefined || n > Number(schema.exclusiveMinimum));
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
};

/** Values a field should never accept, including numbers JSON cannot keep and prototype pollution. */
const garbage: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(raw('1e400'), raw('-1e400'), raw('1e308'), raw('-0'), raw('123456789012345678901234567890'), raw('0.1e-400')),
  fc.constantFrom(null, true, 0, -1, 1.5, '', ' ', '\u0000', 'null', [], {}, [[[]]]),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.integer({ min: 1000, max: 30_000 }).map((n) => 'x'.repeat(n)),
  fc.jsonValue({ maxDepth: 3 }),
  fc.constant(Object.fromEntries([['__proto__', { polluted: true }]])),
  fc.constant({ constructor: { prototype: { polluted: true } } }),
);

const pollutionKeys = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '');

/** Breaks a well-formed body: adds an unknown or a prototype key, drops a field, or swaps a field for garbage. */
const mutate = (value: unknown): fc.Arbitrary<unknown> => {
  if (!isObject(value)) return garbage;
  const keys = Object.keys(value);
  return fc.oneof(
    fc.tuple(fc.oneof(pollutionKeys, fc.string({ maxLength: 12 })), garbage).map(([key, v]) => Object.fromEntries([...Object.entries(value), [key, v]])),
    ...(keys.length ? [fc.constantFrom(...keys).map((key) => Object.fromEntries(Object.entries(value).filter(([k]) => k !== key)))] : []),
    ...(keys.length ? [fc.tuple(fc.constantFrom(...keys), garbage).map(([key, v]) => ({ ...value, [key]: v }))] : []),
  );
};

const deepNesting = fc.integer({ min: 50, max: 20_000 }).chain((n) =>
  fc.constantFrom('['.repeat(n) + ']'.repeat(n), '{"a":'.repeat(n) + '1' + '}'.repeat(n), `{"name":${'['.repeat(n)}${']'.repeat(n)}}`),
);

const invalidUtf8 = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  fc.uint8Array({ minLength: 1, maxLength: 20 }).map((bytes) => Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff, 0xc3, ...bytes, 0x80]), Buffer.from('","title":"\xff"}')])),
);

/** Payloads for one route: its documented body (valid or broken) most often, then everything else. */
const payloads = (bodySchema: unknown, components: JsonSchema, ids: string[]): fc.Arbitrary<string | Buffer | undefined> => {
  const wellFormed = fromSchema(bodySchema, components, ids);
  return fc.oneof(
    { weight: 4, arbitrary: wellFormed.map(toJsonText) },
    { weight: 6, arbitrary: wellFormed.chain(mutate).map(toJsonText) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: garbage.map(toJsonText) },
    { weight: 1, arbitrary: deepNesting },
    { weight: 1, arbitrary: invalidUtf8 },
    { weight: 1, arbitrary: fc.integer({ min: BODY_LIMIT - 16, max: BODY_LIMIT * 2 }).map((n) => JSON.stringify({ name: 'x'.repeat(n) })) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    { weight: 1, arbitrary: fc.constantFrom(undefined, '', 'null', '{', '{"a":1}{"b":2}', '\ufeff{}', '[]', '"str"', 'NaN', 'Infinity', '{"__proto__":{"x":1}}') },
  );
};

const contentTypes = fc.oneof(
  { weight: 12, arbitrary: fc.constant('application/json') },
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      undefined,
      '',
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'application/json; charset=utf-16',
      'APPLICATION/JSON',
      'application/json;',
      'application/problem+json',
      'application/merge-patch+json',
      'text/plain',
      'text/plain; charset=utf-8',
      'text/csv',
      'multipart/form-data; boundary=xyz',
      'multipart/form-data',
      'application/x-www-form-urlencoded',
      'application/octet-stream',
      '*/*',
      'json',
      ';;;',
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 40 }) },
);

const headerGarbage = fc.oneof(fc.string({ unit: 'grapheme-ascii', maxLength: 300 }), fc.constantFrom('"3"', 'W/"0"', '*', '0', '-1', '99999999999999999999', ' ', 'Bearer'));

interface Seeded {
  ids: string[];
  keys: { admin: string; partner: string; auditor: string };
}

const seed = async (service: Service): Promise<Seeded> => {
  const c = api(service.app);
  const initiative = await c.launch();
  const partner = await c.partner(initiative, 'River Trust');
  const goal = await c.created(`/initiatives/${initiative}/goals`, { title: 'Swimmable river by 2030' });
  const strategy = await c.created(`/initiatives/${initiative}/strategies`, { goalId: goal, title: 'Buffer strips along farms' });
  const partnerKey = await c.key({ role: 'partner', initiativeId: initiative, partnerId: partner });
  const auditorKey = await c.key({ role: 'auditor' });
  return { ids: [initiative, partner, goal, strategy, partnerKey.id], keys: { admin: ADMIN_TOKEN, partner: partnerKey.key, auditor: auditorKey.key } };
};

interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload: string | Buffer | undefined;
}

const clip = (text: string, max = 300) => (text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text);
const describe = (sent: Sent) =>
  `${sent.method} ${clip(sent.url, 200)} headers=${clip(JSON.stringify(sent.headers))} payload=${
    sent.payload === undefined ? 'none' : Buffer.isBuffer(sent.payload) ? `<${sent.payload.length} bytes>` : clip(JSON.stringify(sent.payload))
  }`;

t.test('write routes: random input never yields a 5xx, always a problem, and a rejected request stores nothing', async (t) => {
  const service = await startService(t, { BODY_LIMIT_BYTES: String(BODY_LIMIT), RATE_LIMIT_PER_MINUTE: '1000000000' });
  const { app, store } = service;
  const seeded = await seed(service);
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
  const components = doc.components.schemas as JsonSchema;

  const writes = servedRoutes(app).filter((r) => r.method === 'POST' || r.method === 'DELETE');
  t.ok(writes.length >= 10, `write routes discovered from the router: ${writes.length}`);
  // Two passes, so routes early in the list also act on resources that routes later in it created.
  const runsPerRoute = Math.max(10, Math.ceil(TOTAL_RUNS / writes.length / 2));

  let last: Position | undefined = (await store.readAll({ maxCount: 1_000_000 })).at(-1)?.position;
  /** Events appended since the last look. */
  const newEvents = async () => {
    const fresh = await store.readAll({ ...(last ? { after: last } : {}), maxCount: 1000 });
    if (fresh.length) last = fresh.at(-1)!.position;
    return fresh.length;
  };

  const statuses = new Map<number, number>();
  for (const route of [...writes, ...writes]) {
    const operation = doc.paths[route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')]?.[route.method.toLowerCase()];
    const bodySchema = operation?.requestBody?.content?.['application/json']?.schema ?? {};
    const paramNames = (route.url.match(/:[A-Za-z0-9_]+/g) ?? []).map((p) => p.slice(1));
    const param = fc.oneof(
      { weight: 6, arbitrary: knownId(seeded.ids) },
      { weight: 3, arbitrary: fc.uuid() },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }).map(encodeURIComponent) },
      { weight: 1, arbitrary: fc.constantFrom('x', '..', '%2e%2e', '%00', '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', 'A'.repeat(5000)) },
    );
    const request = fc.record({
      params: fc.tuple(...paramNames.map(() => param)),
      payload: payloads(bodySchema, components, seeded.ids),
      contentType: contentTypes,
      authorization: fc.oneof(
        { weight: 10, arbitrary: fc.constant(`Bearer ${seeded.keys.admin}`) },
        { weight: 2, arbitrary: fc.constantFrom(`Bearer ${seeded.keys.partner}`, `Bearer ${seeded.keys.auditor}`) },
        { weight: 2, arbitrary: fc.option<string>(fc.oneof(headerGarbage, headerGarbage.map((g) => `Bearer ${g}`), fc.constant(`Basic ${Buffer.from('a:b').toString('base64')}`))) },
      ),
      ifMatch: fc.option(fc.oneof(fc.nat({ max: 5 }).map(String), headerGarbage), { freq: 4 }),
      idempotencyKey: fc.option(fc.oneof(fc.uuid(), headerGarbage), { freq: 4 }),
    });

    const outcome = await fc.check(
      fc.asyncProperty(request, async (r) => {
        let url = route.url;
        r.params.forEach((value, i) => (url = url.replace(`:${paramNames[i]}`, value)));
        const headers: Record<string, string> = {};
        if (r.contentType !== undefined) headers['content-type'] = r.contentType;
        if (r.authorization !== null) headers.authorization = r.authorization;
        if (r.ifMatch !== null) headers['if-match'] = r.ifMatch;
        if (r.idempotencyKey !== null) headers['idempotency-key'] = r.idempotencyKey;
        const sent: Sent = { method: route.method, url, headers, payload: r.payload };

        const res = await app.inject({ method: route.method as 'POST' | 'DELETE', url, headers, ...(r.payload === undefined ? {} : { payload: r.payload }) });
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        const added = await newEvents();
        if (res.statusCode >= 500) throw new Error(`${res.statusCode} for ${describe(sent)}: ${clip(res.body)}`);
        if (res.statusCode === 201) {
          const id = /^application\/json/.test(String(res.headers['content-type'])) ? res.json().id : undefined;
          if (typeof id === 'string' && !seeded.ids.includes(id) && seeded.ids.length < 500) seeded.ids.push(id);
          return;
        }
        if (added > 0) throw new Error(`${added} event(s) stored for a ${res.statusCode}: ${describe(sent)}`);
        if (res.statusCode < 400) throw new Error(`unexpected ${res.statusCode} for ${describe(sent)}`);
        if (!/^application\/problem\+json/.test(String(res.headers['content-type']))) throw new Error(`${res.statusCode} is ${res.headers['content-type']}, not a problem: ${describe(sent)}`);
        const problem = res.json();
        if (typeof problem.type !== 'string' || typeof problem.title !== 'string' || problem.status !== res.statusCode || (problem.detail !== undefined && typeof problem.detail !== 'string')) {
          throw new Error(`not an RFC 9457 problem: ${res.body.slice(0, 300)} for ${describe(sent)}`);
        }
      }),
      { numRuns: runsPerRoute, endOnFailure: true },
    );
    // fast-check's own report prints the whole (possibly megabyte) counterexample: report the clipped request instead
    if (outcome.failed) t.fail(`${route.method} ${route.url} (seed ${outcome.seed}): ${clip(String((outcome.errorInstance as Error | undefined)?.message), 1500)}`);
  }
  const summary = [...statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ');
  t.pass(`${writes.length} write routes × 2 × ${runsPerRoute} requests: ${summary}`);
  t.ok((statuses.get(201) ?? 0) > 0, 'some generated bodies were valid writes (the fuzz reaches the deciders)');
  t.ok((statuses.get(400) ?? 0) > 0 && (statuses.get(413) ?? 0) > 0 && (statuses.get(415) ?? 0) > 0 && (statuses.get(401) ?? 0) > 0, 'and the rejections cover validation, size, media type and auth');
});

import t from 'tap';
import { servedRoutes } from '../helpers/routes.js';
import type { FastifyInstance } from 'fastify';
import { Validator } from '@seriousme/openapi-schema-validator';
import { startService } from '../helpers/service.js';

/**
 * Every route the app really serves, read from its router (`printRoutes`), so routes added anywhere are covered
 * without a list here. Leaves out the implicit HEAD of each GET and the Swagger UI's own files under /docs.
 */

const HIDDEN = new Set(['GET /openapi.json']);
const WRITE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const asOpenApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

type Operation = {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: { in: string; name: string; required?: boolean }[];
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, { description: string; content?: Record<string, { schema?: { $ref?: string } }>; headers?: Record<string, unknown> }>;
};

t.test('GET /openapi.json is a valid OpenAPI 3.1 document of every route the app serves', async (t) => {
  const { app } = await startService(t);
  const res = await app.inject({ method: 'GET', url: '/openapi.json' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^application\/json/);
  const doc = res.json();
  t.equal(doc.openapi, '3.1.0');

  const result = await new Validator().validate(doc);
  t.same(result.errors, undefined, 'the OpenAPI 3.1 schema validator finds no error');
  t.equal(result.valid, true, 'valid OpenAPI 3.1');

  t.match(doc.components.securitySchemes.bearer, { type: 'http', scheme: 'bearer' }, 'the bearer scheme is declared');
  t.match(doc.components.schemas.Problem, { type: 'object', required: ['type', 'title', 'status'] }, 'the problem schema is a component');

  // HEAD mirrors GET, and /docs is Swagger UI's own pages: neither belongs in the API description.
  const routes = servedRoutes(app).filter((r) => r.method !== 'HEAD' && r.url !== '/docs' && !r.url.startsWith('/docs/'));
  t.ok(routes.length >= 20, `the router lists the routes (${routes.length})`);
  t.ok(routes.some((r) => r.method === 'POST' && r.url === '/initiatives'), 'route discovery reads the router');
  const operationIds = new Set<string>();
  for (const { method, url } of routes) {
    const name = `${method} ${url}`;
    if (HIDDEN.has(name)) continue;
    const operation = doc.paths[asOpenApiPath(url)]?.[method.toLowerCase()] as Operation | undefined;
    if (!operation) {
      t.fail(`${name} is missing from the document`);
      continue;
    }
    t.match(operation.operationId, /^[a-z][A-Za-z0-9]+$/, `${name} has an operationId`);
    t.notOk(operationIds.has(operation.operationId!), `${name}: operationId ${operation.operationId} is unique`);
    operationIds.add(operation.operationId!);
    t.ok(operation.summary, `${name} has a summary`);
    t.ok(operation.tags?.length, `${name} has tags`);
    t.ok(Object.keys(operation.responses).some((status) => /^2\d\d$/.test(status)), `${name} documents its success response`);

    for (const param of url.match(/:[A-Za-z0-9_]+/g) ?? []) {
      t.ok(operation.parameters?.some((p) => p.in === 'path' && p.name === param.slice(1) && p.required), `${name} declares path parameter ${param}`);
    }
    for (const scheme of operation.security ?? []) {
      for (const key of Object.keys(scheme)) t.ok(doc.components.securitySchemes[key], `${name}: security scheme ${key} exists`);
    }
    for (const [status, response] of Object.entries(operation.responses)) {
      if (!/^[45]/.test(status)) continue;
      t.same(Object.keys(response.content ?? {}), ['application/problem+json'], `${name} ${status} is application/problem+json`);
      t.equal(response.content?.['application/problem+json']?.schema?.$ref, '#/components/schemas/Problem', `${name} ${status} is the problem schema`);
    }
    t.ok(operation.responses['429']?.headers?.['Retry-After'], `${name} documents 429 with Retry-After (every route is rate-limited)`);
    if (WRITE.has(method)) {
      t.same(operation.security, [{ bearer: [] }], `${name} needs a bearer key`);
      const errors = ['400', '401', '403', ...(operation.requestBody ? ['413'] : [])];
      for (const status of errors) t.ok(operation.responses[status], `${name} documents ${status}`);
    }
  }
});

t.test('every operation that needs a key names the roles that may call it, as the route enforces them', async (t) => {
  const { app } = await startService(t);
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
  const rolesLine = /\n*Roles: ((?:`[a-z]+`(?:, )?)+)\.$/;
  const rolesOf = (path: string, method: string): string[] | undefined => {
    const description = (doc.paths[path]?.[method] as { description?: string } | undefined)?.description ?? '';
    return rolesLine.exec(description)?.[1]?.split(', ').map((role) => role.slice(1, -1));
  };
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
    for (const [method, operation] of Object.entries(item)) {
      if (operation.security?.length) t.ok(rolesOf(path, method), `${method.toUpperCase()} ${path} names its roles`);
      else t.notOk(rolesOf(path, method), `${method.toUpperCase()} ${path} is public: no roles`);
    }
  }
  // The lists are the enforcing ones: spot checks against design §7 and the role matrix (test/http/roles.test.ts).
  t.same(rolesOf('/audit/events', 'get'), ['admin', 'auditor']);
  t.same(rolesOf('/audit/proof/consistency', 'get'), ['admin', 'auditor', 'backbone', 'partner']);
  t.same(rolesOf('/indicators/{id}/readings', 'post'), ['admin', 'backbone', 'partner']);
  t.same(rolesOf('/initiatives', 'post'), ['admin']);
  t.same(rolesOf('/metrics', 'get'), ['admin', 'auditor']);
  t.match(doc.paths['/indicators/{id}/readings'].post.description, /^With `Content-Type: application\/json`, one reading/, 'after the route\'s own description');
});

t.test('GET /docs serves Swagger UI over the same document', async (t) => {
  const { app } = await startService(t);
  const page = await app.inject({ method: 'GET', url: '/docs' });
  t.equal(page.statusCode, 200);
  t.match(page.headers['content-type'], /^text\/html/);
  t.match(page.body, /swagger-ui/);
  const asset = await app.inject({ method: 'GET', url: '/docs/static/swagger-ui.css' });
  t.equal(asset.statusCode, 200, 'the UI assets are served');
  const json = await app.inject({ method: 'GET', url: '/docs/json' });
  t.same(json.json(), (await app.inject({ method: 'GET', url: '/openapi.json' })).json(), 'the UI shows the document /openapi.json serves');
});

t.test('documented text responses are served with their documented media type', async (t) => {
  const { app } = await startService(t);
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
  t.same(Object.keys(doc.paths['/audit/public-key'].get.responses['200'].content), ['text/plain']);
  const res = await app.inject({ method: 'GET', url: '/audit/public-key' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/plain/);
});

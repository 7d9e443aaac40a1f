import swagger, { type SwaggerTransform, type SwaggerTransformObject } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { STATUS_CODES } from 'node:http';
import { PROBLEM_CONTENT_TYPE, PROBLEM_SCHEMA_ID } from './problem.js';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Headers some error responses always carry, documented on every operation that can answer them. */
const errorHeaders: Record<string, Json> = {
  '401': { 'WWW-Authenticate': { description: 'the auth scheme to use: `Bearer`', schema: { type: 'string' } } },
  '429': { 'Retry-After': { description: 'seconds until the rate-limit window resets', schema: { type: 'integer', minimum: 0 } } },
  '503': { 'Retry-After': { description: 'seconds to wait before retrying', schema: { type: 'integer', minimum: 0 } } },
};

const SCHEMA_REF = '#/components/schemas/';

/** Keeps the component schemas the operations reach: the zod registry holds every schema with an id, used or not. */
const pruneSchemas = (document: Json): void => {
  const components = isObject(document.components) ? document.components : {};
  const schemas = isObject(components.schemas) ? components.schemas : {};
  const used = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!isObject(node)) return;
    if (typeof node.$ref === 'string' && node.$ref.startsWith(SCHEMA_REF)) {
      const name = node.$ref.slice(SCHEMA_REF.length);
      if (!used.has(name)) {
        used.add(name);
        visit(schemas[name]);
      }
    }
    Object.values(node).forEach(visit);
  };
  visit(document.paths);
  components.schemas = Object.fromEntries(Object.entries(schemas).filter(([name]) => used.has(name)));
};

/**
 * The generated document, finished: every error response (4xx/5xx) is served as `application/problem+json`
 * (RFC 9457), so it is documented that way, with the headers it always carries; every operation can answer 429
 * (the rate limit sits in front of every route); generic descriptions ("Default Response") become the status
 * text; component schemas no operation uses are left out. Applies to every route, whoever declares it.
 */
export const finishDocument = (document: Json): Json => {
  const paths = isObject(document.paths) ? document.paths : {};
  for (const pathItem of Object.values(paths)) {
    if (!isObject(pathItem)) continue;
    for (const operation of Object.values(pathItem)) {
      if (!isObject(operation) || !isObject(operation.responses)) continue;
      operation.responses['429'] ??= { description: 'Default Response', content: { 'application/json': { schema: { $ref: `#/components/schemas/${PROBLEM_SCHEMA_ID}` } } } };
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!isObject(response)) continue;
        if (response.description === 'Default Response') response.description = STATUS_CODES[Number(status)] ?? 'Response';
        if (!/^[45]\d\d$/.test(status) || !isObject(response.content)) continue;
        const schemas = Object.values(response.content).filter(isObject);
        response.content = { [PROBLEM_CONTENT_TYPE]: schemas[0] ?? {} };
        const headers = errorHeaders[status];
        if (headers) response.headers = { ...headers, ...(isObject(response.headers) ? response.headers : {}) };
      }
    }
  }
  pruneSchemas(document);
  return document;
};

/** The roles a route lets through: `app.authorize` marks the onRequest hook it makes with them (app.ts). */
const rolesOf = (onRequest: unknown): readonly string[] | undefined => {
  for (const hook of Array.isArray(onRequest) ? onRequest : [onRequest]) {
    const roles = typeof hook === 'function' ? (hook as { roles?: unknown }).roles : undefined;
    if (Array.isArray(roles)) return roles as string[];
  }
  return undefined;
};

/** The operation's description ends with the roles that may call it, read from the hook that enforces them. */
const withRoles = (result: ReturnType<typeof jsonSchemaTransform>, route: { onRequest?: unknown } | undefined): ReturnType<typeof jsonSchemaTransform> => {
  const roles = rolesOf(route?.onRequest);
  if (!roles) return result;
  const schema = result.schema as Json;
  const line = `Roles: ${roles.map((role) => `\`${role}\``).join(', ')}.`;
  return { ...result, schema: { ...schema, description: typeof schema.description === 'string' ? `${schema.description}\n\n${line}` : line } };
};

/**
 * `jsonSchemaTransform`, also for a body given per media type (`body: { content: { <type>: { schema } } }`, as
 * Fastify validates it): each media type's zod schema is converted on its own, so the document lists the body under
 * every media type the route accepts.
 */
const transformSchemas = (input: Parameters<SwaggerTransform>[0]): ReturnType<typeof jsonSchemaTransform> => {
  const body = (input.schema as { body?: unknown } | undefined)?.body;
  if (!isObject(body) || !isObject(body.content)) return jsonSchemaTransform(input);
  const { body: _body, ...rest } = input.schema as Json;
  const transformed = jsonSchemaTransform({ ...input, schema: rest } as typeof input);
  const content: Json = {};
  for (const [mediaType, entry] of Object.entries(body.content)) {
    const converted = jsonSchemaTransform({ ...input, schema: { body: (entry as { schema: unknown }).schema } } as typeof input);
    content[mediaType] = { schema: (converted.schema as Json).body };
  }
  return { ...transformed, schema: { ...(transformed.schema as Json), body: { content } } } as ReturnType<typeof jsonSchemaTransform>;
};

const transform: SwaggerTransform = (input) => withRoles(transformSchemas(input), input.route as { onRequest?: unknown } | undefined);

const transformObject: SwaggerTransformObject = (documentObject) => finishDocument(jsonSchemaTransformObject(documentObject) as Json);

/**
 * `GET /openapi.json` (OpenAPI 3.1, generated from the zod schemas that validate requests and responses; schemas
 * with a zod `id` become components) and Swagger UI at `GET /docs`.
 */
export const registerOpenApi = async (app: FastifyInstance, options: { publicUrl: string }): Promise<void> => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'impact-ledger', version: '0.1.0', description: 'Collective-impact initiatives as an immutable, auditable event log.' },
      servers: [{ url: options.publicUrl }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform,
    transformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
};

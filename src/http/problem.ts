import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ProblemError, type FieldError } from '../errors.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
/** The problem schema's component name in the OpenAPI document. */
export const PROBLEM_SCHEMA_ID = 'Problem';

/** RFC 9457 problem details, as every error response carries it (also the OpenAPI schema). */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .loose()
  .meta({ id: PROBLEM_SCHEMA_ID, description: 'RFC 9457 problem details (application/problem+json)' });
export type Problem = z.infer<typeof problemSchema>;

const problemType = (slug: string) => `/problems/${slug}`;

export const sendProblem = (reply: FastifyReply, error: ProblemError) => {
  const body: Problem = {
    type: problemType(error.type),
    title: error.title,
    status: error.status,
    ...(error.detail ? { detail: error.detail } : {}),
    instance: reply.request.url,
    ...(error.errors ? { errors: error.errors } : {}),
    ...error.extensions,
  };
  if (error.headers) reply.headers(error.headers);
  return reply.code(error.status).type(PROBLEM_CONTENT_TYPE).serializer(JSON.stringify).send(body);
};

/** Fastify's schema-validation errors → `errors: [{ path, message }]` with `body.x.y`-style paths. */
const validationErrors = (error: FastifyError): FieldError[] => {
  if (!hasZodFastifySchemaValidationErrors(error)) return [];
  const where = error.validationContext ?? 'body';
  return error.validation.flatMap((issue) => {
    const base = [where, ...issue.instancePath.split('/').filter(Boolean)];
    const keys = (issue.params as { keys?: unknown }).keys;
    if (issue.keyword === 'unrecognized_keys' && Array.isArray(keys)) {
      return keys.map((key) => ({ path: [...base, String(key)].join('.'), message: 'unknown field' }));
    }
    return [{ path: base.join('.'), message: issue.message ?? 'invalid' }];
  });
};

const slug = (code: string | undefined) => (code ?? 'error').replace(/^FST_ERR_/, '').toLowerCase().replace(/_/g, '-');

/** One mapping from errors to problem responses (style.md §4); 5xx never leaks internals. */
const problemOf = (error: FastifyError, request: FastifyRequest): ProblemError => {
  if (error instanceof ProblemError) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const errors = validationErrors(error);
    return new ProblemError({ status: 400, type: 'validation', title: 'Invalid request', detail: `invalid ${error.validationContext ?? 'request'}`, errors });
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    // Fastify's own client errors: malformed JSON, body too large, unsupported media type, URL too long, …
    return new ProblemError({ status, type: slug(error.code), title: STATUS_CODES[status] ?? 'Bad request', detail: error.message });
  }
  request.log.error({ err: error }, 'unhandled error');
  return new ProblemError({ status: 500, type: 'internal', title: 'Internal server error', detail: 'the error was logged' });
};

/** Fastify's `frameworkErrors` option: errors met before routing (bad URL encoding, a too-long path parameter). */
export const frameworkErrors = (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => sendProblem(reply, problemOf(error, request));

export const registerProblemHandlers = (app: FastifyInstance) => {
  app.setErrorHandler((error: FastifyError, request, reply) => sendProblem(reply, problemOf(error, request)));

  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, new ProblemError({ status: 404, type: 'not-found', title: 'Not found', detail: `no route ${request.method} ${request.url.split('?')[0]}` })),
  );
};

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CommandContext, CommandHandler, CommandInput } from '../../commands/command-handler.js';
import type { Receipt } from '../../commands/receipt.js';
import type { InitiativeFacts } from '../../domain/context.js';
import { initiativeDecider, initiativeStream } from '../../domain/initiative/decider.js';
import { initiativeFacts } from '../../domain/initiative/facts.js';
import { NotFoundError, ProblemError, ValidationError } from '../../errors.js';
import type { Role } from '../../events/envelope.js';
import type { ResourceKind } from '../../events/subjects.js';
import type { ResourceEntry } from '../../directory/directory-store.js';
import { requireInitiative } from '../auth/authenticate.js';
import { problemSchema } from '../problem.js';
import { receiptSchema, sendReceipt } from '../schemas/receipt.js';
import { commandContext } from './command-context.js';

export interface WriteDeps {
  commands: CommandHandler;
  directory: { resource(id: string): ResourceEntry | undefined };
}

/** What a route handler has at hand besides the request: the acting context and cross-stream lookups. */
export interface WriteTools {
  context: CommandContext;
  /** The initiative's facts for deciders of other streams (404 if it was never launched). */
  facts(initiativeId: string): Promise<InitiativeFacts>;
  /** A resource by id and kind from the directory, scope-checked for the acting key (404 if unknown). */
  resource(kind: ResourceKind, id: string): ResourceEntry & { initiativeId: string };
}

/**
 * A request body in another media type than JSON (e.g. `text/csv`), accepted by the same route. Fastify validates
 * the body with `schema` (the media type's own body schema, documented under it), then `handle` answers the
 * request in full: it builds and runs its command(s) itself and sends its 201. The plugin that declares the route
 * registers the media type's content-type parser.
 */
export interface OtherBody<Params> {
  schema: z.ZodType;
  /** What its 201 carries (documented beside the receipt). */
  response: z.ZodType;
  handle: (input: { params: Params; body: unknown }, tools: WriteTools, reply: FastifyReply) => Promise<unknown>;
}

export interface WriteRouteOptions<Body extends z.ZodType, Params extends z.ZodType> {
  method: 'POST' | 'DELETE';
  url: string;
  operationId: string;
  summary: string;
  /** Longer documentation of the operation (OpenAPI `description`, Markdown). */
  description?: string;
  tags: string[];
  roles: readonly Role[];
  params: Params;
  body?: Body;
  /** The initiative a route acts on when its URL names it (`/initiatives/:id/…`); scope is checked first. */
  initiativeOf?: (params: z.output<Params>) => string;
  /** Members the 201 body carries besides the receipt (e.g. an access key, shown once). */
  extraResponse?: z.ZodObject;
  /** Request media types besides `application/json`, by media type (lowercase, no parameters). */
  otherBodies?: Record<string, OtherBody<z.output<Params>>>;
  /** Builds the command; returns what to run and where the resource lives (for `Location` on creation). */
  handle: (
    input: { params: z.output<Params>; body: z.output<Body> },
    tools: WriteTools,
  ) => Promise<CommandInput<unknown, unknown> & { location?: string; extra?: (receipt: Receipt) => Record<string, unknown> }>;
}

const JSON_TYPE = 'application/json';

/** 422: an `Idempotency-Key` reused for another request (another resource, stream or import). */
const writeResponses = { 201: receiptSchema, 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema, 409: problemSchema, 412: problemSchema, 413: problemSchema, 422: problemSchema, 429: problemSchema };

/**
 * Initiative facts by initiative state: a state is never changed (each event makes a new one), so its facts are
 * derived once, not copied again for every command that needs them.
 */
const knownFacts = new WeakMap<object, InitiativeFacts>();
const factsOf = (state: Parameters<typeof initiativeFacts>[0]): InitiativeFacts => {
  let facts = knownFacts.get(state);
  if (!facts) {
    facts = initiativeFacts(state);
    knownFacts.set(state, facts);
  }
  return facts;
};

/**
 * Directory entries by id, per directory: an entry never changes once the directory has it (the directory keeps
 * the first event's stream and initiative), so a lookup per write is one map read instead of a query. Unknown ids
 * are not remembered: they may appear with the next event. Bounded: cleared when full.
 */
const knownEntries = new WeakMap<WriteDeps['directory'], Map<string, ResourceEntry>>();
const directoryEntry = (directory: WriteDeps['directory'], id: string): ResourceEntry | undefined => {
  let entries = knownEntries.get(directory);
  if (!entries) knownEntries.set(directory, (entries = new Map()));
  let entry = entries.get(id);
  if (!entry) {
    entry = directory.resource(id);
    if (!entry) return undefined;
    if (entries.size >= 100_000) entries.clear();
    entries.set(id, entry);
  }
  return entry;
};

/**
 * The one shape of every write route (design §7): authenticate and check the role before the body is read,
 * validate params and body with zod, check the key's initiative scope, build the command, run it through the
 * command pipeline, answer 201 with the receipt (and `Location` when a resource was created).
 */
export const writeRoute = <Body extends z.ZodType = z.ZodUndefined, Params extends z.ZodType = z.ZodObject>(
  app: FastifyInstance,
  deps: WriteDeps,
  options: WriteRouteOptions<Body, Params>,
): void => {
  const tools = (request: FastifyRequest): WriteTools => {
    const context = commandContext(request);
    return {
      context,
      facts: async (initiativeId) => factsOf((await deps.commands.state(initiativeDecider, initiativeStream(initiativeId))).state),
      resource: (kind, id) => {
        const entry = directoryEntry(deps.directory, id);
        if (!entry || entry.kind !== kind || !entry.initiativeId) throw new NotFoundError(`no ${kind} ${id}`);
        requireInitiative(context.actor, entry.initiativeId);
        return entry as ResourceEntry & { initiativeId: string };
      },
    };
  };

  const others = options.otherBodies ?? {};
  const otherTypes = Object.keys(others);
  // With other media types, the body schema is given per media type: Fastify validates each with its own schema.
  const body = options.body && otherTypes.length > 0
    ? { content: { [JSON_TYPE]: { schema: options.body }, ...Object.fromEntries(otherTypes.map((type) => [type, { schema: others[type]!.schema }])) } }
    : options.body;
  const created = options.extraResponse ? receiptSchema.extend(options.extraResponse.shape) : receiptSchema;

  app.withTypeProvider<ZodTypeProvider>().route({
    method: options.method,
    url: options.url,
    schema: {
      operationId: options.operationId,
      summary: options.summary,
      ...(options.description ? { description: options.description } : {}),
      tags: options.tags,
      security: [{ bearer: [] }],
      params: options.params,
      ...(body ? { body } : {}),
      headers: z.looseObject({
        'idempotency-key': z.string().optional().describe('retrying with the same key replays the first receipt and records nothing new'),
        'if-match': z.string().optional().describe('the aggregate revision the client last saw (412 when stale), or * (412 when the aggregate does not exist yet)'),
      }),
      response: {
        ...writeResponses,
        // Another media type brings 415 (neither of them).
        ...(otherTypes.length > 0 ? { 415: problemSchema } : {}),
        201: otherTypes.length > 0 ? z.union([created, ...otherTypes.map((type) => others[type]!.response)]) : created,
      },
    },
    // onRequest: an unauthenticated caller learns nothing, not even whether its body was valid.
    onRequest: app.authorize(options.roles),
    handler: async (request, reply) => {
      const params = request.params as z.output<Params>;
      const at = tools(request);
      if (options.initiativeOf) requireInitiative(at.context.actor, options.initiativeOf(params));
      if (otherTypes.length > 0) {
        const other = request.mediaType === undefined ? undefined : others[request.mediaType];
        if (other) return other.handle({ params, body: request.body }, at, reply);
        // Fastify validated only the media types the body schema names: any other (its text/plain parser) stops here.
        if (request.mediaType !== JSON_TYPE) {
          if (request.body === undefined) throw new ValidationError('invalid body', [{ path: 'body', message: 'is required' }]);
          throw new ProblemError({
            status: 415,
            type: 'unsupported-media-type',
            title: 'Unsupported Media Type',
            detail: `send ${[JSON_TYPE, ...otherTypes].join(' or ')}, not ${request.mediaType}`,
          });
        }
      }
      const { location, extra, ...input } = await options.handle({ params, body: request.body as z.output<Body> }, at);
      const receipt = await deps.commands(input);
      return sendReceipt(reply, receipt, location, extra?.(receipt));
    },
  });
};

/** `{ id }` path parameter as a UUID. */
export const idParams = z.strictObject({ id: z.uuid() });

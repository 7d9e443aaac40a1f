import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ProblemError } from '../../errors.js';
import { ProofRangeError, type Transparency } from '../../transparency/transparency.js';
import { problemSchema } from '../problem.js';
import { digestsOf } from '../../../projections/digest.js';
import type { Projection } from '../../../projections/projection.js';
import type { Views } from '../../views/views.js';
import type { Actor } from '../../events/envelope.js';
import type { LogEntryView } from '../../transparency/log-reader.js';

const hex = z.string().regex(/^[0-9a-f]{64}$/);
const seqParam = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const logEntrySchema = z
  .object({
    seq: z.number().int(),
    leafHash: hex,
    event: z
      .object({
      seq: z.number().int(),
      id: z.string(),
      stream: z.string(),
      revision: z.number().int(),
      type: z.string(),
      data: z.unknown(),
      metadata: z.unknown(),
    })
      .optional()
      .describe('absent for an auditor scoped to one initiative when the event is another initiative’s: the leaf hash still lets it verify the whole tree'),
  })
  .meta({ id: 'LogEntry' });
const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema };
const AUDIT_ROLES = ['admin', 'auditor'] as const;
/**
 * Checkpoints and proofs carry tree sizes and hashes only, nothing an initiative recorded: every key that receives
 * checkpoints in the feed may fetch them too, so partners can witness the log (design §6) — check that each new
 * checkpoint is consistent with the last one they saw, and follow the `inclusion` link of their own receipts.
 */
const WITNESS_ROLES = ['admin', 'auditor', 'backbone', 'partner'] as const;

/** Range errors of the proof code are the caller's mistake: 400, never 500. */
const asProblem = <T>(work: () => T): T => {
  try {
    return work();
  } catch (error) {
    if (error instanceof ProofRangeError) throw new ProblemError({ status: 400, type: 'out-of-range', title: 'Out of range', detail: error.message });
    throw error;
  }
};

export interface AuditRouteDeps {
  transparency: Transparency;
  views: Pick<Views, 'query' | 'head'>;
  projections: readonly Projection<unknown>[];
  /** The initiative an event belongs to (for redaction). */
  initiativeOfEvent(event: { data: unknown; stream: string }): string | null | undefined;
}

/**
 * What a key may see of the log: admins and deployment-wide auditors everything; an auditor scoped to one
 * initiative sees that initiative's events in full and, for every other leaf, only `{ seq, leafHash }` — enough to
 * recompute every root and check every checkpoint and proof, nothing of what other initiatives recorded.
 */
const redactorFor = (actor: Actor | null, initiativeOfEvent: AuditRouteDeps['initiativeOfEvent']) => {
  const scope = actor?.role === 'auditor' ? actor.initiativeId : undefined;
  if (scope === undefined) return (entry: LogEntryView): { seq: number; leafHash: string; event?: LogEntryView['event'] } => entry;
  return (entry: LogEntryView): { seq: number; leafHash: string; event?: LogEntryView['event'] } =>
    initiativeOfEvent(entry.event) === scope ? entry : { seq: entry.seq, leafHash: entry.leafHash };
};

export const auditRoutes =
  (deps: AuditRouteDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const { transparency: log } = deps;

    app.get(
      '/audit/digests',
      {
        schema: {
          operationId: 'getProjectionDigests',
          tags: ['audit'],
          summary: 'SHA-256 of every projection\'s canonical view per initiative, at a tree size, for an auditor\'s replay to compare',
          security: [{ bearer: [] }],
          querystring: z.strictObject({ treeSize: seqParam.optional().describe('default: the latest checkpoint') }),
          response: {
            200: z.object({ treeSize: z.number().int(), digests: z.record(z.string(), z.record(z.string(), hex)) }).meta({ id: 'ProjectionDigests' }),
            ...errors,
          },
        },
        onRequest: app.authorize(AUDIT_ROLES),
      },
      async (request) => {
        const treeSize = request.query.treeSize ?? (log.checkpointer.latest() ?? log.checkpointer.sign()).size;
        if (treeSize > deps.views.head() + 1) {
          throw new ProblemError({ status: 400, type: 'out-of-range', title: 'Out of range', detail: `the views have applied ${deps.views.head() + 1} events; treeSize ${treeSize} is beyond them` });
        }
        const scope = request.actor?.role === 'auditor' ? request.actor.initiativeId : undefined;
        const digests: Record<string, Record<string, string>> = {};
        for (const projection of deps.projections) {
          const all = await deps.views.query(projection.name, treeSize - 1, (state) => digestsOf(projection, state));
          // A scoped auditor replays only its initiative's events, so it gets (and can check) only its digests.
          digests[projection.name] = scope === undefined ? all : Object.fromEntries(Object.entries(all).filter(([id]) => id === scope));
        }
        return { treeSize, digests };
      },
    );
    /** A text response, documented with its real media type. */
    const plain = (description: string, mediaType = 'text/plain') => ({ description, content: { [mediaType]: { schema: z.string() } } });
    const text = { 200: plain('a signed note') };

    app.get(
      '/audit/public-key',
      { schema: { operationId: 'getPublicKey', tags: ['audit'], summary: 'The checkpoint verifier key (signed-note vkey)', response: { 200: plain('the verifier key') } } },
      async (_request, reply) => reply.type('text/plain; charset=utf-8').send(`${log.publicKey}\n`),
    );

    app.get(
      '/audit/checkpoint',
      {
        schema: { operationId: 'getCheckpoint', tags: ['audit'], summary: 'The latest signed checkpoint (C2SP tlog-checkpoint)', security: [{ bearer: [] }], response: { ...text, ...errors } },
        onRequest: app.authorize(WITNESS_ROLES),
      },
      async (_request, reply) => reply.type('text/plain; charset=utf-8').send((log.checkpointer.latest() ?? log.checkpointer.sign()).note),
    );

    app.post(
      '/audit/checkpoints',
      {
        schema: { operationId: 'signCheckpoint', tags: ['audit'], summary: 'Sign a checkpoint of the current tree now', security: [{ bearer: [] }], response: { 201: plain('the new checkpoint (signed note)'), ...errors } },
        onRequest: app.authorize(['admin']),
      },
      async (_request, reply) => reply.code(201).type('text/plain; charset=utf-8').send(log.checkpointer.sign().note),
    );

    app.get(
      '/audit/checkpoints',
      {
        schema: {
          operationId: 'listCheckpoints',
          tags: ['audit'],
          summary: 'Signed checkpoints from tree size `from`, oldest first',
          security: [{ bearer: [] }],
          querystring: z.strictObject({ from: seqParam.default(0), limit: z.coerce.number().int().min(1).max(1000).default(100) }),
          response: { 200: z.object({ checkpoints: z.array(z.object({ size: z.number().int(), note: z.string(), createdAt: z.string() })) }), ...errors },
        },
        onRequest: app.authorize(WITNESS_ROLES),
      },
      async (request) => ({ checkpoints: log.checkpointer.list(request.query.from, request.query.limit) }),
    );

    app.get(
      '/audit/proof/inclusion',
      {
        schema: {
          operationId: 'getInclusionProof',
          tags: ['audit'],
          summary: 'RFC 9162 inclusion proof of leaf `seq` in the tree of `treeSize` leaves (default: the smallest checkpoint covering it)',
          security: [{ bearer: [] }],
          querystring: z.strictObject({ seq: seqParam, treeSize: seqParam.optional() }),
          response: { 200: z.object({ seq: z.number().int(), treeSize: z.number().int(), leafHash: hex, hashes: z.array(hex) }), ...errors },
        },
        onRequest: app.authorize(WITNESS_ROLES),
      },
      async (request) => {
        const { seq } = request.query;
        if (seq >= log.size()) throw new ProblemError({ status: 404, type: 'not-found', title: 'Not found', detail: `seq ${seq} is not in the log yet (size ${log.size()})` });
        const treeSize = request.query.treeSize ?? log.checkpointer.covering(seq + 1).size;
        return asProblem(() => log.inclusion(seq, treeSize));
      },
    );

    app.get(
      '/audit/proof/consistency',
      {
        schema: {
          operationId: 'getConsistencyProof',
          tags: ['audit'],
          summary: 'RFC 9162 consistency proof between tree sizes `from` and `to`',
          security: [{ bearer: [] }],
          querystring: z.strictObject({ from: seqParam, to: seqParam }),
          response: { 200: z.object({ from: z.number().int(), to: z.number().int(), hashes: z.array(hex) }), ...errors },
        },
        onRequest: app.authorize(WITNESS_ROLES),
      },
      async (request) => asProblem(() => log.consistency(request.query.from, request.query.to)),
    );

    app.get(
      '/audit/events',
      {
        schema: {
          operationId: 'listLogEntries',
          tags: ['audit'],
          summary: 'Log entries from `from`: each event exactly as hashed, with its leaf hash',
          security: [{ bearer: [] }],
          querystring: z.strictObject({ from: seqParam.default(0), limit: z.coerce.number().int().min(1).max(5000).default(1000) }),
          response: { 200: z.object({ entries: z.array(logEntrySchema), next: z.number().int().nullable() }), ...errors },
        },
        onRequest: app.authorize(AUDIT_ROLES),
        // Entries are built here from the log, already in the documented shape: checking 5,000 of them against the
        // zod schema on the way out cost more than reading and hashing them (the auditor downloads the whole log).
        serializerCompiler: () => (data) => JSON.stringify(data),
      },
      async (request) => {
        const entries = await log.reader.entries(request.query.from, request.query.limit);
        const next = request.query.from + entries.length;
        return { entries: entries.map(redactorFor(request.actor, deps.initiativeOfEvent)), next: next < log.size() ? next : null };
      },
    );

    app.get(
      '/audit/export',
      {
        schema: {
          operationId: 'exportLog',
          tags: ['audit'],
          summary: 'The whole log as NDJSON (one entry per line), streamed',
          security: [{ bearer: [] }],
          response: {
            // a stream, so no string type for the handler; documented as lines of `LogEntry` JSON
            200: { description: 'one LogEntry per line (as in `/audit/events`)', content: { 'application/x-ndjson': { schema: z.unknown() } } },
            ...errors,
          },
        },
        onRequest: app.authorize(AUDIT_ROLES),
      },
      async (request, reply) => {
        const redact = redactorFor(request.actor, deps.initiativeOfEvent);
        const lines = async function* () {
          for await (const entry of log.reader.all()) yield `${JSON.stringify(redact(entry))}\n`;
        };
        return reply.type('application/x-ndjson').send(Readable.from(lines()));
      },
    );
  };

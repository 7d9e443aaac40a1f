import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { newResourceId } from '../../commands/derived-ids.js';
import { indicatorDecider, indicatorStream } from '../../domain/indicator/decider.js';
import type { ResourceEntry } from '../../directory/directory-store.js';
import {
  commentSchema,
  dateSchema,
  directionSchema,
  exactlyOne,
  frequencySchema,
  idSchema,
  measureSchema,
  nameSchema,
  reasonSchema,
  text,
  timestampSchema,
  valueOrNarrative,
} from '../../events/common.js';
import {
  baselineSchema,
  disaggregationSchema,
  indicatorDefinedSchema,
  readingDisaggregationSchema,
  readingRecordedSchema,
  targetSchema,
} from '../../events/measurement.js';
import { idParams, writeRoute, type WriteDeps, type WriteTools } from './command-route.js';
import { MAX_IMPORT_ROWS, readingsCsvBody, type ReadingsImportDeps } from './readings-csv.js';

/**
 * Shared measurement (design §1, §7): indicators, their versioned targets, and readings (recorded by partners,
 * reviewed by the backbone where the indicator asks for it, corrected and retracted by new events). Readings
 * live in their indicator's stream; `/readings/:id/…` finds that stream through the resource directory.
 */

/** A UUID that only fills the server-made fields of an event when a body is checked against the event's rules. */
const PLACEHOLDER_ID = '00000000-0000-4000-8000-000000000000';

/**
 * The cross-field rules of an event schema (its refinements) applied to a request body, so a body the event would
 * refuse is a 400 naming `body.…` fields before any command runs. The body plus what the server fills in is parsed
 * as the event; only the refinements' own issues are reported (field-level issues are the body schema's).
 */
export const eventRules =
  <B extends Record<string, unknown>>(event: z.ZodType, serverFields: (body: B) => Record<string, unknown>) =>
  (body: B, ctx: z.RefinementCtx): void => {
    const result = event.safeParse({ ...body, ...serverFields(body) });
    if (result.success) return;
    const key = (issue: { path: PropertyKey[]; message: string }) => `${issue.path.map(String).join('.')}\u0000${issue.message}`;
    // A nested field's own refinement (e.g. the baseline's value | narrative) already reported by the body schema.
    const reported = new Set(ctx.issues.map((issue) => key({ path: issue.path ?? [], message: issue.message ?? '' })));
    for (const issue of result.error.issues) {
      if (issue.code === 'custom' && !reported.has(key(issue))) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    }
  };

/** Fills server-made ids with a placeholder (for `eventRules`). */
export const placeholderIds = (...fields: string[]) => Object.fromEntries(fields.map((field) => [field, PLACEHOLDER_ID]));

/** The aggregate id in a stream name such as `indicator-<id>` (the directory entry's stream). */
export const idInStream = (entry: ResourceEntry, prefix: string): string => {
  if (!entry.stream.startsWith(prefix)) throw new Error(`${entry.kind} ${entry.id} lives in ${entry.stream}, not a ${prefix}… stream`);
  return entry.stream.slice(prefix.length);
};

const RUNS_INITIATIVE = ['admin', 'backbone'] as const;
/** Partners act here too, for their own partner only (the decider refuses a partner key acting for another). */
const REPORTS = ['admin', 'backbone', 'partner'] as const;
const tags = ['measurement'];

const defineIndicatorBody = z
  .strictObject({
    goalId: idSchema,
    name: nameSchema,
    measure: measureSchema,
    unit: indicatorDefinedSchema.shape.unit,
    direction: directionSchema,
    cumulative: z.boolean().optional().describe('default false: each reading is the increment for its period'),
    baseline: baselineSchema,
    targets: z.array(targetSchema).max(200),
    frequency: frequencySchema,
    disaggregations: z.array(disaggregationSchema).max(10).optional(),
    requiresApproval: z.boolean().optional().describe('default false: readings count at once, without review'),
  })
  .superRefine(
    eventRules(indicatorDefinedSchema, (b) => ({
      ...placeholderIds('initiativeId', 'indicatorId'),
      cumulative: b.cumulative ?? false,
      disaggregations: b.disaggregations ?? [],
      requiresApproval: b.requiresApproval ?? false,
    })),
  )
  .meta({ id: 'DefineIndicator' });

const reviseTargetBody = z
  .strictObject({ periodEnd: dateSchema, ...valueOrNarrative, reason: reasonSchema })
  .superRefine(exactlyOne('value', 'narrative'))
  .meta({ id: 'ReviseTarget' });

const recordReadingBody = z
  .strictObject({
    partnerId: idSchema,
    period: readingRecordedSchema.shape.period,
    ...valueOrNarrative,
    disaggregation: readingDisaggregationSchema.optional().describe('{ <dimension>: <value> }; absent = the total'),
    source: text(1_000).optional(),
    occurredAt: timestampSchema.optional().describe('business time of the reading (RFC 3339), kept in the event metadata'),
  })
  .superRefine(exactlyOne('value', 'narrative'))
  .meta({ id: 'RecordReading' });

const correctReadingBody = z
  .strictObject({ ...valueOrNarrative, reason: reasonSchema })
  .superRefine(exactlyOne('value', 'narrative'))
  .meta({ id: 'CorrectReading' });

const reviewReadingBody = z
  .strictObject({ outcome: z.enum(['approve', 'return']), comment: commentSchema.optional() })
  .refine((b) => b.outcome !== 'return' || b.comment !== undefined, { path: ['comment'], message: 'a returned reading needs a comment saying what to fix' })
  .meta({ id: 'ReviewReading' });

const retractReadingBody = z.strictObject({ reason: reasonSchema }).meta({ id: 'RetractReading' });

export const measurementRoutes = (deps: WriteDeps & ReadingsImportDeps) => async (app: FastifyInstance) => {
  const indicator = (id: string) => ({ decider: indicatorDecider, stream: indicatorStream(id) });

  writeRoute(app, deps, {
    method: 'POST',
    url: '/initiatives/:id/indicators',
    operationId: 'defineIndicator',
    summary: 'Define an indicator of a goal: measure, unit, direction, baseline, targets, frequency, disaggregations',
    tags,
    roles: RUNS_INITIATIVE,
    params: idParams,
    initiativeOf: (params) => params.id,
    body: defineIndicatorBody,
    handle: async ({ params, body }, { context, facts }) => {
      const indicatorId = newResourceId(context);
      return {
        ...indicator(indicatorId),
        resourceId: indicatorId,
        command: { type: 'DefineIndicator', indicatorId, initiativeId: params.id, ...body, context: { actor: context.actor, initiative: await facts(params.id) } },
        context,
        location: `/indicators/${indicatorId}`,
      };
    },
  });

  writeRoute(app, deps, {
    method: 'POST',
    url: '/indicators/:id/targets',
    operationId: 'reviseTarget',
    summary: 'Revise the target of one period, with a reason (history keeps every target that stood)',
    tags,
    roles: RUNS_INITIATIVE,
    params: idParams,
    body: reviseTargetBody,
    handle: async ({ params, body }, { context, facts, resource }) => {
      const entry = resource('indicator', params.id);
      return {
        ...indicator(entry.id),
        resourceId: entry.id,
        command: { type: 'ReviseTarget', indicatorId: entry.id, ...body, context: { actor: context.actor, initiative: await facts(entry.initiativeId) } },
        context,
      };
    },
  });

  // Its own child plugin: the text/csv parser serves this route only, the other routes keep refusing text/csv (415).
  await app.register(async (readings) => {
    readings.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    writeRoute(readings, deps, {
      method: 'POST',
      url: '/indicators/:id/readings',
      operationId: 'recordReading',
      summary: 'Record a reading: a partner\'s value (or narrative of change) for a period; or import many as CSV (text/csv), all or nothing',
      description: [
        'With `Content-Type: application/json`, one reading (`RecordReading`), answered with its receipt.',
        'With `Content-Type: text/csv`, many: a header row, then one reading per row, in the columns of',
        '`GET /initiatives/{id}/readings.csv` (`partnerId, periodStart, periodEnd, <dimension>…, value, narrative, source`;',
        'the export\'s `indicatorId, readingId, recordedAt, seq, reviewStatus` are accepted and ignored, but a filled-in `indicatorId`',
        'must be this indicator). Every row is checked as the JSON body is; all rows are recorded in one append, or none:',
        '400 (bad cells), 403 (a partner key importing another partner\'s rows) or 409 (rules: value or narrative for the',
        'measure, undeclared dimension values, a reading that already exists or appears twice in the file), with',
        '`errors: [{ path: "row <n> / <column>", message }]` (the header is row 1). 201 with one receipt per reading.',
        `At most ${MAX_IMPORT_ROWS} rows per import. \`Idempotency-Key\` replays the whole answer.`,
      ].join(' '),
      tags,
      roles: REPORTS,
      params: idParams,
      body: recordReadingBody,
      otherBodies: { 'text/csv': readingsCsvBody(deps, recordReadingBody) },
      handle: async ({ params, body }, { context, facts, resource }) => {
        const entry = resource('indicator', params.id);
        const readingId = newResourceId(context);
        const { occurredAt, ...reading } = body;
        return {
          ...indicator(entry.id),
          resourceId: readingId,
          command: { type: 'RecordReading', indicatorId: entry.id, readingId, ...reading, context: { actor: context.actor, initiative: await facts(entry.initiativeId) } },
          context: occurredAt === undefined ? context : { ...context, occurredAt },
          location: `/readings/${readingId}`,
        };
      },
    });
  });

  /** A change to an existing reading: the indicator stream it lives in, from the directory. */
  const onReading = async (id: string, tools: WriteTools) => {
    const entry = tools.resource('reading', id);
    const indicatorId = idInStream(entry, 'indicator-');
    return { entry, indicatorId, context: { actor: tools.context.actor, initiative: await tools.facts(entry.initiativeId) } };
  };

  writeRoute(app, deps, {
    method: 'POST',
    url: '/readings/:id/corrections',
    operationId: 'correctReading',
    summary: 'Correct a reading (a new event supersedes the value; history shows both)',
    tags,
    roles: REPORTS,
    params: idParams,
    body: correctReadingBody,
    handle: async ({ params, body }, tools) => {
      const { entry, indicatorId, context } = await onReading(params.id, tools);
      return { ...indicator(indicatorId), resourceId: entry.id, command: { type: 'CorrectReading', indicatorId, readingId: entry.id, ...body, context }, context: tools.context };
    },
  });

  writeRoute(app, deps, {
    method: 'POST',
    url: '/readings/:id/review',
    operationId: 'reviewReading',
    summary: 'Approve a submitted reading, or return it with a comment (backbone)',
    tags,
    roles: RUNS_INITIATIVE,
    params: idParams,
    body: reviewReadingBody,
    handle: async ({ params, body }, tools) => {
      const { entry, indicatorId, context } = await onReading(params.id, tools);
      return { ...indicator(indicatorId), resourceId: entry.id, command: { type: 'ReviewReading', indicatorId, readingId: entry.id, ...body, context }, context: tools.context };
    },
  });

  writeRoute(app, deps, {
    method: 'POST',
    url: '/readings/:id/retraction',
    operationId: 'retractReading',
    summary: 'Retract a reading, with a reason (it stays in history, it no longer counts)',
    tags,
    roles: REPORTS,
    params: idParams,
    body: retractReadingBody,
    handle: async ({ params, body }, tools) => {
      const { entry, indicatorId, context } = await onReading(params.id, tools);
      return { ...indicator(indicatorId), resourceId: entry.id, command: { type: 'RetractReading', indicatorId, readingId: entry.id, ...body, context }, context: tools.context };
    },
  });
};

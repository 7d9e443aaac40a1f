import { negotiate } from '@fastify/accept-negotiator';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { agendaQuery, type AgendaState } from '../../../projections/common-agenda.js';
import { decisionsQuery, type DecisionsState } from '../../../projections/decisions-register.js';
import { emptyEquityView, equityQuery, type EquityState } from '../../../projections/equity-lens.js';
import type { InitiativeLogState } from '../../../projections/initiative-log.js';
import { ledgerQuery, type LedgerState } from '../../../projections/resource-ledger.js';
import { parseDisaggregationKey } from '../../../projections/measurement-keys.js';
import { measurementQuery, seriesQuery } from '../../../projections/measurement-queries.js';
import type { MeasurementState } from '../../../projections/shared-measurement.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import type { SeqIndex } from '../../follower/local-state.js';
import type { Views } from '../../views/views.js';
import { requireInitiative } from '../auth/authenticate.js';
import { createAnswerCache } from '../answer-cache.js';
import { jsonBytes } from '../json-bytes.js';
import { problemSchema } from '../problem.js';
import { agendaViewSchema } from '../schemas/agenda.js';
import { decisionsViewSchema } from '../schemas/decisions.js';
import { equityViewSchema } from '../schemas/equity.js';
import { activitiesViewSchema, lessonsViewSchema, risksViewSchema } from '../schemas/initiative-log.js';
import { ledgerViewSchema } from '../schemas/ledger.js';
import { measurementViewSchema, seriesViewSchema } from '../schemas/measurement.js';
import { registerReadingsExport } from './readings-csv.js';
import { asOfQuery, asOfSchema, resolveViewPoint, type ViewPoint } from './view-point.js';

export interface ViewRouteDeps {
  views: Pick<Views, 'query' | 'head' | 'streamAsOf'>;
  seqIndex: Pick<SeqIndex, 'get' | 'atOrBefore'>;
}

const READERS = ['admin', 'backbone', 'partner', 'auditor', 'viewer'] as const;
const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };
const params = z.strictObject({ id: z.uuid() });
const querystring = z.strictObject({ asOf: asOfQuery });
/** The content codings a view answer comes in (Accept-Encoding, RFC 9110 §12.5.3; no header or `gzip;q=0`: identity). */
const CODINGS = ['gzip', 'identity'];

/** A view's answer: the initiative, the point it was read at, and the view. */
const viewAnswer = <V extends z.ZodType>(view: V, id: string) =>
  z.strictObject({ initiativeId: z.string(), asOf: asOfSchema, view }).meta({ id });

/**
 * What each view route answers (200), as OpenAPI documents it: the view schemas in ../schemas/ describe what the
 * projections' queries return, field for field. Documentation only: the view routes send answers serialized once and
 * kept (below), the series route its answer serialized by itself, never checked against these per request;
 * test/http/view-schemas.test.ts keeps them true.
 */
export const viewAnswers = {
  agenda: viewAnswer(agendaViewSchema, 'AgendaAnswer'),
  measurement: viewAnswer(measurementViewSchema, 'MeasurementAnswer'),
  ledger: viewAnswer(ledgerViewSchema, 'LedgerAnswer'),
  decisions: viewAnswer(decisionsViewSchema, 'DecisionsAnswer'),
  equity: viewAnswer(equityViewSchema, 'EquityAnswer'),
  activities: viewAnswer(activitiesViewSchema, 'ActivitiesAnswer'),
  risks: viewAnswer(risksViewSchema, 'RisksAnswer'),
  lessons: viewAnswer(lessonsViewSchema, 'LessonsAnswer'),
  series: z.strictObject({ indicatorId: z.string(), asOf: asOfSchema, series: seriesViewSchema }).meta({ id: 'SeriesAnswer' }),
};

interface ViewSpec<S> {
  path: Exclude<keyof typeof viewAnswers, 'series'>;
  operationId: string;
  summary: string;
  projection: string;
  read: (state: S, initiativeId: string, point: ViewPoint) => unknown;
}

/**
 * The read side (design §5, §7): every view of an initiative, now or `asOf` any point, scoped to the key's
 * initiative. One mechanism for all of them: resolve the point, run the projection's query on its state there.
 */
export const viewRoutes =
  (deps: ViewRouteDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const answers = createAnswerCache(VIEW_CACHE_BYTES);
    const register = <S>(spec: ViewSpec<S>) =>
      app.get(
        `/initiatives/:id/${spec.path}`,
        {
          schema: {
            operationId: spec.operationId,
            summary: spec.summary,
            tags: ['views'],
            security: [{ bearer: [] }],
            params,
            querystring,
            response: { 200: viewAnswers[spec.path], ...errors },
          },
          onRequest: app.authorize(READERS),
        },
        async (request, reply) => {
          const initiativeId = request.params.id;
          requireInitiative(request.actor!, initiativeId);
          const point = resolveViewPoint(request.query.asOf, deps.views.head(), deps.seqIndex);
          const key = `${spec.path}\u0000${initiativeId}\u0000${point.seq}\u0000${point.date}`;
          const gzipped = negotiate(request.headers['accept-encoding'] ?? '', CODINGS) === 'gzip';
          let answer = answers.get(key);
          if (answer === undefined) {
            const view = await deps.views.query<S, unknown>(spec.projection, point.seq, (state) => spec.read(state, initiativeId, point));
            if (view === undefined) throw new NotFoundError(`initiative ${initiativeId} is not known at seq ${point.seq}`);
            // The bytes the route's serializer would write (same fields, same order), kept for the next request.
            answer = answers.set(key, jsonBytes({ initiativeId, asOf: { seq: point.seq, recordedAt: point.recordedAt }, view }));
          } else if (gzipped && answer.gzip === undefined) void answers.compress(key);
          // Already JSON: Fastify sends a Buffer as it is (the typed reply expects the object).
          reply.type('application/json; charset=utf-8').header('vary', 'accept-encoding');
          if (gzipped && answer.gzip !== undefined) return reply.header('content-encoding', 'gzip').send(answer.gzip as never);
          return reply.send(answer.identity as never);
        },
      );

    register<AgendaState>({
      path: 'agenda',
      operationId: 'getAgenda',
      summary: 'The common agenda: goals, strategies, indicators with targets, partners by sector, RACI, alignment',
      projection: 'common-agenda',
      read: (state, id) => (state.views[id] ? agendaQuery(state.views[id]) : undefined),
    });
    register<MeasurementState>({
      path: 'measurement',
      operationId: 'getMeasurement',
      summary: 'Shared measurement: per indicator baseline, target, latest value, series, progress, on-track status, reporting compliance',
      projection: 'shared-measurement',
      read: (state, id, point) => (state.views[id] ? measurementQuery(state.views[id], point.date) : { partners: [], indicators: [] }),
    });
    register<LedgerState>({
      path: 'ledger',
      operationId: 'getLedger',
      summary: 'Commitments against contributions per partner, sector and goal; fulfilment and overdue commitments',
      projection: 'resource-ledger',
      read: (state, id, point) => (state.views[id] ? ledgerQuery(state.views[id], point.date) : emptyLedger),
    });
    register<DecisionsState>({
      path: 'decisions',
      operationId: 'getDecisions',
      summary: 'The decisions register: proposals, votes (who voted how), outcomes',
      projection: 'decisions-register',
      read: (state, id) => (state.views[id] ? decisionsQuery(state.views[id]) : []),
    });
    register<EquityState>({
      path: 'equity',
      operationId: 'getEquity',
      summary: 'Per sector: share of resources contributed beside share of votes and proposals; community participation',
      projection: 'equity-lens',
      read: (state, id) => equityQuery(state.views[id] ?? emptyEquityView()),
    });
    app.get(
      '/indicators/:id/series',
      {
        schema: {
          operationId: 'getIndicatorSeries',
          summary: 'One indicator\'s series by period (corrections applied, retractions removed), filtered by period range and disaggregation',
          tags: ['views'],
          security: [{ bearer: [] }],
          params,
          querystring: z.strictObject({
            asOf: asOfQuery,
            from: z.iso.date().optional().describe('only periods starting on or after this date'),
            to: z.iso.date().optional().describe('only periods ending on or before this date'),
            disaggregation: z
              .string()
              .max(500)
              .optional()
              .describe('only breakdowns with these `dimension=value` pairs, `;`-separated (e.g. `district=North;sex=female`)'),
          }),
          response: { 200: viewAnswers.series, ...errors },
        },
        onRequest: app.authorize(READERS),
      },
      async (request, reply) => {
        const indicatorId = request.params.id;
        const { asOf, from, to, disaggregation } = request.query;
        const point = resolveViewPoint(asOf, deps.views.head(), deps.seqIndex);
        const series = await deps.views.query<MeasurementState, unknown>('shared-measurement', point.seq, (state) => {
          const owner = state.owners[indicatorId];
          if (owner === undefined) return undefined;
          requireInitiative(request.actor!, owner);
          if (disaggregation !== undefined) checkFilter(disaggregation, state.views[owner]!.indicators[indicatorId]?.disaggregations ?? []);
          return seriesQuery(state.views[owner]!, indicatorId, { ...(from ? { from } : {}), ...(to ? { to } : {}), ...(disaggregation ? { disaggregation } : {}) });
        });
        if (series === undefined) throw new NotFoundError(`indicator ${indicatorId} is not known at seq ${point.seq}`);
        // Serialized here, as the views are: the response schema documents the answer, it is not checked per request.
        const body = jsonBytes({ indicatorId, asOf: { seq: point.seq, recordedAt: point.recordedAt }, series });
        return reply.type('application/json; charset=utf-8').send(body as never);
      },
    );

    registerReadingsExport(app, deps);

    for (const part of ['activities', 'risks', 'lessons'] as const) {
      register<InitiativeLogState>({
        path: part,
        operationId: `get${part[0]!.toUpperCase()}${part.slice(1)}`,
        summary: `The initiative's ${part}, in the order they were recorded`,
        projection: 'initiative-log',
        read: (state, id) => state.views[id]?.[part] ?? [],
      });
    }
  };

/**
 * A series filter names at least one `dimension=value` pair, and only dimensions and values the indicator declares
 * (at the point read): a filter that matched nothing by a typo would answer an empty series, or without a pair the
 * whole one, as if it were what was asked.
 */
const checkFilter = (filter: string, declared: readonly { dimension: string; values: readonly string[] }[]): void => {
  const pairs = Object.entries(parseDisaggregationKey(filter));
  const problem = (message: string) => new ValidationError('invalid disaggregation filter', [{ path: 'querystring.disaggregation', message }]);
  if (pairs.length === 0) throw problem('give dimension=value pairs, separated by ";" (e.g. district=North;sex=female)');
  for (const [dimension, value] of pairs) {
    const known = declared.find((d) => d.dimension === dimension);
    if (!known) throw problem(`the indicator has no dimension ${dimension}${declared.length > 0 ? ` (it has ${declared.map((d) => d.dimension).join(', ')})` : ''}`);
    if (!known.values.includes(value)) throw problem(`${dimension} has no value ${value} (it has ${known.values.join(', ')})`);
  }
};

/** A ledger for an initiative with no resources yet is empty, not missing. */
const emptyLedger = { commitments: [], contributions: [], overdue: [], byPartner: {}, bySector: {}, byGoal: {} };

/**
 * Serialized view answers, by view, initiative, seq and date: a view at a seq is fixed for good (the log is
 * immutable, the projections pure, and the date is part of the key), so an answer can be served again as long as
 * it is kept. It is what makes repeated reads of a large view cheap (the current `/measurement` of an initiative
 * with 200 indicators is ≈ 3.5 MB of JSON, ≈ 60 ms to build and serialize): only the first read after the log
 * moved computes it, and reads after the second are served gzipped to clients that accept it (../answer-cache.ts).
 */
export const VIEW_CACHE_BYTES = 64 * 1024 * 1024;

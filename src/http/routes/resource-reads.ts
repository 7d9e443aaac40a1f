import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { goalQuery, partnerQuery, strategyQuery, type AgendaState, type AgendaView } from '../../../projections/common-agenda.js';
import { decisionQuery, type DecisionsState } from '../../../projections/decisions-register.js';
import { activityQuery, lessonQuery, riskQuery, type InitiativeLogState } from '../../../projections/initiative-log.js';
import type { ProjectedEvent } from '../../../projections/projection.js';
import { foldReading, type ReadingRecord } from '../../../projections/readings-register.js';
import { commitmentQuery, contributionQuery, type LedgerState } from '../../../projections/resource-ledger.js';
import { indicatorQuery } from '../../../projections/measurement-queries.js';
import type { MeasurementState } from '../../../projections/shared-measurement.js';
import type { DirectoryStore } from '../../directory/directory-store.js';
import { NotFoundError } from '../../errors.js';
import type { Actor } from '../../events/envelope.js';
import { readingLifeStatusSchema } from '../../events/measurement.js';
import type { ResourceKind } from '../../events/subjects.js';
import { requireInitiative } from '../auth/authenticate.js';
import { problemSchema } from '../problem.js';
import { goalSchema, initiativeSummarySchema, partnerSchema, strategySchema } from '../schemas/agenda.js';
import { actorRefSchema, periodSchema } from '../schemas/common.js';
import { decisionSchema } from '../schemas/decisions.js';
import { activitySchema, lessonSchema, riskSchema } from '../schemas/initiative-log.js';
import { commitmentSchema, contributionSchema } from '../schemas/ledger.js';
import { indicatorSchema } from '../schemas/measurement.js';
import type { ViewRouteDeps } from './views.js';
import { asOfQuery, asOfSchema, resolveViewPoint, type ViewPoint } from './view-point.js';

export interface ResourceReadDeps extends ViewRouteDeps {
  directory: Pick<DirectoryStore, 'resource' | 'readingRevisions' | 'seq'>;
}

/** Who reads views reads resources (design §7): viewers included. */
const READERS = ['admin', 'backbone', 'partner', 'auditor', 'viewer'] as const;
const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };
const params = z.strictObject({ id: z.uuid() });
const querystring = z.strictObject({ asOf: asOfQuery });

const readingStatusSchema = z.enum([...readingLifeStatusSchema.options, 'retracted']);

const readingSchema = z
  .object({
    id: z.string(),
    indicatorId: z.string(),
    partnerId: z.string(),
    period: periodSchema,
    disaggregation: z.record(z.string(), z.string()).describe('dimension → value; empty = the total'),
    value: z.number().optional().describe('as currently valid: the latest correction\'s, else the recorded one'),
    narrative: z.string().optional(),
    source: z.string().optional(),
    status: readingStatusSchema.describe('a retracted reading keeps the value it had when it was retracted'),
    counts: z.boolean().describe('whether the indicator\'s figures count it: accepted or approved, not retracted'),
    recordedAt: z.string().describe('when it was recorded'),
    seq: z.number().int().describe('the seq of its recording'),
    retraction: z.object({ reason: z.string(), recordedAt: z.string(), seq: z.number().int() }).optional(),
    history: z
      .array(
        z.object({
          type: z.enum(['recorded', 'approved', 'returned', 'corrected', 'retracted']),
          seq: z.number().int(),
          recordedAt: z.string(),
          occurredAt: z.string().optional(),
          by: actorRefSchema,
          status: readingStatusSchema.describe('its status after this change'),
          value: z.number().optional(),
          narrative: z.string().optional(),
          reason: z.string().optional(),
          comment: z.string().optional(),
        }),
      )
      .describe('every event in its life, oldest first: recording, reviews, corrections, retraction'),
  })
  .meta({ id: 'Reading', description: 'a reading as currently valid (corrections applied), its review status and its history' });

/** The agenda's summary of an initiative: who it is, and counts that cost nothing to take from the view. */
const summaryOf = (view: AgendaView) => {
  const partners = Object.values(view.partners);
  return {
    ...view.initiative,
    counts: {
      partners: partners.length,
      activePartners: partners.filter((p) => p.status === 'active').length,
      goals: view.goalOrder.length,
      strategies: Object.keys(view.strategies).length,
      indicators: Object.keys(view.indicators).length,
    },
  };
};

/** Whether the key may read this initiative (the scoping of `requireInitiative`, as a predicate). */
const maySee = (actor: Actor, initiativeId: string): boolean => {
  try {
    requireInitiative(actor, initiativeId);
    return true;
  } catch {
    return false;
  }
};

/** Where a resource is read from: its initiative's view in a projection, or its own stream. */
type ByIdSource<V> =
  | {
      /** A projection keeping one view per initiative under `views` (projections/projection.ts). */
      projection: string;
      /** The resource in its initiative's view, or undefined when the view does not hold it. */
      read: (view: V, id: string, point: ViewPoint) => unknown;
    }
  | {
      /**
       * For what no projection keeps (readings: a registry of them would grow every snapshot): the resource folded
       * from the events of the stream the directory names for it, up to the point; undefined when not there yet.
       */
      fold: (events: AsyncIterable<ProjectedEvent>, id: string) => Promise<unknown>;
      /**
       * Which revisions of that stream are the resource's events, when the directory indexes them: only those are
       * read. Consulted only when the directory has followed the log at least to the point (else the whole stream).
       */
      revisions?: (id: string) => number[];
    };

type ByIdSpec<K extends string, V> = ByIdSource<V> & {
  kind: ResourceKind;
  /** The route's plural (`/<plural>/:id`); default `<kind>s`. */
  plural?: string;
  /** The answer's key for the resource. */
  key: K;
  operationId: string;
  summary: string;
  schema: z.ZodType;
};

/** The revisions of a folded resource's events, when its spec indexes them and the directory is up to `seq`. */
const indexedRevisions = <V>(spec: ByIdSource<V>, id: string, seq: number, directory: Pick<DirectoryStore, 'seq'>) =>
  'revisions' in spec && spec.revisions && directory.seq() >= seq ? spec.revisions(id) : undefined;

/**
 * Listing and reading resources one by one (design §7), from the views runner's state like the views: now or
 * `asOf` any point, scoped to the key's initiative. The directory says which kind and initiative an id is; an id
 * of another kind is a 404, one of another initiative a 403, one the view does not hold at that point a 404.
 * Roles as in the views (routes/views.ts, readings.csv): every reader of an initiative reads all of it — a partner
 * key every partner's readings, contributions and commitments, a viewer key individual readings — as those views
 * show them; nothing here is narrower or wider than they are.
 */
export const resourceReadRoutes =
  (deps: ResourceReadDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/initiatives',
      {
        schema: {
          operationId: 'listInitiatives',
          summary: 'The initiatives the key may see (all for admins and deployment-wide auditors and viewers), in launch order',
          tags: ['views'],
          security: [{ bearer: [] }],
          querystring,
          response: {
            200: z.object({ asOf: asOfSchema, initiatives: z.array(initiativeSummarySchema) }).meta({ id: 'InitiativeList' }),
            400: problemSchema,
            401: problemSchema,
            403: problemSchema,
            404: problemSchema,
          },
        },
        onRequest: app.authorize(READERS),
      },
      async (request) => {
        const actor = request.actor!;
        const point = resolveViewPoint(request.query.asOf, deps.views.head(), deps.seqIndex);
        const initiatives = await deps.views.query<AgendaState, ReturnType<typeof summaryOf>[]>('common-agenda', point.seq, (state) =>
          Object.entries(state.views)
            .filter(([id]) => maySee(actor, id))
            .map(([, view]) => summaryOf(view))
            .sort((a, b) => (a.launchedAt < b.launchedAt ? -1 : a.launchedAt > b.launchedAt ? 1 : 0)),
        );
        return { asOf: { seq: point.seq, recordedAt: point.recordedAt }, initiatives };
      },
    );

    const register = <K extends string, V>(spec: ByIdSpec<K, V>) =>
      app.get(
        `/${spec.plural ?? `${spec.kind}s`}/:id`,
        {
          schema: {
            operationId: spec.operationId,
            summary: spec.summary,
            tags: ['views'],
            security: [{ bearer: [] }],
            params,
            querystring,
            response: {
              200: z.object({ initiativeId: z.string(), asOf: asOfSchema, [spec.key]: spec.schema }).meta({ id: `${spec.operationId[3]!.toUpperCase()}${spec.operationId.slice(4)}Answer` }),
              ...errors,
            },
          },
          onRequest: app.authorize(READERS),
        },
        async (request) => {
          const { id } = request.params;
          const entry = deps.directory.resource(id);
          if (entry === undefined || entry.kind !== spec.kind || entry.initiativeId === null) throw new NotFoundError(`no ${spec.kind} ${id}`);
          const initiativeId = entry.initiativeId;
          requireInitiative(request.actor!, initiativeId);
          const point = resolveViewPoint(request.query.asOf, deps.views.head(), deps.seqIndex);
          const resource =
            'projection' in spec
              ? await deps.views.query<{ views: Record<string, V | undefined> }, unknown>(spec.projection, point.seq, (state) => {
                  const view = state.views[initiativeId];
                  return view === undefined ? undefined : spec.read(view, id, point);
                })
              : await spec.fold(deps.views.streamAsOf(entry.stream, point.seq, indexedRevisions(spec, id, point.seq, deps.directory)), id);
          if (resource === undefined) throw new NotFoundError(`${spec.kind} ${id} is not known at seq ${point.seq}`);
          return { initiativeId, asOf: { seq: point.seq, recordedAt: point.recordedAt }, [spec.key]: resource } as never;
        },
      );

    register<'initiative', AgendaState['views'][string]>({
      kind: 'initiative',
      key: 'initiative',
      operationId: 'getInitiative',
      summary: 'One initiative as the common agenda summarizes it: name, problem statement, geography, counts',
      projection: 'common-agenda',
      schema: initiativeSummarySchema,
      read: (view) => summaryOf(view),
    });
    register<'indicator', MeasurementState['views'][string]>({
      kind: 'indicator',
      key: 'indicator',
      operationId: 'getIndicator',
      summary: 'One indicator: definition, current targets, latest value, level, progress and on-track status',
      projection: 'shared-measurement',
      schema: indicatorSchema,
      read: (view, id, point) => indicatorQuery(view, id, point.date),
    });
    register<'commitment', LedgerState['views'][string]>({
      kind: 'commitment',
      key: 'commitment',
      operationId: 'getCommitment',
      summary: 'One commitment: what was pledged, its contributions, fulfilment and whether it is overdue',
      projection: 'resource-ledger',
      schema: commitmentSchema,
      read: (view, id, point) => commitmentQuery(view, id, point.date),
    });
    register<'decision', DecisionsState['views'][string]>({
      kind: 'decision',
      key: 'decision',
      operationId: 'getDecision',
      summary: 'One decision: options, rule, votes (who voted how, every vote kept) and outcome',
      projection: 'decisions-register',
      schema: decisionSchema,
      read: (view, id) => decisionQuery(view, id),
    });
    register<'partner', AgendaState['views'][string]>({
      kind: 'partner',
      key: 'partner',
      operationId: 'getPartner',
      summary: 'One partner: sector, primary interests, backbone or not, active or left, the goals it aligned with, its RACI roles',
      projection: 'common-agenda',
      schema: partnerSchema,
      read: (view, id) => partnerQuery(view, id),
    });
    register<'goal', AgendaState['views'][string]>({
      kind: 'goal',
      key: 'goal',
      operationId: 'getGoal',
      summary: 'One goal of the common agenda: title, description, revisions, its strategies and indicators',
      projection: 'common-agenda',
      schema: goalSchema,
      read: (view, id) => goalQuery(view, id),
    });
    register<'strategy', AgendaState['views'][string]>({
      kind: 'strategy',
      plural: 'strategies',
      key: 'strategy',
      operationId: 'getStrategy',
      summary: 'One strategy: its goal, title, description and RACI responsibilities',
      projection: 'common-agenda',
      schema: strategySchema,
      read: (view, id) => strategyQuery(view, id),
    });
    register<'contribution', LedgerState['views'][string]>({
      kind: 'contribution',
      key: 'contribution',
      operationId: 'getContribution',
      summary: 'One contribution: what was delivered, against which commitment, with its evidence, and whether it was reversed',
      projection: 'resource-ledger',
      schema: contributionSchema,
      read: (view, id) => contributionQuery(view, id),
    });
    register<'risk', InitiativeLogState['views'][string]>({
      kind: 'risk',
      key: 'risk',
      operationId: 'getRisk',
      summary: 'One risk as it now stands, with every review and its closure',
      projection: 'initiative-log',
      schema: riskSchema,
      read: (view, id) => riskQuery(view, id),
    });
    register<'activity', InitiativeLogState['views'][string]>({
      kind: 'activity',
      plural: 'activities',
      key: 'activity',
      operationId: 'getActivity',
      summary: 'One activity: what was done under which strategy, when, with which partners, minutes and outputs',
      projection: 'initiative-log',
      schema: activitySchema,
      read: (view, id) => activityQuery(view, id),
    });
    register<'lesson', InitiativeLogState['views'][string]>({
      kind: 'lesson',
      key: 'lesson',
      operationId: 'getLesson',
      summary: 'One lesson learned: success or failure, what happened, what was learned',
      projection: 'initiative-log',
      schema: lessonSchema,
      read: (view, id) => lessonQuery(view, id),
    });
    register<'reading', never>({
      kind: 'reading',
      key: 'reading',
      operationId: 'getReading',
      summary: 'One reading as currently valid (corrections applied), its review status, and its history of reviews, corrections and retraction',
      schema: readingSchema,
      revisions: (id) => deps.directory.readingRevisions(id),
      fold: async (events, id) => {
        let reading: ReadingRecord | undefined;
        for await (const event of events) reading = foldReading(reading, event, id);
        return reading;
      },
    });
  };

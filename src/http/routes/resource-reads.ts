import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AgendaState, AgendaView } from '../../../projections/common-agenda.js';
import { decisionQuery, type DecisionsState } from '../../../projections/decisions-register.js';
import { commitmentQuery, type LedgerState } from '../../../projections/resource-ledger.js';
import { indicatorQuery, type MeasurementState } from '../../../projections/shared-measurement.js';
import type { DirectoryStore } from '../../directory/directory-store.js';
import { NotFoundError } from '../../errors.js';
import type { Actor } from '../../events/envelope.js';
import type { ResourceKind } from '../../events/subjects.js';
import { requireInitiative } from '../auth/authenticate.js';
import { problemSchema } from '../problem.js';
import type { ViewRouteDeps } from './views.js';
import { asOfQuery, asOfSchema, resolveViewPoint, type ViewPoint } from './view-point.js';

export interface ResourceReadDeps extends ViewRouteDeps {
  directory: Pick<DirectoryStore, 'resource'>;
}

/** Who reads views reads resources (design §7): viewers included. */
const READERS = ['admin', 'backbone', 'partner', 'auditor', 'viewer'] as const;
const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };
const params = z.strictObject({ id: z.uuid() });
const querystring = z.strictObject({ asOf: asOfQuery });

const initiativeSummarySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    problemStatement: z.string(),
    geography: z.string().optional(),
    launchedAt: z.string(),
    counts: z.object({
      partners: z.number().int().describe('every partner that joined, including those that left'),
      activePartners: z.number().int(),
      goals: z.number().int(),
      strategies: z.number().int(),
      indicators: z.number().int(),
    }),
  })
  .meta({ id: 'InitiativeSummary', description: 'an initiative as the common agenda knows it, with counts' });

const targetSchema = z.looseObject({ periodEnd: z.string(), value: z.number().optional(), narrative: z.string().optional() });
const periodSchema = z.object({ start: z.string(), end: z.string() });

const indicatorSchema = z
  .object({
    id: z.string(),
    goalId: z.string(),
    name: z.string(),
    measure: z.enum(['count', 'percentage', 'currency', 'ordinal', 'qualitative']),
    unit: z.string(),
    direction: z.enum(['increase', 'decrease', 'maintain']),
    cumulative: z.boolean(),
    baseline: z.looseObject({ value: z.number().optional(), narrative: z.string().optional(), date: z.string() }),
    targets: z.array(targetSchema).describe('the targets that stand now, by period end'),
    frequency: z.string(),
    disaggregations: z.array(z.object({ dimension: z.string(), values: z.array(z.string()) })),
    requiresApproval: z.boolean(),
    aggregation: z.enum(['sum', 'mean', 'narrative']),
    target: targetSchema.nullable().describe('the last target: the one progress is measured against'),
    nextTarget: targetSchema.nullable().describe('the first target ending after the asOf date'),
    latest: z.object({ period: periodSchema, value: z.number() }).nullable().describe('the latest period with a total'),
    level: z.number().nullable(),
    progressPercent: z.number().nullable(),
    onTrack: z.enum(['on_track', 'off_track', 'no_data']),
    trajectory: z.object({ date: z.string(), expected: z.number() }).nullable(),
  })
  .meta({ id: 'Indicator', description: 'an indicator\'s definition and figures (series: /indicators/{id}/series)' });

const moneySchema = z.object({ amount: z.string(), currency: z.string() });
const totalsSchema = z.object({ money: z.record(z.string(), z.string()), hours: z.number(), estimatedValue: z.record(z.string(), z.string()) });

const commitmentSchema = z
  .object({
    id: z.string(),
    partnerId: z.string(),
    goalId: z.string().optional(),
    strategyId: z.string().optional(),
    kind: z.enum(['funding', 'staff_time', 'in_kind', 'data', 'other']),
    money: moneySchema.optional(),
    hours: z.number().optional(),
    description: z.string().optional(),
    estimatedValue: moneySchema.optional(),
    dueDate: z.string(),
    status: z.enum(['active', 'withdrawn']),
    revisions: z.number().int(),
    contributionIds: z.array(z.string()),
    delivered: totalsSchema.describe('what its contributions (not reversed) delivered'),
    fulfilmentPercent: z.number().nullable(),
    overdue: z.boolean().describe('active, past its due date at the asOf point, and not fulfilled'),
    contributions: z.array(
      z.looseObject({ id: z.string(), partnerId: z.string(), date: z.string(), reversed: z.boolean(), recordedAt: z.string() }),
    ),
  })
  .meta({ id: 'Commitment', description: 'a commitment as the resource ledger shows it' });

const voteSchema = z.object({ partnerId: z.string(), option: z.string(), comment: z.string().optional(), castAt: z.string(), seq: z.number().int() });

const decisionSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    description: z.string().optional(),
    options: z.array(z.string()),
    status: z.enum(['open', 'closed', 'recorded']),
    rule: z.enum(['majority', 'two_thirds', 'consensus']).optional(),
    quorum: z.number().optional(),
    closesAt: z.string().optional(),
    proposedAt: z.string(),
    proposedBy: z.looseObject({ keyId: z.string(), role: z.string(), partnerId: z.string().optional() }),
    votes: z.array(voteSchema).describe('the vote that counts, per partner'),
    voteHistory: z.array(voteSchema).describe('every vote cast, in order'),
    outcome: z.enum(['adopted', 'rejected', 'no_quorum']).optional(),
    winningOption: z.string().optional(),
    tally: z.record(z.string(), z.number()).optional(),
    votesCast: z.number().int().optional(),
    eligibleVoters: z.number().int().optional(),
    closedAt: z.string().optional(),
    takenAt: z.string().optional(),
  })
  .meta({ id: 'Decision', description: 'a decision as the decisions register shows it' });

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

/** Every projection read here keeps one view per initiative under `views` (projections/projection.ts). */
interface ByIdSpec<K extends string, V> {
  kind: ResourceKind;
  /** The answer's key for the resource. */
  key: K;
  operationId: string;
  summary: string;
  projection: string;
  schema: z.ZodType;
  /** The resource in its initiative's view, or undefined when the view does not hold it. */
  read: (view: V, id: string, point: ViewPoint) => unknown;
}

/**
 * Listing and reading resources one by one (design §7), from the views runner's state like the views: now or
 * `asOf` any point, scoped to the key's initiative. The directory says which kind and initiative an id is; an id
 * of another kind is a 404, one of another initiative a 403, one the view does not hold at that point a 404.
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
        `/${spec.kind}s/:id`,
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
          const resource = await deps.views.query<{ views: Record<string, V | undefined> }, unknown>(spec.projection, point.seq, (state) => {
            const view = state.views[initiativeId];
            return view === undefined ? undefined : spec.read(view, id, point);
          });
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
  };

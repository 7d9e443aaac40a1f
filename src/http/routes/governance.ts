import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { newResourceId } from '../../commands/derived-ids.js';
import { decisionDecider, decisionStream } from '../../domain/decision/decider.js';
import { riskDecider, riskStream } from '../../domain/risk/decider.js';
import { descriptionSchema, idSchema, titleSchema, timestampSchema, uniqueArray } from '../../events/common.js';
import { decisionProposedSchema, decisionRecordedSchema, optionSchema, voteCastSchema } from '../../events/governance.js';
import { riskClosedSchema, riskRaisedSchema, riskReviewedSchema } from '../../events/initiative.js';
import { idParams, writeRoute, type WriteDeps } from './command-route.js';
import { eventRules, placeholderIds } from './measurement.js';

/**
 * Governance (design §1, §7): decisions — proposed with options and voted on by partners (one vote per partner,
 * the latest counts while open), closed with a tally; or recorded as taken in a meeting — and the risk register.
 * Deciders never read the clock: `now` is read here and travels in the command's context.
 */

const RUNS_INITIATIVE = ['admin', 'backbone'] as const;
/** A partner key votes for its own partner only (the decider refuses a vote for another). */
const VOTES = ['admin', 'backbone', 'partner'] as const;
const tags = ['governance'];

/** Recording a decision taken in a meeting: the event's rules (the chosen option is one of the options, …). */
const recordedRules = eventRules(decisionRecordedSchema, () => placeholderIds('decisionId', 'initiativeId'));

/**
 * One body for both ways a decision enters the ledger: proposed for a vote (`rule`, `quorum`, `closesAt?`), or,
 * with `outcome` and `takenAt`, recorded as taken in a meeting (`chosenOption` when adopted).
 */
const decisionBody = z
  .strictObject({
    title: titleSchema,
    description: descriptionSchema.optional(),
    options: uniqueArray(optionSchema, { min: 1, max: 20 }),
    rule: decisionProposedSchema.shape.rule.optional().describe('how the vote is decided (a proposal)'),
    quorum: decisionProposedSchema.shape.quorum.optional().describe('fraction of active partners that must vote, in (0, 1] (a proposal)'),
    closesAt: timestampSchema.optional().describe('when voting ends (a proposal); it may also be closed earlier'),
    outcome: decisionRecordedSchema.shape.outcome.optional().describe('given with takenAt: the decision was taken in a meeting'),
    chosenOption: optionSchema.optional().describe('the option adopted in the meeting'),
    takenAt: timestampSchema.optional().describe('when the meeting took the decision'),
    proposingPartnerId: idSchema
      .optional()
      .describe('the partner that put the decision forward (an active partner; the equity lens credits the proposal to its sector)'),
  })
  .superRefine((b, ctx) => {
    const issue = (field: string, message: string) => ctx.addIssue({ code: 'custom', path: [field], message });
    if (b.outcome !== undefined || b.takenAt !== undefined) {
      for (const field of ['rule', 'quorum', 'closesAt'] as const) {
        if (b[field] !== undefined) issue(field, 'a decision taken in a meeting is not voted on here: leave out rule, quorum and closesAt');
      }
      if (b.outcome === undefined) issue('outcome', 'is required to record a decision taken in a meeting');
      if (b.takenAt === undefined) issue('takenAt', 'is required to record a decision taken in a meeting');
      recordedRules(b, ctx);
      return;
    }
    if (b.rule === undefined) issue('rule', 'is required');
    if (b.quorum === undefined) issue('quorum', 'is required');
    if (b.options.length < 2) issue('options', 'a proposal offers at least two options');
    if (b.chosenOption !== undefined) issue('chosenOption', 'only a decision taken in a meeting (outcome, takenAt) names a chosen option');
  })
  .meta({ id: 'ProposeOrRecordDecision' });

const { decisionId: _d, ...voteFields } = voteCastSchema.shape;
const castVoteBody = z.strictObject(voteFields).meta({ id: 'CastVote' });

const raiseRiskBody = riskRaisedSchema.omit({ initiativeId: true, riskId: true }).meta({ id: 'RaiseRisk' });
const reviewRiskBody = riskReviewedSchema.omit({ initiativeId: true, riskId: true }).meta({ id: 'ReviewRisk' });
const closeRiskBody = riskClosedSchema.omit({ initiativeId: true, riskId: true }).meta({ id: 'CloseRisk' });

export const governanceRoutes = (deps: WriteDeps) => async (app: FastifyInstance) => {
  const decision = (id: string) => ({ decider: decisionDecider, stream: decisionStream(id) });
  const risk = (id: string) => ({ decider: riskDecider, stream: riskStream(id) });
  const now = () => new Date().toISOString();

  writeRoute(app, deps, {
    method: 'POST',
    url: '/initiatives/:id/decisions',
    operationId: 'proposeDecision',
    summary: 'Propose a decision for a vote; or, with outcome and takenAt, record one taken in a meeting',
    tags,
    roles: RUNS_INITIATIVE,
    params: idParams,
    initiativeOf: (params) => params.id,
    body: decisionBody,
    handle: async ({ params, body }, { context, facts }) => {
      const decisionId = newResourceId(context);
      const commandContext = { actor: context.actor, initiative: await facts(params.id), now: now() };
      const { title, description, options, rule, quorum, closesAt, outcome, chosenOption, takenAt, proposingPartnerId } = body;
      const common = {
        decisionId,
        initiativeId: params.id,
        title,
        ...(description === undefined ? {} : { description }),
        options,
        ...(proposingPartnerId === undefined ? {} : { proposingPartnerId }),
        context: commandContext,
      };
      const command =
        outcome !== undefined && takenAt !== undefined
          ? { type: 'RecordDecision', ...common, outcome, ...(chosenOption === undefined ? {} : { chosenOption }), takenAt }
          : { type: 'ProposeDecision', ...common, rule, quorum, ...(closesAt === undefined ? {} : { closesAt }) };
      return { ...decision(decisionId), resourceId: decisionId, command, context, location: `/decisions/${decisionId}` };
    },
  });

  writeRoute(app, deps, {
    method: 'POST',
    url: '/decisions/:id/votes',
    operationId: 'castVote',
    summary: 'Cast (or change, while open) a partner\'s vote on a decision',
    tags,
    roles: VOTES,
    params: idParams,
    body: castVoteBody,
    handle: async ({ params, body }, { context, facts, resource }) => {
      const entry = resource('decision', params.id);
      return {
        ...decision(entry.id),
        resourceId: entry.id,
        command: { type: 'CastVote', decisionId: entry.id, ...body, context: { actor: context.actor, initiative: await facts(entry.initiativeId), now: now() } },
        context,
      };
    },
  });

  writeRoute(app, deps, {
    method: 'POST',
    url: '/decisions/:id/close',
    operationId: 'closeDecision',
    summary: 'Close the vote: the tally decides adopted, rejected or no_quorum',
    tags,
    roles: RUNS_INITIATIVE,
    params: idParams,
    body: z.strictObject({}).nullish(),
    handle: async ({ params }, { context, facts, resource }) => {
      const entry = resource('decision', params.id);
      return {
        ...decision(entry.id),
        resourceId: entry.id,
        command: { type: 'CloseDecision', decisionId: entry.id, context: { actor: context.actor, initiative: await facts(entry.initiativeId), now: now() } },
        context,
      };
    },
  });

  writeRoute(app, deps, {
    method: 'POST',
    url: '/initiatives/:id/risks',
    operationId: 'raiseRisk',
    summary: 'Raise a risk: category, likelihood, impact, owner, mitigation',
    tags,
    roles: RUNS_INITIATIVE,
    params: idParams,
    initiativeOf: (params) => params.id,
    body: raiseRiskBody,
    handle: async ({ params, body }, { context, facts }) => {
      const riskId = newResourceId(context);
      return {
        ...risk(riskId),
        resourceId: riskId,
        command: { type: 'RaiseRisk', riskId, initiativeId: params.id, ...body, context: { actor: context.actor, initiative: await facts(params.id) } },
        context,
        location: `/risks/${riskId}`,
      };
    },
  });

  writeRoute(app, deps, {
    method: 'POST',
    url: '/risks/:id/reviews',
    operationId: 'reviewRisk',
    summary: 'Review a risk: likelihood and impact as they now stand, owner or mitigation if changed',
    tags,
    roles: RUNS_INITIATIVE,
    params: idParams,
    body: reviewRiskBody,
    handle: async ({ params, body }, { context, facts, resource }) => {
      const entry = resource('risk', params.id);
      return {
        ...risk(entry.id),
        resourceId: entry.id,
        command: { type: 'ReviewRisk', riskId: entry.id, ...body, context: { actor: context.actor, initiative: await facts(entry.initiativeId) } },
        context,
      };
    },
  });

  writeRoute(app, deps, {
    method: 'POST',
    url: '/risks/:id/closure',
    operationId: 'closeRisk',
    summary: 'Close a risk with its resolution and a reason',
    tags,
    roles: RUNS_INITIATIVE,
    params: idParams,
    body: closeRiskBody,
    handle: async ({ params, body }, { context, facts, resource }) => {
      const entry = resource('risk', params.id);
      return {
        ...risk(entry.id),
        resourceId: entry.id,
        command: { type: 'CloseRisk', riskId: entry.id, ...body, context: { actor: context.actor, initiative: await facts(entry.initiativeId) } },
        context,
      };
    },
  });
};

import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { newResourceId } from '../../commands/derived-ids.js';
import { commitmentDecider, commitmentStream } from '../../domain/commitment/decider.js';
import { contributionDecider, contributionStream } from '../../domain/contribution/decider.js';
import { reasonSchema } from '../../events/common.js';
import { commitmentMadeSchema, commitmentRevisedSchema, contributionRecordedSchema } from '../../events/resources.js';
import { idParams, writeRoute, type WriteDeps } from './command-route.js';
import { eventRules, idInStream, placeholderIds } from './measurement.js';

/**
 * Resources (design §1, §7): a partner's commitments (pledges toward a goal or strategy) and contributions — the
 * resources delivered, against a commitment (in the commitment's stream, so currency and kind are checked there)
 * or unplanned (a stream of its own). Bodies reuse the events' field schemas and cross-field rules.
 */

/** Partners act for their own partner only (the deciders refuse a partner key acting for another). */
const PLEDGES = ['admin', 'backbone', 'partner'] as const;
const tags = ['resources'];

const { commitmentId: _c, initiativeId: _i, ...commitmentFields } = commitmentMadeSchema.shape;
const makeCommitmentBody = z
  .strictObject(commitmentFields)
  .superRefine(eventRules(commitmentMadeSchema, () => placeholderIds('commitmentId', 'initiativeId')))
  .meta({ id: 'MakeCommitment' });

const { commitmentId: _rc, ...revisionFields } = commitmentRevisedSchema.shape;
const reviseCommitmentBody = z
  .strictObject(revisionFields)
  .superRefine(eventRules(commitmentRevisedSchema, () => placeholderIds('commitmentId')))
  .meta({ id: 'ReviseCommitment' });

const { contributionId: _k, initiativeId: _ki, partnerId, commitmentId: _kc, ...deliveryFields } = contributionRecordedSchema.shape;
const recordContributionBody = z
  .strictObject(deliveryFields)
  .superRefine(eventRules(contributionRecordedSchema, () => placeholderIds('contributionId', 'initiativeId', 'partnerId')))
  .meta({ id: 'RecordContribution' });

const recordUnplannedContributionBody = z
  .strictObject({ partnerId, ...deliveryFields })
  .superRefine(eventRules(contributionRecordedSchema, () => placeholderIds('contributionId', 'initiativeId')))
  .meta({ id: 'RecordUnplannedContribution' });

const reasonBody = (id: string) => z.strictObject({ reason: reasonSchema }).meta({ id });

export const resourceRoutes = (deps: WriteDeps) => async (app: FastifyInstance) => {
  const commitment = (id: string) => ({ decider: commitmentDecider, stream: commitmentStream(id) });

  writeRoute(app, deps, {
    method: 'POST',
    url: '/initiatives/:id/commitments',
    operationId: 'makeCommitment',
    summary: 'A partner pledges resources (funding, staff time, in kind, data, other) toward a goal or strategy',
    tags,
    roles: PLEDGES,
    params: idParams,
    initiativeOf: (params) => params.id,
    body: makeCommitmentBody,
    handle: async ({ params, body }, { context, facts }) => {
      const commitmentId = newResourceId(context);
      return {
        ...commitment(commitmentId),
        resourceId: commitmentId,
        command: { type: 'MakeCommitment', commitmentId, initiativeId: params.id, ...body, context: { actor: context.actor, initiative: await facts(params.id) } },
        context,
        location: `/commitments/${commitmentId}`,
      };
    },
  });

  writeRoute(app, deps, {
    method: 'POST',
    url: '/commitments/:id/revisions',
    operationId: 'reviseCommitment',
    summary: 'Revise a commitment (the changed fields and a reason)',
    tags,
    roles: PLEDGES,
    params: idParams,
    body: reviseCommitmentBody,
    handle: async ({ params, body }, { context, facts, resource }) => {
      const entry = resource('commitment', params.id);
      return {
        ...commitment(entry.id),
        resourceId: entry.id,
        command: { type: 'ReviseCommitment', commitmentId: entry.id, ...body, context: { actor: context.actor, initiative: await facts(entry.initiativeId) } },
        context,
      };
    },
  });

  writeRoute(app, deps, {
    method: 'POST',
    url: '/commitments/:id/withdrawal',
    operationId: 'withdrawCommitment',
    summary: 'Withdraw a commitment, with a reason (it takes no more contributions)',
    tags,
    roles: PLEDGES,
    params: idParams,
    body: reasonBody('WithdrawCommitment'),
    handle: async ({ params, body }, { context, facts, resource }) => {
      const entry = resource('commitment', params.id);
      return {
        ...commitment(entry.id),
        resourceId: entry.id,
        command: { type: 'WithdrawCommitment', commitmentId: entry.id, reason: body.reason, context: { actor: context.actor, initiative: await facts(entry.initiativeId) } },
        context,
      };
    },
  });

  writeRoute(app, deps, {
    method: 'POST',
    url: '/commitments/:id/contributions',
    operationId: 'recordContribution',
    summary: 'Record resources delivered against a commitment (in its kind and currency), with optional evidence',
    tags,
    roles: PLEDGES,
    params: idParams,
    body: recordContributionBody,
    handle: async ({ params, body }, { context, facts, resource }) => {
      const entry = resource('commitment', params.id);
      const contributionId = newResourceId(context);
      return {
        ...commitment(entry.id),
        resourceId: contributionId,
        command: {
          type: 'RecordContribution',
          commitmentId: entry.id,
          contributionId,
          ...body,
          context: { actor: context.actor, initiative: await facts(entry.initiativeId) },
        },
        context,
        location: `/contributions/${contributionId}`,
      };
    },
  });

  writeRoute(app, deps, {
    method: 'POST',
    url: '/initiatives/:id/contributions',
    operationId: 'recordUnplannedContribution',
    summary: 'Record resources a partner delivered without a commitment',
    tags,
    roles: PLEDGES,
    params: idParams,
    initiativeOf: (params) => params.id,
    body: recordUnplannedContributionBody,
    handle: async ({ params, body }, { context, facts }) => {
      const contributionId = newResourceId(context);
      return {
        decider: contributionDecider,
        stream: contributionStream(contributionId),
        resourceId: contributionId,
        command: {
          type: 'RecordUnplannedContribution',
          contributionId,
          initiativeId: params.id,
          ...body,
          context: { actor: context.actor, initiative: await facts(params.id) },
        },
        context,
        location: `/contributions/${contributionId}`,
      };
    },
  });

  writeRoute(app, deps, {
    method: 'POST',
    url: '/contributions/:id/reversal',
    operationId: 'reverseContribution',
    summary: 'Reverse a contribution, with a reason (it stays in history, it no longer counts)',
    tags,
    roles: PLEDGES,
    params: idParams,
    body: reasonBody('ReverseContribution'),
    handle: async ({ params, body }, { context, facts, resource }) => {
      const entry = resource('contribution', params.id);
      const commandContext = { actor: context.actor, initiative: await facts(entry.initiativeId) };
      // Against a commitment it lives in the commitment's stream; unplanned, in its own.
      if (entry.stream.startsWith('commitment-')) {
        const commitmentId = idInStream(entry, 'commitment-');
        return {
          ...commitment(commitmentId),
          resourceId: entry.id,
          command: { type: 'ReverseContribution', commitmentId, contributionId: entry.id, reason: body.reason, context: commandContext },
          context,
        };
      }
      return {
        decider: contributionDecider,
        stream: contributionStream(idInStream(entry, 'contribution-')),
        resourceId: entry.id,
        command: { type: 'ReverseUnplannedContribution', contributionId: entry.id, reason: body.reason, context: commandContext },
        context,
      };
    },
  });
};

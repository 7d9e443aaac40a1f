import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { newResourceId } from '../../commands/derived-ids.js';
import { initiativeDecider, initiativeStream } from '../../domain/initiative/decider.js';
import { descriptionSchema, idSchema, reasonSchema, titleSchema } from '../../events/common.js';
import {
  activityLoggedSchema,
  goalAdoptedSchema,
  initiativeLaunchedSchema,
  lessonRecordedSchema,
  partnerJoinedSchema,
  responsibilityAssignedSchema,
  strategyAdoptedSchema,
} from '../../events/initiative.js';
import { idParams, writeRoute, type WriteDeps } from './command-route.js';

/**
 * Writes on the initiative aggregate: launching, partners, the common agenda (goals, strategies, RACI) and the
 * backbone's log of activities and lessons. Request bodies reuse the events' own field schemas.
 */
const RUNS_INITIATIVE = ['admin', 'backbone'] as const;
const tags = ['initiatives'];
const byInitiative = (params: { id: string }) => params.id;

const goalRevisionBody = z
  .strictObject({ title: titleSchema.optional(), description: descriptionSchema.optional(), reason: reasonSchema })
  .refine((b) => b.title !== undefined || b.description !== undefined, { path: ['title'], message: 'a revision changes the title or the description' });

export const initiativeRoutes = (deps: WriteDeps) => async (app: FastifyInstance) => {
  const initiative = (id: string) => ({ decider: initiativeDecider, stream: initiativeStream(id) });

  writeRoute(app, deps, {
    method: 'POST',
    url: '/initiatives',
    operationId: 'launchInitiative',
    summary: 'Launch a collective-impact initiative',
    tags,
    roles: ['admin'],
    params: z.strictObject({}),
    body: initiativeLaunchedSchema.omit({ initiativeId: true }).meta({ id: 'LaunchInitiative' }),
    handle: async ({ body }, { context }) => {
      const initiativeId = newResourceId(context);
      return {
        ...initiative(initiativeId),
        resourceId: initiativeId,
        command: { type: 'LaunchInitiative', initiativeId, ...body },
        context,
        location: `/initiatives/${initiativeId}`,
      };
    },
  });

  writeRoute(app, deps, {
    method: 'POST',
    url: '/initiatives/:id/partners',
    operationId: 'addPartner',
    summary: 'A partner organization joins the initiative',
    tags,
    roles: RUNS_INITIATIVE,
    params: idParams,
    initiativeOf: byInitiative,
    body: partnerJoinedSchema.omit({ initiativeId: true, partnerId: true }).extend({ isBackbone: z.boolean().optional() }).meta({ id: 'AddPartner' }),
    handle: async ({ params, body }, { context }) => {
      const partnerId = newResourceId(context);
      return {
        ...initiative(params.id),
        resourceId: partnerId,
        command: { type: 'AddPartner', initiativeId: params.id, partnerId, ...body },
        context,
        location: `/partners/${partnerId}`,
      };
    },
  });

  writeRoute(app, deps, {
    method: 'POST',
    url: '/initiatives/:id/partners/:pid/departure',
    operationId: 'recordPartnerDeparture',
    summary: 'A partner leaves: its history stays, it can do nothing new',
    tags,
    roles: RUNS_INITIATIVE,
    params: z.strictObject({ id: idSchema, pid: idSchema }),
    initiativeOf: byInitiative,
    body: z.strictObject({ reason: reasonSchema }),
    handle: async ({ params, body }, { context }) => ({
      ...initiative(params.id),
      resourceId: params.pid,
      command: { type: 'RecordPartnerDeparture', initiativeId: params.id, partnerId: params.pid, reason: body.reason },
      context,
    }),
  });

  writeRoute(app, deps, {
    method: 'POST',
    url: '/initiatives/:id/goals',
    operationId: 'adoptGoal',
    summary: 'Adopt a goal of the common agenda',
    tags,
    roles: RUNS_INITIATIVE,
    params: idParams,
    initiativeOf: byInitiative,
    body: goalAdoptedSchema.omit({ initiativeId: true, goalId: true }).meta({ id: 'AdoptGoal' }),
    handle: async ({ params, body }, { context }) => {
      const goalId = newResourceId(context);
      return { ...initiative(params.id), resourceId: goalId, command: { type: 'AdoptGoal', initiativeId: params.id, goalId, ...body }, context, location: `/goals/${goalId}` };
    },
  });

  writeRoute(app, deps, {
    method: 'POST',
    url: '/goals/:id/revisions',
    operationId: 'reviseGoal',
    summary: 'Revise a goal (title or description) with a reason',
    tags,
    roles: RUNS_INITIATIVE,
    params: idParams,
    body: goalRevisionBody,
    handle: async ({ params, body }, { context, resource }) => {
      const goal = resource('goal', params.id);
      return { ...initiative(goal.initiativeId), resourceId: goal.id, command: { type: 'ReviseGoal', initiativeId: goal.initiativeId, goalId: goal.id, ...body }, context };
    },
  });

  writeRoute(app, deps, {
    method: 'POST',
    url: '/initiatives/:id/strategies',
    operationId: 'adoptStrategy',
    summary: 'Adopt a strategy (mutually reinforcing activity) under a goal',
    tags,
    roles: RUNS_INITIATIVE,
    params: idParams,
    initiativeOf: byInitiative,
    body: strategyAdoptedSchema.omit({ initiativeId: true, strategyId: true }).meta({ id: 'AdoptStrategy' }),
    handle: async ({ params, body }, { context }) => {
      const strategyId = newResourceId(context);
      return {
        ...initiative(params.id),
        resourceId: strategyId,
        command: { type: 'AdoptStrategy', initiativeId: params.id, strategyId, ...body },
        context,
        location: `/strategies/${strategyId}`,
      };
    },
  });

  writeRoute(app, deps, {
    method: 'POST',
    url: '/initiatives/:id/raci',
    operationId: 'assignResponsibility',
    summary: 'Set a partner\'s RACI role for a strategy',
    tags,
    roles: RUNS_INITIATIVE,
    params: idParams,
    initiativeOf: byInitiative,
    body: responsibilityAssignedSchema.omit({ initiativeId: true }).meta({ id: 'AssignResponsibility' }),
    handle: async ({ params, body }, { context }) => ({
      ...initiative(params.id),
      resourceId: body.strategyId,
      command: { type: 'AssignResponsibility', initiativeId: params.id, ...body },
      context,
    }),
  });

  writeRoute(app, deps, {
    method: 'POST',
    url: '/initiatives/:id/activities',
    operationId: 'logActivity',
    summary: 'Log an activity (meeting, outreach, training, event) under a strategy',
    tags,
    roles: RUNS_INITIATIVE,
    params: idParams,
    initiativeOf: byInitiative,
    body: activityLoggedSchema.omit({ initiativeId: true, activityId: true }).meta({ id: 'LogActivity' }),
    handle: async ({ params, body }, { context }) => {
      const activityId = newResourceId(context);
      return {
        ...initiative(params.id),
        resourceId: activityId,
        command: { type: 'LogActivity', initiativeId: params.id, activityId, ...body },
        context,
        location: `/activities/${activityId}`,
      };
    },
  });

  writeRoute(app, deps, {
    method: 'POST',
    url: '/initiatives/:id/lessons',
    operationId: 'recordLesson',
    summary: 'Record a lesson learned (success or failure)',
    tags,
    roles: RUNS_INITIATIVE,
    params: idParams,
    initiativeOf: byInitiative,
    body: lessonRecordedSchema.omit({ initiativeId: true, lessonId: true }).meta({ id: 'RecordLesson' }),
    handle: async ({ params, body }, { context }) => {
      const lessonId = newResourceId(context);
      return {
        ...initiative(params.id),
        resourceId: lessonId,
        command: { type: 'RecordLesson', initiativeId: params.id, lessonId, ...body },
        context,
        location: `/lessons/${lessonId}`,
      };
    },
  });
};

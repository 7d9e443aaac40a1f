import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CommandHandler } from '../../commands/command-handler.js';
import { newResourceId } from '../../commands/derived-ids.js';
import { initiativeDecider, initiativeStream } from '../../domain/initiative/decider.js';
import { initiativeLaunchedSchema } from '../../events/initiative.js';
import { problemSchema } from '../problem.js';
import { receiptSchema, sendReceipt } from '../schemas/receipt.js';
import { commandContext } from './command-context.js';

/** The request body reuses the event's own field schemas: one definition of "a valid name". */
const launchInitiativeBody = initiativeLaunchedSchema.omit({ initiativeId: true }).meta({ id: 'LaunchInitiative' });

export const initiativeRoutes =
  (deps: { commands: CommandHandler }): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/initiatives',
      {
        schema: {
          operationId: 'launchInitiative',
          tags: ['initiatives'],
          summary: 'Launch a collective-impact initiative',
          security: [{ bearer: [] }],
          body: launchInitiativeBody,
          response: { 201: receiptSchema, 400: problemSchema, 401: problemSchema, 403: problemSchema, 409: problemSchema },
        },
        // onRequest: an unauthenticated caller learns nothing, not even whether its body was valid.
        onRequest: app.authorize(['admin']),
      },
      async (request, reply) => {
        const context = commandContext(request);
        const initiativeId = newResourceId(context);
        const receipt = await deps.commands({
          decider: initiativeDecider,
          stream: initiativeStream(initiativeId),
          resourceId: initiativeId,
          command: { type: 'LaunchInitiative', initiativeId, ...request.body },
          context,
        });
        return sendReceipt(reply, receipt, `/initiatives/${receipt.id}`);
      },
    );
  };

import { fastifySSE } from '@fastify/sse';
import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ValidationError } from '../../errors.js';
import type { Actor } from '../../events/envelope.js';
import { canonicalFilterName, CHECKPOINT_TYPE, EVERY_TYPE, selectedBy } from '../../feeds/feed-item.js';
import type { FeedReader } from '../../feeds/feed-reader.js';
import type { LiveHub } from '../../feeds/live-hub.js';
import { sseComment, sseResumePoint } from '../../feeds/sse-frame.js';
import { pumpStream } from '../../feeds/sse-pump.js';
import { readsEveryInitiative, requireInitiative } from '../auth/authenticate.js';
import { problemSchema } from '../problem.js';

export interface FeedRouteDeps {
  liveHub: LiveHub;
  feedReader: Pick<FeedReader, 'after'>;
  sse: {
    /** A `: heartbeat` comment every this many milliseconds. */
    heartbeatMs: number;
    /** Unsent bytes a client may queue before the stream waits for it… */
    maxBufferBytes: number;
    /** …and how long it waits before dropping the client. */
    slowClientMs: number;
  };
}

/** Viewers read the views; the feed is event-level detail (design §7), so it is not theirs. */
const FEED_ROLES = ['admin', 'backbone', 'partner', 'auditor'] as const;
/** A resume point, `after=` or `Last-Event-ID`: a seq, or -1 for the start of the log. */
const RESUME_SEQ = /^(-1|\d{1,15})$/;
const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema };

/**
 * `ReadingRecorded,VoteCast,checkpoint` → event types and whether checkpoints are wanted; `*` is every event type.
 * Each may also be named by the CloudEvents `type` the items carry (`org.impact-ledger.reading.recorded`,
 * `org.impact-ledger.checkpoint.signed`); unknown names are a 400. Omitted: every event type and checkpoints.
 */
const parseTypes = (types: string | undefined): { types?: ReadonlySet<string>; checkpoints: boolean } => {
  if (types === undefined) return { checkpoints: true };
  const names = types.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => canonicalFilterName(name) === undefined);
  if (unknown.length > 0) {
    throw new ValidationError('invalid querystring', [
      {
        path: 'querystring.types',
        message: `unknown feed type ${unknown.map((n) => JSON.stringify(n)).join(', ')}: use event types of the catalog (ReadingRecorded, …) or their CloudEvents types (org.impact-ledger.reading.recorded, …), "${EVERY_TYPE}" for every event type, or "${CHECKPOINT_TYPE}"`,
      },
    ]);
  }
  const { types: selected, checkpoints } = selectedBy(names.map((name) => canonicalFilterName(name)!));
  return { ...(selected ? { types: selected } : {}), checkpoints };
};

/**
 * The initiatives a key may stream: admins and deployment-wide auditors every one (or the one they filter on);
 * backbone, partner and scoped auditor keys their own, and asking for another is a 403.
 */
const scopeOf = (actor: Actor, initiative: string | undefined): Set<string> | undefined => {
  if (readsEveryInitiative(actor)) return initiative ? new Set([initiative]) : undefined;
  requireInitiative(actor, initiative ?? actor.initiativeId);
  return new Set([actor.initiativeId!]);
};


/**
 * `GET /feeds/events`: the live feed as Server-Sent Events (design §8). Each message is one feed item: `id:` its
 * seq, `data:` its CloudEvent (one line of JSON); checkpoints come as `event: checkpoint` without an `id:`. Resumes
 * after `Last-Event-ID` (or `?after=`) with no gap and no duplicate, from the store when the live ring no longer
 * holds the point. Streams are ended when the app closes, so shutdown never waits on a client.
 */
export const feedRoutes =
  (deps: FeedRouteDeps): FastifyPluginAsyncZod =>
  async (app) => {
    await app.register(fastifySSE, { heartbeatInterval: deps.sse.heartbeatMs });
    const open = new Set<ServerResponse>();
    app.addHook('preClose', async () => {
      for (const out of open) out.end();
    });

    app.get(
      '/feeds/events',
      {
        sse: { kind: 'manual' },
        schema: {
          operationId: 'streamFeedEvents',
          tags: ['feeds'],
          summary: 'Live feed of events (and signed checkpoints) as Server-Sent Events, CloudEvents 1.0 JSON in each message, resumable',
          description:
            'Each message: `id: <seq>` and `data: <CloudEvent JSON>` (one line; the CloudEvent `type` says what happened). Signed checkpoints of the ' +
            'transparency log come as `event: checkpoint` messages without `id:`, live only. `: heartbeat` comments keep idle connections open. ' +
            'Resume with `Last-Event-ID` (as EventSource does) or `?after=`; without either the stream starts at the current head. ' +
            'A client that does not read fast enough is disconnected and resumes with `Last-Event-ID`.',
          security: [{ bearer: [] }],
          headers: z.looseObject({
            'last-event-id': z
              .string()
              .regex(RESUME_SEQ, 'must be a seq number (0 or more), or -1 for the start of the log')
              .optional()
              .describe('the seq of the last message received (or of the resume point the stream opened with); takes precedence over `after`'),
          }),
          querystring: z.strictObject({
            after: z
              .string()
              .regex(RESUME_SEQ, 'must be a seq number (0 or more), or -1 for the start of the log')
              .optional()
              .describe('stream the events after this seq (-1: from the start of the log); default: only events from now on'),
            initiative: z.uuid().optional().describe('only this initiative (keys scoped to an initiative: their own, the default)'),
            types: z
              .string()
              .max(4_000)
              .optional()
              .describe(`comma-separated event types of the catalog (\`ReadingRecorded,VoteCast\`) or their CloudEvents types (\`org.impact-ledger.reading.recorded\`), \`${EVERY_TYPE}\` for every event type, and/or \`${CHECKPOINT_TYPE}\`; default: every type and checkpoints`),
          }),
          response: {
            200: { description: 'a stream of Server-Sent Events', content: { 'text/event-stream': { schema: z.string().describe('SSE messages (WHATWG HTML §9.2)') } } },
            ...errors,
          },
        },
        onRequest: app.authorize(FEED_ROLES),
      },
      async (request, reply) => {
        const { after, initiative } = request.query;
        const lastEventId = request.headers['last-event-id'];
        const { types, checkpoints } = parseTypes(request.query.types);
        const initiatives = scopeOf(request.actor!, initiative);
        const resumeAfter = lastEventId !== undefined ? Number(lastEventId) : after !== undefined ? Number(after) : deps.liveHub.head();

        const out = reply.raw;
        reply.sse.sendHeaders(200);
        // The resume point as an id-only message: an EventSource sets its Last-Event-ID from it without firing an event
        // (WHATWG HTML §9.2.6, "dispatch the event"), so a client that reconnects before any event reached it, from a
        // quiet or filtered stream, resumes here instead of at the head of the moment, missing what came meanwhile.
        out.write(Buffer.concat([sseComment(`stream after seq ${resumeAfter}`), sseResumePoint(resumeAfter)]));
        open.add(out);
        try {
          await pumpStream({
            hub: deps.liveHub,
            reader: deps.feedReader,
            out,
            after: resumeAfter,
            filter: { ...(initiatives ? { initiatives } : {}), ...(types ? { types } : {}), checkpoints },
            maxBufferBytes: deps.sse.maxBufferBytes,
            slowClientMs: deps.sse.slowClientMs,
            onSlowClient: (details) => request.log.info(details, 'SSE client too slow: dropped (it may resume with Last-Event-ID)'),
          });
        } catch (error) {
          request.log.error({ err: error }, 'SSE stream failed');
        } finally {
          open.delete(out);
          if (!out.writableEnded && !out.destroyed) out.end();
        }
      },
    );
  };

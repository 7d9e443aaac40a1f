import { randomUUID } from 'node:crypto';
import type { Decider, PendingEvent } from '../domain/decider.js';
import { ConcurrencyConflictError, ProblemError } from '../errors.js';
import { catalog, validateEventData } from '../events/catalog.js';
import type { Actor } from '../events/envelope.js';
import type { Follower } from '../follower/follower.js';
import type { EventStore, NewEvent } from '../store/event-store.js';
import type { Receipt } from './receipt.js';

/** 412: the client's `If-Match` revision is not the aggregate's current one. */
export class PreconditionFailedError extends ProblemError {
  constructor(stream: string, expected: number, actual: number | null) {
    super({
      status: 412,
      type: 'precondition-failed',
      title: 'Precondition failed',
      detail: `${stream} is at revision ${actual ?? 'none'}, If-Match named ${expected}`,
      extensions: { currentRevision: actual },
    });
  }
}

export interface CommandContext {
  actor: Actor;
  correlationId: string;
  /** The business time the client gave, if any. */
  occurredAt?: string;
  /** `If-Match`: the revision the client last saw; a stale one is a 412, not a silent retry. */
  ifMatch?: number;
}

export interface CommandHandlerDeps {
  store: Pick<EventStore, 'append' | 'readStream'>;
  follower: Pick<Follower, 'waitFor'>;
  applyTimeoutMs: number;
  now?: () => Date;
}

/** Retries after a concurrent writer won the race: the decision is re-made on the new state. */
const MAX_ATTEMPTS = 5;

/**
 * The write path shared by every route: load the aggregate, decide, validate what was decided against
 * the catalog, append with the revision the decision was made on, then wait (bounded) for the local
 * follower so the receipt carries `seq` and the caller can read its own write.
 */
export const createCommandHandler = (deps: CommandHandlerDeps) => {
  const now = deps.now ?? (() => new Date());

  const toNewEvents = (decided: PendingEvent[], context: CommandContext): NewEvent[] => {
    const recordedAt = now().toISOString();
    let causationId = context.correlationId;
    return decided.map((event) => {
      const id = randomUUID();
      const newEvent: NewEvent = {
        id,
        type: event.type,
        // A decider bug must never reach the immutable log: data is checked against the catalog.
        data: validateEventData(event.type, event.data),
        metadata: {
          actor: context.actor,
          recordedAt,
          ...(context.occurredAt ? { occurredAt: context.occurredAt } : {}),
          correlationId: context.correlationId,
          causationId,
          schemaVersion: catalog[event.type].schemaVersion,
        },
      };
      causationId = id;
      return newEvent;
    });
  };

  return async <State, Command>(input: {
    decider: Decider<State, Command>;
    stream: string;
    command: Command;
    /** The id of the resource the command creates or changes, for the receipt. */
    resourceId: string;
    context: CommandContext;
  }): Promise<Receipt> => {
    const { decider, stream, context } = input;
    for (let attempt = 1; ; attempt++) {
      const history = await deps.store.readStream(stream);
      const state = history.reduce(
        (s, e) => decider.evolve(s, { type: e.type, data: e.data } as PendingEvent),
        decider.initialState(),
      );
      const current = history.length > 0 ? history[history.length - 1]!.revision : null;
      if (context.ifMatch !== undefined && context.ifMatch !== current) {
        throw new PreconditionFailedError(stream, context.ifMatch, current);
      }
      const events = toNewEvents(decider.decide(input.command, state), context);
      try {
        const result = await deps.store.append(stream, events, { expectedRevision: current ?? 'no_stream' });
        const last = result.events[result.events.length - 1]!;
        const seq = await deps.follower.waitFor(last.id, deps.applyTimeoutMs);
        return { id: input.resourceId, eventId: last.id, stream, revision: last.revision, seq: seq ?? null };
      } catch (error) {
        if (!(error instanceof ConcurrencyConflictError)) throw error;
        if (context.ifMatch !== undefined) throw new PreconditionFailedError(stream, context.ifMatch, error.actual);
        if (attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  };
};
export type CommandHandler = ReturnType<typeof createCommandHandler>;

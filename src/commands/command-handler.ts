import { randomUUID } from 'node:crypto';
import type { Decider, PendingEvent } from '../domain/decider.js';
import { ConcurrencyConflictError, ProblemError } from '../errors.js';
import { catalog, validateEventData } from '../events/catalog.js';
import type { Actor } from '../events/envelope.js';
import type { Follower } from '../follower/follower.js';
import type { EventStore, NewEvent } from '../store/event-store.js';
import { derivedUuid } from './derived-ids.js';
import { createKeyedQueue } from './keyed-queue.js';
import type { Receipt } from './receipt.js';
import { createStateCache } from './state-cache.js';

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
  /** `Idempotency-Key`: a retry replays the first receipt and records nothing new. */
  idempotencyKey?: string;
}

export interface CommandHandlerDeps {
  store: Pick<EventStore, 'append' | 'readStream'>;
  follower: Pick<Follower, 'waitFor'>;
  /** Receipts of earlier writes by (acting key id, idempotency key), from the directory read model. */
  receipts?: { receipt(actorKeyId: string, idempotencyKey: string): Omit<Receipt, 'replayed'> | undefined };
  applyTimeoutMs: number;
  now?: () => Date;
}

/** Retries after a writer in another process won the race: the decision is re-made on the new state. */
const MAX_ATTEMPTS = 5;

/**
 * The write path shared by every route: (replay an idempotent retry) → queue behind other writes to the same
 * stream → the aggregate's state (cached, else read and folded) → decide → validate what was decided against
 * the catalog → append at the revision the decision was made on → wait, bounded, for the local follower so
 * the receipt carries `seq` and the caller can read its own write.
 */
export const createCommandHandler = (deps: CommandHandlerDeps) => {
  const now = deps.now ?? (() => new Date());
  const perStream = createKeyedQueue();
  const perIdempotencyKey = createKeyedQueue();
  const cache = createStateCache();

  const load = async <S>(decider: Decider<S, never>, stream: string): Promise<{ state: S; revision: number | null }> => {
    const cached = cache.get<S>(stream);
    if (cached) return cached;
    const history = await deps.store.readStream(stream);
    const state = history.reduce((s, e) => decider.evolve(s, { type: e.type, data: e.data } as PendingEvent), decider.initialState());
    const loaded = { state, revision: history.length > 0 ? history[history.length - 1]!.revision : null };
    cache.set(stream, loaded.state, loaded.revision);
    return loaded;
  };

  const toNewEvents = (decided: PendingEvent[], context: CommandContext): NewEvent[] => {
    const recordedAt = now().toISOString();
    let causationId = context.correlationId;
    return decided.map((event, i) => {
      const id = context.idempotencyKey ? derivedUuid('event', context.actor.keyId, context.idempotencyKey, String(i)) : randomUUID();
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
          ...(context.idempotencyKey ? { idempotencyKey: context.idempotencyKey } : {}),
        },
      };
      causationId = id;
      return newEvent;
    });
  };

  const execute = async <State, Command>(input: CommandInput<State, Command>): Promise<Receipt> => {
    const { decider, stream, context } = input;
    for (let attempt = 1; ; attempt++) {
      const { state, revision } = await load(decider as Decider<State, never>, stream);
      if (context.ifMatch !== undefined && context.ifMatch !== revision) throw new PreconditionFailedError(stream, context.ifMatch, revision);
      const decided = decider.decide(input.command, state);
      const events = toNewEvents(decided, context);
      try {
        const result = await deps.store.append(stream, events, { expectedRevision: revision ?? 'no_stream' });
        if (result.events[0]!.revision === (revision ?? -1) + 1) {
          cache.set(stream, decided.reduce(decider.evolve, state), result.nextRevision);
        } else {
          cache.delete(stream); // the store answered an earlier append of these ids: our fold would be wrong
        }
        const last = result.events[result.events.length - 1]!;
        const seq = await deps.follower.waitFor(last.id, deps.applyTimeoutMs);
        return { id: input.resourceId, eventId: last.id, stream, revision: last.revision, seq: seq ?? null };
      } catch (error) {
        cache.delete(stream);
        if (!(error instanceof ConcurrencyConflictError)) throw error;
        if (context.ifMatch !== undefined) throw new PreconditionFailedError(stream, context.ifMatch, error.actual);
        if (attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  };

  const handle = async <State, Command>(input: CommandInput<State, Command>): Promise<Receipt> => {
    const { actor, idempotencyKey } = input.context;
    if (!idempotencyKey) return perStream(input.stream, () => execute(input));
    // Same key, same actor: one at a time, and a retry answers with the first write's receipt.
    return perIdempotencyKey(`${actor.keyId}\u0000${idempotencyKey}`, async () => {
      const earlier = deps.receipts?.receipt(actor.keyId, idempotencyKey);
      if (earlier) return { ...earlier, replayed: true };
      return perStream(input.stream, () => execute(input));
    });
  };

  return Object.assign(handle, {
    /** The current state of an aggregate (cached), for context a command needs from another stream. */
    state: <S>(decider: Decider<S, never>, stream: string) => perStream(stream, () => load(decider, stream)),
  });
};

export interface CommandInput<State, Command> {
  decider: Decider<State, Command>;
  stream: string;
  command: Command;
  /** The id of the resource the command creates or changes, for the receipt. */
  resourceId: string;
  context: CommandContext;
}

export type CommandHandler = ReturnType<typeof createCommandHandler>;

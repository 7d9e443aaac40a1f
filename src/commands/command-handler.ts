import type { Decider, PendingEvent } from '../domain/decider.js';
import { ConcurrencyConflictError, ProblemError } from '../errors.js';
import { catalog, validateEventData } from '../events/catalog.js';
import type { Actor } from '../events/envelope.js';
import type { Follower } from '../follower/follower.js';
import type { EventStore, NewEvent, RecordedEvent } from '../store/event-store.js';
import { derivedUuid, timeOrderedUuid } from './derived-ids.js';
import { createKeyedQueue } from './keyed-queue.js';
import type { Receipt } from './receipt.js';
import { createStateCache, type StateCache } from './state-cache.js';

/** 412: the client's `If-Match` revision is not the aggregate's current one. */
export class PreconditionFailedError extends ProblemError {
  constructor(stream: string, expected: number | '*', actual: number | null) {
    super({
      status: 412,
      type: 'precondition-failed',
      title: 'Precondition failed',
      detail: expected === '*' ? `${stream} does not exist yet (If-Match: *)` : `${stream} is at revision ${actual ?? 'none'}, If-Match named ${expected}`,
      extensions: { currentRevision: actual },
    });
  }
}

export interface CommandContext {
  actor: Actor;
  correlationId: string;
  /** The business time the client gave, if any. */
  occurredAt?: string;
  /** `If-Match`: the revision the client last saw (a stale one is a 412, not a silent retry), or `*`: the aggregate exists. */
  ifMatch?: number | '*';
  /** `Idempotency-Key`: a retry replays the first receipt and records nothing new. */
  idempotencyKey?: string;
}

export interface CommandHandlerDeps {
  store: Pick<EventStore, 'append' | 'readStream'>;
  follower: Pick<Follower, 'waitFor' | 'seqIndex'>;
  /** Receipts of earlier writes by (acting key id, idempotency key), from the directory read model. */
  receipts?: { receipt(actorKeyId: string, idempotencyKey: string): Omit<Receipt, 'replayed'> | undefined };
  applyTimeoutMs: number;
  now?: () => Date;
  /** The aggregate states kept between writes; the service hands its `consumer` to the follower. */
  states?: StateCache;
}

/** 422: an `Idempotency-Key` this key already used for another request. */
export const idempotencyKeyReused = (detail = 'this Idempotency-Key was used for another request'): ProblemError =>
  new ProblemError({ status: 422, type: 'idempotency-key-reused', title: 'Idempotency-Key reused', detail });

/** Retries after a writer in another process won the race: the decision is re-made on the new state. */
const MAX_ATTEMPTS = 5;
/** Commands decided together and appended as one append (one stream, one revision check). */
const MAX_BATCH = 256;

interface Job {
  input: CommandInput<unknown, unknown>;
  resolve: (receipt: Receipt) => void;
  reject: (error: unknown) => void;
}

/**
 * The write path shared by every route: (replay an idempotent retry) → wait for the stream's turn → the
 * aggregate's state (cached, else read and folded) → decide → validate what was decided against the catalog →
 * append at the revision the decision was made on → wait, bounded, for the local follower so the receipt
 * carries `seq` and the caller can read its own write.
 *
 * Writes to one stream take turns in-process (they queue instead of failing each other's revision check). The
 * commands that arrived while a turn was running are decided together in the next one, each on the state the
 * ones before it left, and appended as one append: a hot stream commits many writes per turn instead of one.
 * The wait for the follower is outside the turn.
 */
export const createCommandHandler = (deps: CommandHandlerDeps) => {
  const now = deps.now ?? (() => new Date());
  const perStream = createKeyedQueue();
  const perIdempotencyKey = createKeyedQueue();
  const cache = deps.states ?? createStateCache();
  /** Writes waiting for their stream's next turn. */
  const waiting = new Map<string, Job[]>();

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
      const id = context.idempotencyKey ? derivedUuid('event', context.actor.keyId, context.idempotencyKey, String(i)) : timeOrderedUuid();
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

  /** Settles a write once the follower has applied its last event (or the bounded wait ended). */
  const settle = (job: Job, stream: string, appended: ReadonlyArray<{ id: string; revision: number }>): void => {
    const last = appended[appended.length - 1]!;
    const events = appended.map(({ id, revision }) => ({ id, revision }));
    void deps.follower.waitFor(last.id, deps.applyTimeoutMs).then(
      (seq) => job.resolve({ id: job.input.resourceId, eventId: last.id, stream, revision: last.revision, seq: seq ?? null, events }),
      job.reject,
    );
  };

  /**
   * One turn of a stream: decide the commands in arrival order, each on the state the previous ones left, and
   * append all their events at the revision the first was decided on. A command a rule refuses (or whose
   * If-Match is stale) fails alone; the others go on. A conflict with a writer in another process re-decides
   * the batch on the new state; any other store error is retried command by command, so one command's events
   * (an id stored before, say) never fail the others.
   */
  const runBatch = async (stream: string, jobs: Job[]): Promise<void> => {
    let pending = jobs;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const { decider } = pending[0]!.input;
      const { state, revision } = await load(decider as Decider<unknown, never>, stream);
      let current = state;
      let currentRevision = revision;
      const accepted: Array<{ job: Job; events: NewEvent[] }> = [];
      for (const job of pending) {
        const { context, command } = job.input;
        try {
          if (job.input.decider !== decider) throw new Error(`stream ${stream} is written through two deciders`);
          if (context.ifMatch === '*' ? currentRevision === null : context.ifMatch !== undefined && context.ifMatch !== currentRevision) {
            throw new PreconditionFailedError(stream, context.ifMatch!, currentRevision);
          }
          const decided = decider.decide(command, current);
          const events = toNewEvents(decided, context);
          current = decided.reduce(decider.evolve, current);
          currentRevision = (currentRevision ?? -1) + events.length;
          accepted.push({ job, events });
        } catch (error) {
          job.reject(error);
        }
      }
      if (accepted.length === 0) return;
      try {
        const result = await deps.store.append(stream, accepted.flatMap((a) => a.events), { expectedRevision: revision ?? 'no_stream' });
        if (result.events[0]!.revision === (revision ?? -1) + 1) {
          cache.set(stream, current, result.nextRevision);
        } else {
          cache.delete(stream); // the store answered an earlier append of these ids: our fold would be wrong
        }
        let end = 0;
        for (const { job, events } of accepted) {
          settle(job, stream, result.events.slice(end, end + events.length));
          end += events.length;
        }
        return;
      } catch (error) {
        cache.delete(stream);
        if (!(error instanceof ConcurrencyConflictError)) {
          if (accepted.length === 1) accepted[0]!.job.reject(error);
          else for (const { job } of accepted) await runBatch(stream, [job]);
          return;
        }
        pending = [];
        for (const { job } of accepted) {
          const { ifMatch } = job.input.context;
          // Another writer got there first: a named revision is stale now; `*` (it exists) still holds, so decide again.
          if (ifMatch !== undefined && ifMatch !== '*') job.reject(new PreconditionFailedError(stream, ifMatch, error.actual));
          else if (attempt >= MAX_ATTEMPTS) job.reject(error);
          else pending.push(job);
        }
      }
    }
  };

  /** Joins the stream's next turn; the first write to arrive schedules it. */
  const execute = <State, Command>(input: CommandInput<State, Command>): Promise<Receipt> =>
    new Promise<Receipt>((resolve, reject) => {
      const job: Job = { input: input as CommandInput<unknown, unknown>, resolve, reject };
      const next = waiting.get(input.stream);
      if (next) {
        next.push(job);
        return;
      }
      const jobs = [job];
      waiting.set(input.stream, jobs);
      void perStream(input.stream, async () => {
        waiting.delete(input.stream); // from now on, arrivals wait for the turn after this one
        for (let i = 0; i < jobs.length; i += MAX_BATCH) {
          const batch = jobs.slice(i, i + MAX_BATCH);
          await runBatch(input.stream, batch).catch((error: unknown) => {
            for (const j of batch) j.reject(error); // no-op for those already settled
          });
        }
      });
    });

  /**
   * The receipt of an earlier write of this key found in the command's own stream: its events have ids derived from
   * the key (0, 1, …, in order), so they are recognised there even before the directory has applied them.
   */
  const storedReceipt = async (input: CommandInput<unknown, unknown>, idempotencyKey: string): Promise<Receipt | undefined> => {
    const { keyId } = input.context.actor;
    const byId = new Map((await deps.store.readStream(input.stream)).map((event) => [event.id, event]));
    let last: RecordedEvent | undefined;
    for (let i = 0; ; i++) {
      const event = byId.get(derivedUuid('event', keyId, idempotencyKey, String(i)));
      if (!event) break;
      last = event;
    }
    if (!last) return undefined;
    // Numbered long ago (the seq index finds it by its recorded time), or still to be applied here (wait, bounded).
    const numbered = deps.follower.seqIndex.recordedAt(last.metadata.recordedAt).get(last.id);
    const seq = numbered ?? (await deps.follower.waitFor(last.id, deps.applyTimeoutMs)) ?? null;
    return { id: input.resourceId, eventId: last.id, stream: input.stream, revision: last.revision, seq, replayed: true };
  };

  const handle = async <State, Command>(input: CommandInput<State, Command>): Promise<Receipt> => {
    const { actor, idempotencyKey } = input.context;
    if (!idempotencyKey) return execute(input);
    // Same key, same actor: one at a time, and a retry answers with the first write's receipt.
    return perIdempotencyKey(`${actor.keyId}\u0000${idempotencyKey}`, async () => {
      const earlier = deps.receipts?.receipt(actor.keyId, idempotencyKey);
      if (earlier) {
        // A retry builds the same command: its resource id is derived from the key, or named by the URL. A receipt
        // for another stream or resource answers another request, which must not pass for this one's success (nor
        // hand out what is derived from that resource's id, such as a webhook subscription's secret).
        if (earlier.stream !== input.stream || earlier.id !== input.resourceId) throw idempotencyKeyReused();
        return { ...earlier, replayed: true };
      }
      try {
        return await execute(input);
      } catch (error) {
        // The directory may not have applied the first write yet (a local state being rebuilt, another instance's
        // write, a retry after the bounded wait ran out): the retry is then decided again and refused as a duplicate
        // of itself. Its first write, found in the stream, is the answer.
        if (!(error instanceof ProblemError) || error.status !== 409) throw error;
        const replay = await storedReceipt(input as CommandInput<unknown, unknown>, idempotencyKey);
        if (!replay) throw error;
        return replay;
      }
    });
  };

  return Object.assign(handle, {
    /**
     * The state of an aggregate as of its last acknowledged write, for context a command needs from another stream.
     * A cached state is answered at once, even while a turn of that stream runs: what that turn decides is not
     * acknowledged yet, so a command judged on the state before it is judged as its client would expect. Only a load
     * takes the stream's turn, so it never races a write's update of the cache.
     */
    state: <S>(decider: Decider<S, never>, stream: string): Promise<{ state: S; revision: number | null }> => {
      const cached = cache.get<S>(stream);
      return cached ? Promise.resolve(cached) : perStream(stream, () => load(decider, stream));
    },
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

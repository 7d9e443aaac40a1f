import type Database from 'better-sqlite3';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { EventStore, Position, RecordedEvent } from '../store/event-store.js';
import type { Consumer, SequencedEvent } from './consumer.js';
import { createSeqIndex, type SeqEntry } from './local-state.js';

export interface FollowerLogger {
  info(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface FollowerOptions {
  store: EventStore;
  /** The local SQLite file (see local-state.ts); the follower keeps its checkpoint there. */
  localDb: Database.Database;
  consumers?: Consumer[];
  logger?: FollowerLogger;
  batchSize?: number;
}

/** The local state file does not describe this store (it was made from another one). */
export class FollowerMismatchError extends Error {
  override readonly name = 'FollowerMismatchError';
}

/**
 * The one follower per process (design §4). It reads the store's global order once, numbers events
 * with the dense `seq` (0, 1, 2, …), records seq → position in its local file (its checkpoint), and
 * hands each batch to every consumer in order. Consumers that are behind on start (a fresh
 * projection, a rebuilt log) are fed the missing range first by the same loop.
 */
export const createFollower = (options: FollowerOptions) => {
  const { store, logger } = options;
  const batchSize = options.batchSize ?? 1000;
  const index = createSeqIndex(options.localDb);
  const consumers = options.consumers ?? [];
  const applied = new Map<Consumer, number>();
  const waiters = new Map<string, Array<(seq: number) => void>>();
  /**
   * Seq of the most recently applied events by id, oldest evicted first: a writer asks right after its
   * append returned, so its event is either still to come or among the last few applied.
   */
  const recent = new Map<string, number>();
  // A ring of the ids in `recent`, for O(1) eviction (Map iteration over deleted entries is not O(1)).
  const recentRing: Array<string | undefined> = new Array<string | undefined>(100_000);
  let head: SeqEntry | undefined = index.last();
  let controller: AbortController | undefined;
  let running: Promise<void> | undefined;

  /** The local file must describe this store: the event at the checkpoint must be the one it names. */
  const verifyHead = async (): Promise<void> => {
    if (!head) return;
    const before = head.seq > 0 ? index.get(head.seq - 1)?.position : undefined;
    const [atHead] = await store.readAll({ after: before, maxCount: 1 });
    if (atHead?.id !== head.eventId) {
      throw new FollowerMismatchError(
        `the follower checkpoint (seq ${head.seq}, event ${head.eventId}) does not match the store; ` +
          'delete the local state file to rebuild it from the store',
      );
    }
  };

  const record = (events: readonly SequencedEvent[]): void => {
    const fresh = events.filter((e) => head === undefined || e.seq > head.seq);
    if (fresh.length === 0) return;
    const entries = fresh.map((e) => ({ seq: e.seq, position: e.position, eventId: e.id, recordedAt: e.metadata.recordedAt }));
    index.append(entries);
    head = entries[entries.length - 1];
  };

  const deliver = async (events: readonly SequencedEvent[]): Promise<void> => {
    for (const consumer of consumers) {
      const done = applied.get(consumer)!;
      const pending = done >= events[0]!.seq ? events.filter((e) => e.seq > done) : events;
      if (pending.length === 0) continue;
      await consumer.apply(pending);
      applied.set(consumer, pending[pending.length - 1]!.seq);
    }
    for (const event of events) {
      const slot = event.seq % recentRing.length;
      const evicted = recentRing[slot];
      if (evicted !== undefined) recent.delete(evicted);
      recentRing[slot] = event.id;
      recent.set(event.id, event.seq);
      const waiting = waiters.get(event.id);
      if (waiting) {
        waiters.delete(event.id);
        for (const resolve of waiting) resolve(event.seq);
      }
    }
  };

  /** Where the loop starts: just after the least advanced of the checkpoint and every consumer. */
  const startingPoint = (): { seq: number; position: Position | undefined } => {
    const lowest = Math.min(head?.seq ?? -1, ...applied.values());
    if (lowest < 0) return { seq: -1, position: undefined };
    const entry = index.get(lowest);
    if (!entry) throw new FollowerMismatchError(`the follower has no position for seq ${lowest}`);
    return { seq: lowest, position: entry.position };
  };

  const follow = async (signal: AbortSignal): Promise<void> => {
    let { seq, position } = startingPoint();
    const canonicalText = consumers.some((consumer) => consumer.readsCanonicalText === true);
    for await (const batch of store.follow({ after: position, signal, batchSize, canonicalText })) {
      // The store hands out fresh objects; numbering them in place saves a copy per event on the hot path.
      const sequenced = batch as SequencedEvent[];
      batch.forEach((event: RecordedEvent, i) => ((event as SequencedEvent).seq = seq + 1 + i));
      record(sequenced);
      await deliver(sequenced);
      seq += batch.length;
      // The next batch is read in a later turn of the event loop. Consumers may finish a batch on promises alone (the
      // transparency log's, on replies of its hashing thread that are already queued): without this turn a catch-up
      // runs batch after batch inside one callback, and requests, timers and startup wait for all of it.
      await nextTurn();
    }
  };

  /** Each consumer's own word on what it has durably applied: after a failure, it may be behind what it was handed. */
  const reloadApplied = async (): Promise<void> => {
    for (const consumer of consumers) if (consumer.resumeAfter) applied.set(consumer, await consumer.resumeAfter());
  };

  const run = async (signal: AbortSignal): Promise<void> => {
    let backoffMs = 250;
    for (let attempt = 0; !signal.aborted; attempt++) {
      try {
        if (attempt > 0) await reloadApplied();
        await follow(signal);
        return;
      } catch (error) {
        if (signal.aborted) return;
        logger?.error({ err: error, seq: head?.seq }, 'follower failed; resuming from its checkpoint');
        await sleep(backoffMs, undefined, { signal }).catch(() => undefined);
        backoffMs = Math.min(backoffMs * 2, 10_000);
      }
    }
  };

  return {
    async start(): Promise<void> {
      if (running) return;
      await verifyHead();
      for (const consumer of consumers) {
        applied.set(consumer, consumer.resumeAfter ? await consumer.resumeAfter() : (head?.seq ?? -1));
      }
      const behind = consumers.filter((c) => applied.get(c)! < (head?.seq ?? -1)).map((c) => c.name);
      logger?.info({ seq: head?.seq ?? -1, replaying: behind }, 'follower starting');
      controller = new AbortController();
      running = run(controller.signal);
    },

    /** Stops after the batch in hand has been applied and every consumer settled; the checkpoint is already saved. */
    async stop(): Promise<void> {
      controller?.abort();
      await running;
      running = undefined;
      for (const consumer of consumers) await consumer.settled?.().catch(() => undefined); // a failure is replayed on the next start
    },

    /** The highest seq assigned so far (-1 before the first event). */
    head: (): number => head?.seq ?? -1,

    /**
     * Resolves with the event's seq once every consumer has applied it, or `undefined` after
     * `timeoutMs` (the write is durable either way; only the read-your-writes wait ended).
     */
    waitFor(eventId: string, timeoutMs: number): Promise<number | undefined> {
      const known = recent.get(eventId);
      if (known !== undefined) return Promise.resolve(known);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          const list = waiters.get(eventId)?.filter((r) => r !== done);
          if (list && list.length > 0) waiters.set(eventId, list);
          else waiters.delete(eventId);
          resolve(undefined);
        }, timeoutMs);
        const done = (seq: number) => {
          clearTimeout(timer);
          resolve(seq);
        };
        waiters.set(eventId, [...(waiters.get(eventId) ?? []), done]);
      });
    },

    /** The seq index, for readers that translate between seq, position and time. */
    seqIndex: index,
  };
};
export type Follower = ReturnType<typeof createFollower>;

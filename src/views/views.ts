import type Database from 'better-sqlite3';
import type { ProjectedEvent, Projection } from '../../projections/projection.js';
import type { Consumer, SequencedEvent } from '../follower/consumer.js';
import type { SeqIndex } from '../follower/local-state.js';
import type { EventStore } from '../store/event-store.js';
import { createSnapshotStore } from './snapshot-store.js';

export interface ViewsLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface ViewsOptions {
  db: Database.Database;
  store: Pick<EventStore, 'readAll' | 'readStream'>;
  seqIndex: Pick<SeqIndex, 'get' | 'recordedAt'>;
  projections: readonly Projection<unknown>[];
  /** A snapshot of every projection is saved each time this many events have been applied. */
  snapshotEvery: number;
  logger?: ViewsLogger;
}

const toProjected = (event: SequencedEvent): ProjectedEvent => ({
  seq: event.seq,
  id: event.id,
  type: event.type,
  stream: event.stream,
  data: event.data,
  metadata: event.metadata,
});

/**
 * At most this many snapshots may be waiting for their deflate: a replay that makes them faster than the thread
 * pool compresses them waits, so the serialized states held in memory stay bounded (two sets of six).
 */
const MAX_PENDING_SNAPSHOTS = 12;

/**
 * Runs the pure projections of `projections/` as one follower consumer: live states in memory, snapshots
 * every `snapshotEvery` events in the local file, and `stateAt(seq)` = the nearest snapshot at or before
 * `seq` plus a bounded replay from the store. A projection whose `version` changed has no usable snapshot,
 * so it starts from `init()` and the follower replays the whole log to it (a rebuild, with progress logged).
 */
export const createViews = (options: ViewsOptions) => {
  const { projections, snapshotEvery, logger } = options;
  const snapshots = createSnapshotStore(options.db, {
    onUnreadable: (problem) => logger?.warn(problem, 'projection snapshot unreadable: dropped, the one before it is used (a longer replay)'),
  });
  const live = new Map<string, { projection: Projection<unknown>; state: unknown; seq: number }>();
  for (const projection of projections) {
    snapshots.dropOtherVersions(projection.name, projection.version);
    const latest = snapshots.load<unknown>(projection.name, projection.version, Number.MAX_SAFE_INTEGER);
    live.set(projection.name, { projection, state: latest?.state ?? projection.init(), seq: latest?.seq ?? -1 });
    if (!latest) logger?.info({ projection: projection.name, version: projection.version }, 'projection has no snapshot at this version: rebuilding from the log');
  }
  let applied = Math.min(...[...live.values()].map((entry) => entry.seq));
  let lastProgressLog = Date.now();

  const entries = [...live.values()];
  /** Snapshots of every projection at `seq`, serialized now, large ones deflated off the event loop. */
  const saveSnapshots = (seq: number) => {
    for (const entry of entries) if (entry.seq === seq) snapshots.saveInBackground(entry.projection.name, entry.projection.version, seq, entry.state);
  };

  /** Applies `events` from index `from`; waits (returns a promise) only while too many snapshots are still being deflated. */
  const applyFrom = (events: readonly SequencedEvent[], from: number): void | Promise<void> => {
    for (let i = from; i < events.length; i++) {
      const event = events[i]!;
      const projected = toProjected(event);
      for (const entry of entries) {
        if (event.seq <= entry.seq) continue;
        entry.state = entry.projection.apply(entry.state, projected);
        entry.seq = event.seq;
      }
      if ((event.seq + 1) % snapshotEvery === 0) {
        saveSnapshots(event.seq);
        if (snapshots.pendingWrites() > MAX_PENDING_SNAPSHOTS) return drained().then(() => applyFrom(events, i + 1));
      }
    }
    applied = events[events.length - 1]!.seq;
    if (logger && Date.now() - lastProgressLog > 5_000) {
      lastProgressLog = Date.now();
      logger.info({ seq: applied }, 'projections applied up to seq');
    }
  };
  const drained = async (): Promise<void> => {
    while (snapshots.pendingWrites() > MAX_PENDING_SNAPSHOTS) await snapshots.oldestWritten();
  };

  const consumer: Consumer = {
    name: 'views',
    resumeAfter: () => Math.min(...entries.map((entry) => entry.seq)),
    apply: (events) => applyFrom(events, 0),
  };

  const projectionNamed = (name: string) => {
    const entry = live.get(name);
    if (!entry) throw new Error(`no projection named ${name}`);
    return entry;
  };

  /**
   * Events (after, upTo] from the store, in seq order, a page at a time, without the canonical text only the
   * transparency log reads, and without their metadata unless `metadata` (see `Projection.readsMetadata`).
   */
  async function* pagesBetween(after: number, upTo: number, metadata: boolean): AsyncGenerator<ProjectedEvent[]> {
    let seq = after + 1;
    let position = after >= 0 ? options.seqIndex.get(after)?.position : undefined;
    if (after >= 0 && position === undefined) throw new Error(`no position recorded for seq ${after}`);
    while (seq <= upTo) {
      const page = await options.store.readAll({ after: position, maxCount: Math.min(1000, upTo - seq + 1), canonicalText: false, metadata });
      if (page.length === 0) throw new Error(`the store has no event for seq ${seq}`);
      yield page.map((event) => ({ seq: seq++, id: event.id, type: event.type, stream: event.stream, data: event.data, metadata: event.metadata }));
      position = page[page.length - 1]!.position;
    }
  }

  /**
   * A lookup of events' seqs through the seq index by their recorded time (undefined when not numbered yet), keeping
   * the index's answer for the last time asked: a stream's events come in time order.
   */
  const seqLookup = () => {
    let time: string | undefined;
    let seqs = new Map<string, number>();
    return (event: { id: string; metadata: { recordedAt: string } }): number | undefined => {
      if (event.metadata.recordedAt !== time) {
        time = event.metadata.recordedAt;
        seqs = options.seqIndex.recordedAt(time);
      }
      return seqs.get(event.id);
    };
  };

  /**
   * One stream's events with seq ≤ `upTo`, in order, each with its seq (found through the seq index by its
   * recorded time). Stops at the first event beyond `upTo` or not yet numbered: a stream's events are numbered
   * in stream order, so what comes before is exactly the stream as of `upTo`. Reads page by page — or, given
   * `revisions` (ascending), only the events at those revisions, one read each.
   */
  async function* streamAsOf(stream: string, upTo: number, revisions?: readonly number[], pageSize = 1000): AsyncGenerator<ProjectedEvent> {
    const seqOf = seqLookup();
    if (revisions) {
      for (const revision of revisions) {
        const [event] = await options.store.readStream(stream, { fromRevision: revision, maxCount: 1 });
        const seq = event?.revision === revision ? seqOf(event) : undefined;
        if (event === undefined || seq === undefined || seq > upTo) return;
        yield toProjected({ ...event, seq });
      }
      return;
    }
    for (let fromRevision = 0; ; ) {
      const page = await options.store.readStream(stream, { fromRevision, maxCount: pageSize });
      for (const event of page) {
        const seq = seqOf(event);
        if (seq === undefined || seq > upTo) return;
        yield toProjected({ ...event, seq });
      }
      if (page.length < pageSize) return;
      fromRevision = page[page.length - 1]!.revision + 1;
    }
  }

  return {
    consumer,
    streamAsOf,
    /** The highest seq every projection has applied. */
    head: () => Math.min(...entries.map((entry) => entry.seq)),
    /** Saves a snapshot at the current point (on graceful shutdown, so a restart replays nothing). */
    snapshotNow: () => {
      const seq = Math.min(...entries.map((entry) => entry.seq));
      if (seq >= 0) for (const entry of entries) if (entry.seq === seq) snapshots.save(entry.projection.name, entry.projection.version, seq, entry.state);
      snapshots.flush();
    },
    /**
     * Runs `read` on one projection's state as of `seq` (default: now). The live state is read synchronously,
     * before the follower can move it on; a past point is a snapshot plus a replay of at most `snapshotEvery`
     * events. `read` must not modify the state it is given.
     */
    async query<S, R>(name: string, seq: number | undefined, read: (state: S, seq: number) => R): Promise<R> {
      const entry = projectionNamed(name);
      if (seq === undefined || seq === entry.seq) return read(entry.state as S, entry.seq);
      if (seq > entry.seq) throw new RangeError(`${name} has applied up to seq ${entry.seq}, not ${seq}`);
      const { projection } = entry;
      const snapshot = snapshots.load<unknown>(projection.name, projection.version, seq);
      let state = snapshot?.state ?? projection.init();
      // Applied page by page: the events of a page die young (holding all of a long replay at once costs more collection).
      const pages = pagesBetween(snapshot?.seq ?? -1, seq, projection.readsMetadata !== false);
      for await (const page of pages) for (const event of page) state = projection.apply(state, event);
      return read(state as S, seq);
    },
  };
};
export type Views = ReturnType<typeof createViews>;

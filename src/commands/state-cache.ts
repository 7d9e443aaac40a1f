import type { Consumer } from '../follower/consumer.js';

/**
 * Aggregate states by stream, as of a revision, so a write does not re-read and re-fold its stream each
 * time. Updated with the events this process appends; a conflict (another process wrote) drops the entry
 * and the next write reloads. Bounded: cleared when full (cheaper than LRU bookkeeping on the hot path).
 * Its `consumer` drops the entries other processes' writes moved past (see below).
 */
export const createStateCache = (maxStreams = 20_000) => {
  const entries = new Map<string, { state: unknown; revision: number | null }>();
  return {
    get: <S>(stream: string) => entries.get(stream) as { state: S; revision: number | null } | undefined,
    set: (stream: string, state: unknown, revision: number | null) => {
      if (entries.size >= maxStreams && !entries.has(stream)) entries.clear();
      entries.set(stream, { state, revision });
    },
    delete: (stream: string) => void entries.delete(stream),
    /**
     * A follower consumer (live only: a restart starts with an empty cache) that drops a stream's state when an event
     * of that stream is newer than it: another instance wrote there. Without it a state read for another stream's
     * command (an initiative's partners, for a reading) stayed as this process last saw it — a partner that left on
     * one instance could still report on another. This process's own events find the state already at their revision.
     */
    consumer: {
      name: 'command-states',
      apply: (events) => {
        for (const event of events) {
          const cached = entries.get(event.stream);
          if (cached !== undefined && (cached.revision ?? -1) < event.revision) entries.delete(event.stream);
        }
      },
    } satisfies Consumer,
  };
};
export type StateCache = ReturnType<typeof createStateCache>;

/**
 * Aggregate states by stream, as of a revision, so a write does not re-read and re-fold its stream each
 * time. Updated with the events this process appends; a conflict (another process wrote) drops the entry
 * and the next write reloads. Bounded: cleared when full (cheaper than LRU bookkeeping on the hot path).
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
  };
};

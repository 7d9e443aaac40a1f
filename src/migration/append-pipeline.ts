import type { EventStore, ExpectedRevision, NewEvent } from '../store/event-store.js';

/** Consecutive events of one stream, appended together. */
export interface AppendGroup {
  stream: string;
  events: NewEvent[];
  expectedRevision: ExpectedRevision;
  firstSeq: number;
  firstLine: number;
  bytes: number;
}

export interface PipelineOutcome {
  /** Events acknowledged before the first failure: seq 0…committed−1, in order. */
  committed: number;
  /** Events acknowledged after the first failure (appends to other streams already in flight). */
  stray: number;
  failure?: { group: AppendGroup; error: unknown };
}

export interface PipelineOptions {
  /** Groups are submitted `burstEvents` at a time, synchronously, so that one group commit takes them all (0: at once). */
  burstEvents: number;
  /** At most this many events submitted and not yet acknowledged (0: one append at a time). */
  windowEvents: number;
  onCommitted?: (committed: number) => void;
}

/**
 * Appends groups in the order they are added. With a window, appends are submitted without awaiting each one:
 * only for a store that commits submitted appends in submission order (the sqlite adapter's group commit), as
 * the store's global order must be the order of the groups. Every outcome is collected (none goes unhandled);
 * after the first failure nothing more is submitted.
 */
export const createAppendPipeline = (store: Pick<EventStore, 'append'>, options: PipelineOptions) => {
  let burst: AppendGroup[] = [];
  let burstEvents = 0;
  const inFlight: Array<{ group: AppendGroup; outcome: Promise<unknown> } | undefined> = [];
  let head = 0;
  let inFlightEvents = 0;
  const result: PipelineOutcome = { committed: 0, stray: 0 };

  const settleOldest = async (): Promise<void> => {
    const oldest = inFlight[head]!;
    inFlight[head] = undefined;
    head += 1;
    if (head === inFlight.length) {
      inFlight.length = 0;
      head = 0;
    }
    inFlightEvents -= oldest.group.events.length;
    const error = await oldest.outcome;
    if (error !== undefined) result.failure ??= { group: oldest.group, error };
    else if (result.failure === undefined) result.committed += oldest.group.events.length;
    else result.stray += oldest.group.events.length;
    options.onCommitted?.(result.committed);
  };

  const submitBurst = (): void => {
    for (const group of burst) {
      const outcome = store.append(group.stream, group.events, { expectedRevision: group.expectedRevision }).then(
        () => undefined,
        (error: unknown) => error ?? new Error('append failed'),
      );
      inFlight.push({ group, outcome });
      inFlightEvents += group.events.length;
    }
    burst = [];
    burstEvents = 0;
  };

  return {
    get failed(): boolean {
      return result.failure !== undefined;
    },
    async add(group: AppendGroup): Promise<void> {
      if (result.failure) return;
      burst.push(group);
      burstEvents += group.events.length;
      if (burstEvents < options.burstEvents) return;
      submitBurst();
      while (head < inFlight.length && inFlightEvents > options.windowEvents) await settleOldest();
    },
    /** Submits what is left (unless an append failed) and waits for every outcome. */
    async finish(): Promise<PipelineOutcome> {
      if (!result.failure) submitBurst();
      while (head < inFlight.length) await settleOldest();
      return result;
    },
  };
};

/**
 * A read model (design §5): pure and deterministic — no clock, no randomness, no I/O. The runner in src/
 * feeds it every event in `seq` order, snapshots its state and answers `asOf` queries by replay.
 *
 * State is JSON (plain objects, arrays, strings, finite numbers, booleans, null) so that its RFC 8785
 * canonical form, and so its digest, is the same in every process that replays the same events.
 * `apply` may update the state in place and must return it; it sees only the event.
 */
export interface ProjectedEvent {
  seq: number;
  id: string;
  type: string;
  stream: string;
  data: unknown;
  metadata: {
    recordedAt: string;
    occurredAt?: string;
    actor: { keyId: string; role: string; partnerId?: string; initiativeId?: string };
  };
}

export interface Projection<State> {
  readonly name: string;
  /** Bumped whenever `apply` or the state's shape changes: the runner then rebuilds from seq 0. */
  readonly version: number;
  /**
   * False for a projection whose `apply` never reads `event.metadata`: an `asOf` replay of it then leaves the
   * metadata unread (parsing it is a quarter of reading an event); reading it anyway throws there. Default true.
   */
  readonly readsMetadata?: boolean;
  init(): State;
  apply(state: State, event: ProjectedEvent): State;
  /** The initiatives the state holds views of, for per-initiative digests. */
  initiatives(state: State): string[];
  /** The part of the state that is one initiative's view (its digest is over this). */
  viewOf(state: State, initiativeId: string): unknown;
}

export const defineProjection = <State>(projection: Projection<State>): Projection<State> => projection;

/**
 * Every projection here keeps one view per initiative under `views`: this gives it `initiatives` and `viewOf`
 * (what per-initiative digests are computed over) without each one writing them again.
 */
export const viewsByInitiative = {
  initiatives: (state: { views: Record<string, unknown> }): string[] => Object.keys(state.views),
  viewOf: (state: { views: Record<string, unknown> }, initiativeId: string): unknown => state.views[initiativeId],
};

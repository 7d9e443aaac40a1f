import { ProblemError } from '../errors.js';
import type { EventType, EventData } from '../events/catalog.js';

/** What a decider emits: an event of the catalog without its envelope (the command handler adds it). */
export type PendingEvent = { [T in EventType]: { type: T; data: EventData<T> } }[EventType];

/**
 * Emmett-style decider: pure functions, no I/O. `decide` returns the events a command causes or throws
 * a `RuleViolationError`; `evolve` folds one stored event into the aggregate's state.
 */
export interface Decider<State, Command, Event extends { type: string; data: unknown } = PendingEvent> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

/** 409: the command is well-formed but a business rule forbids it now. */
export class RuleViolationError extends ProblemError {
  constructor(detail: string, extensions?: Record<string, unknown>) {
    super({ status: 409, type: 'rule-violation', title: 'Business rule violated', detail, extensions });
  }
}

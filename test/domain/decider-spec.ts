import assert from 'node:assert/strict';
import type { Decider, PendingEvent } from '../../src/domain/decider.js';
import { validateEventData } from '../../src/events/catalog.js';

/**
 * Given/when/then for pure deciders, in the manner of Emmett's DeciderSpecification:
 *
 *   spec(decider).given([events]).when(command).then([expected])
 *   spec(decider).given([events]).when(command).thenThrows(RuleViolationError, /already/)
 *
 * Like the command handler, it folds the given events with `evolve`, calls `decide` and validates every emitted
 * event's data against the catalog (so a decider bug the handler would reject fails here too). Given events are
 * validated as well, and state, events and command are frozen, so a decider that mutates its inputs fails.
 * Assertions throw (node:assert): wrap each case in a tap subtest.
 */

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

const deepFreeze = <T>(value: T): T => {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  if (value instanceof Map) {
    for (const [k, v] of value) {
      deepFreeze(k);
      deepFreeze(v);
    }
  } else if (value instanceof Set) {
    for (const v of value) deepFreeze(v);
  } else {
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
};

const validated = (events: readonly PendingEvent[]): void => {
  for (const event of events) validateEventData(event.type, event.data);
};

export const spec = <State, Command>(decider: Decider<State, Command>) => ({
  given: (events: readonly PendingEvent[]) => {
    validated(events);
    const state = events.reduce(
      (current, event) => decider.evolve(deepFreeze(current), deepFreeze(event)),
      decider.initialState(),
    );
    return {
      when: (command: Command) => {
        /** What the command handler would append: decided, then validated against the catalog. */
        const run = (): PendingEvent[] => {
          const decided = decider.decide(deepFreeze(command), deepFreeze(state));
          validated(decided);
          return decided;
        };
        return {
          then: (expected: readonly PendingEvent[]): PendingEvent[] => {
            const decided = run();
            assert.deepStrictEqual(decided, expected);
            return decided;
          },
          /** Expects `errorClass` (and a message matching `message`, if given); returns the error to inspect. */
          thenThrows: <E extends Error>(errorClass: ErrorClass<E>, message?: string | RegExp): E => {
            let decided: PendingEvent[];
            try {
              decided = run();
            } catch (error) {
              if (!(error instanceof errorClass)) {
                const got = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
                assert.fail(`expected ${errorClass.name}, got ${got}`);
              }
              if (typeof message === 'string') {
                assert.ok(error.message.includes(message), `"${error.message}" should include "${message}"`);
              } else if (message !== undefined) {
                assert.match(error.message, message);
              }
              return error;
            }
            assert.fail(`expected ${errorClass.name}, but the decider emitted ${JSON.stringify(decided)}`);
          },
        };
      },
    };
  },
});

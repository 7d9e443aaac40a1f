import t from 'tap';
import type { Decider, PendingEvent } from '../../src/domain/decider.js';
import { RuleViolationError } from '../../src/domain/decider.js';
import { ValidationError } from '../../src/errors.js';
import { spec } from './decider-spec.js';
import { ids, samples } from './fixtures.js';

/** A toy decider to prove the helper fails when it must. */
type Toy = { type: 'Emit'; events: PendingEvent[] } | { type: 'Fail' } | { type: 'Mutate' };
const toy: Decider<{ seen: number }, Toy> = {
  initialState: () => ({ seen: 0 }),
  evolve: (state) => ({ seen: state.seen + 1 }),
  decide: (command, state) => {
    if (command.type === 'Fail') throw new RuleViolationError(`no, after ${state.seen}`);
    if (command.type === 'Mutate') {
      (state as { seen: number }).seen += 1;
      return [];
    }
    return command.events;
  },
};
const launched: PendingEvent = { type: 'InitiativeLaunched', data: samples.InitiativeLaunched };
const given = spec(toy).given;

t.test('then passes on equal events and fails on different ones', async (t) => {
  t.doesNotThrow(() => given([]).when({ type: 'Emit', events: [launched] }).then([launched]));
  t.throws(() => given([]).when({ type: 'Emit', events: [launched] }).then([]));
});

t.test('an optional field present as undefined is not the same event', async (t) => {
  const withUndefined = { type: 'InitiativeLaunched', data: { ...samples.InitiativeLaunched, geography: undefined } } as PendingEvent;
  const { geography: _g, ...without } = samples.InitiativeLaunched;
  t.throws(() => given([]).when({ type: 'Emit', events: [withUndefined] }).then([{ type: 'InitiativeLaunched', data: without }]));
});

t.test('emitted events are validated against the catalog', async (t) => {
  const invalid = { type: 'InitiativeLaunched', data: { initiativeId: ids.initiative, name: '' } } as PendingEvent;
  t.throws(() => given([]).when({ type: 'Emit', events: [invalid] }).then([invalid]), ValidationError);
  t.doesNotThrow(() => given([]).when({ type: 'Emit', events: [invalid] }).thenThrows(ValidationError));
});

t.test('given events are validated too', async (t) => {
  t.throws(() => given([{ type: 'PartnerLeft', data: { ...samples.PartnerLeft, reason: '' } }]), ValidationError);
});

t.test('thenThrows checks the class and the message, and returns the error', async (t) => {
  const error = given([launched]).when({ type: 'Fail' }).thenThrows(RuleViolationError, 'after 1');
  t.equal(error.status, 409);
  t.throws(() => given([]).when({ type: 'Fail' }).thenThrows(ValidationError));
  t.throws(() => given([]).when({ type: 'Fail' }).thenThrows(RuleViolationError, /never/));
  t.throws(() => given([]).when({ type: 'Emit', events: [] }).thenThrows(RuleViolationError));
});

t.test('a decider that mutates its state fails', async (t) => {
  t.throws(() => given([]).when({ type: 'Mutate' }).then([]), TypeError);
});

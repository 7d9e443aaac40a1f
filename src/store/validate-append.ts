import { ValidationError, type FieldError } from '../errors.js';
import type { ExpectedRevision, NewEvent } from './event-store.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/; // lowercase, as ids are compared byte for byte
const STREAM = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$/;
const TYPE = /^[A-Za-z][A-Za-z0-9_.-]{0,99}$/;

/** Checks every adapter applies before it writes: the interface's contract, not business rules. */
export const validateAppend = (stream: string, events: readonly NewEvent[], expected: ExpectedRevision): void => {
  const errors: FieldError[] = [];
  if (!STREAM.test(stream)) errors.push({ path: 'stream', message: 'must be 1-200 characters of [A-Za-z0-9_.:-]' });
  if (events.length === 0) errors.push({ path: 'events', message: 'an append needs at least one event' });
  if (typeof expected === 'number' && !(Number.isSafeInteger(expected) && expected >= 0)) {
    errors.push({ path: 'expectedRevision', message: 'must be a non-negative integer' });
  }
  const seen = new Set<string>();
  events.forEach((event, i) => {
    if (!UUID.test(event.id)) errors.push({ path: `events.${i}.id`, message: 'must be a lowercase UUID' });
    else if (seen.has(event.id)) errors.push({ path: `events.${i}.id`, message: 'appears twice in the batch' });
    seen.add(event.id);
    if (!TYPE.test(event.type)) errors.push({ path: `events.${i}.type`, message: 'must be an event type name' });
  });
  if (errors.length > 0) throw new ValidationError('invalid append', errors);
};

import t from 'tap';
import { z } from 'zod';
import { derivedUuid, newResourceId, timeOrderedUuid } from '../../src/commands/derived-ids.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

t.test('new ids are UUIDv7: the time in ms first, then random bits', async (t) => {
  const now = Date.UTC(2026, 10, 23, 12, 0, 0, 123);
  const id = timeOrderedUuid(now);
  t.match(id, UUID, 'a lowercase UUID, as the store requires');
  t.equal(id[14], '7', 'version 7');
  t.ok('89ab'.includes(id[19]!), 'RFC 9562 variant');
  t.equal(parseInt(id.slice(0, 8) + id.slice(9, 13), 16), now, 'the first 48 bits are the Unix time in ms');
  t.ok(z.uuid().safeParse(id).success, 'a valid UUID for the request schemas');

  const ids = Array.from({ length: 10_000 }, () => timeOrderedUuid());
  t.equal(new Set(ids).size, ids.length, 'no two alike');
  const later = timeOrderedUuid(Date.now() + 1);
  t.ok(ids.every((earlier) => earlier < later), 'an id of a later millisecond sorts after every earlier one');
});

t.test('resource ids: derived from the idempotency key when there is one, time-ordered otherwise', async (t) => {
  const actor = { keyId: 'key-1' };
  t.equal(newResourceId({ actor, idempotencyKey: 'k' }), derivedUuid('resource', 'key-1', 'k', 'resource'), 'a retry names the same resource');
  t.equal(newResourceId({ actor })[14], '7');
});

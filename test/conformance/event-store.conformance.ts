import { randomUUID } from 'node:crypto';
import type { Test } from 'tap';
import { ConcurrencyConflictError, DuplicateEventError } from '../../src/errors.js';
import type { EventStore, NewEvent, Position, RecordedEvent } from '../../src/store/event-store.js';

/**
 * The one conformance suite every EventStore adapter must pass (design §3). Streams get unique names
 * and global-order checks start after a marker event, so the suite also runs against a shared server
 * that holds other data.
 */
export type StoreFactory = () => Promise<EventStore>;

let counter = 0;
export const testEvent = (type = 'TestHappened', data: unknown = { n: counter++ }): NewEvent => ({
  id: randomUUID(),
  type,
  data,
  metadata: {
    actor: { keyId: 'conformance', role: 'system' },
    recordedAt: new Date().toISOString(),
    correlationId: 'conformance',
    causationId: 'conformance',
    schemaVersion: 1,
  },
});

const events = (n: number, type?: string) => Array.from({ length: n }, () => testEvent(type));
const uniqueStream = (prefix: string) => `${prefix}-${randomUUID()}`;

/** Appends a marker to a fresh stream and returns its position: "now" in the global order. */
const marker = async (store: EventStore): Promise<Position> =>
  (await store.append(uniqueStream('marker'), [testEvent('MarkerPlaced')])).position;

const readAllAfter = async (store: EventStore, after: Position, streams: Set<string>): Promise<RecordedEvent[]> => {
  const found: RecordedEvent[] = [];
  let cursor = after;
  for (;;) {
    const page = await store.readAll({ after: cursor, maxCount: 500 });
    if (page.length === 0) return found;
    found.push(...page.filter((event) => streams.has(event.stream)));
    cursor = page[page.length - 1]!.position;
  }
};

export const runConformance = (t: Test, name: string, factory: StoreFactory): void => {
  t.test(`${name}: event store conformance`, async (t) => {
    const store = await factory();
    t.teardown(() => store.close());

    t.test('no_stream creates a stream; a second no_stream conflicts', async (t) => {
      const stream = uniqueStream('order');
      const first = await store.append(stream, events(3), { expectedRevision: 'no_stream' });
      t.equal(first.nextRevision, 2, 'revisions are 0-based');
      t.same(first.events.map((e) => e.revision), [0, 1, 2]);
      await t.rejects(store.append(stream, events(1), { expectedRevision: 'no_stream' }), ConcurrencyConflictError);
      t.equal((await store.readStream(stream)).length, 3, 'the rejected append stored nothing');
    });

    t.test('a numeric expected revision must match the last revision', async (t) => {
      const stream = uniqueStream('numeric');
      await store.append(stream, events(2), { expectedRevision: 'no_stream' });
      const next = await store.append(stream, events(1), { expectedRevision: 1 });
      t.equal(next.nextRevision, 2);
      const error = await store.append(stream, events(1), { expectedRevision: 1 }).catch((e: unknown) => e);
      t.type(error, ConcurrencyConflictError);
      t.equal((error as ConcurrencyConflictError).actual, 2, 'the conflict reports the actual revision');
      t.equal((error as ConcurrencyConflictError).status, 409);
      await t.rejects(store.append(uniqueStream('numeric'), events(1), { expectedRevision: 0 }), ConcurrencyConflictError);
    });

    t.test('exists requires the stream; any accepts anything', async (t) => {
      const stream = uniqueStream('exists');
      await t.rejects(store.append(stream, events(1), { expectedRevision: 'exists' }), ConcurrencyConflictError);
      await store.append(stream, events(1), { expectedRevision: 'any' });
      const result = await store.append(stream, events(1), { expectedRevision: 'exists' });
      t.equal(result.nextRevision, 1);
      t.equal((await store.append(stream, events(1))).nextRevision, 2, 'any is the default');
    });

    t.test('a batch is atomic: all its events or none', async (t) => {
      const other = uniqueStream('atomic-other');
      const taken = testEvent();
      await store.append(other, [taken]);
      const stream = uniqueStream('atomic');
      await t.rejects(store.append(stream, [testEvent(), testEvent(), taken]), DuplicateEventError, 'an id used elsewhere');
      t.same(await store.readStream(stream), [], 'no event of the failed batch is visible');
      const ok = await store.append(stream, events(2), { expectedRevision: 'no_stream' });
      t.equal(ok.nextRevision, 1, 'the stream starts clean after the failed batch');
    });

    t.test('an idempotent retry returns the first result and stores once', async (t) => {
      const stream = uniqueStream('retry');
      await store.append(stream, events(1));
      const batch = events(3);
      const first = await store.append(stream, batch, { expectedRevision: 0 });
      const again = await store.append(stream, batch, { expectedRevision: 0 });
      t.same(again.events.map((e) => [e.id, e.revision]), first.events.map((e) => [e.id, e.revision]));
      t.equal(again.nextRevision, first.nextRevision);
      const stored = await store.readStream(stream);
      t.equal(stored.length, 4, 'the retried events were stored once');
      t.equal(new Set(stored.map((e) => e.id)).size, 4);
    });

    t.test('concurrent writers to one stream: exactly one wins each revision', async (t) => {
      const stream = uniqueStream('race');
      await store.append(stream, events(1));
      const attempts = await Promise.allSettled(
        Array.from({ length: 20 }, () => store.append(stream, events(1), { expectedRevision: 0 })),
      );
      const won = attempts.filter((a) => a.status === 'fulfilled');
      const lost = attempts.filter((a) => a.status === 'rejected');
      t.equal(won.length, 1, 'one append succeeded');
      t.ok(lost.every((a) => a.reason instanceof ConcurrencyConflictError), 'all others conflicted');
      t.equal((await store.readStream(stream)).length, 2);
    });

    t.test('concurrent writers to distinct streams all succeed, in one global order', async (t) => {
      const start = await marker(store);
      const streams = Array.from({ length: 64 }, () => uniqueStream('fanout'));
      const results = await Promise.all(streams.map((s) => store.append(s, events(2), { expectedRevision: 'no_stream' })));
      t.ok(results.every((r) => r.nextRevision === 1));
      const seen = await readAllAfter(store, start, new Set(streams));
      t.equal(seen.length, 128, 'every event is in the global order');
      const expectedIds = results.flatMap((r) => r.events.map((e) => e.id)).sort();
      t.same(seen.map((e) => e.id).sort(), expectedIds);
    });

    t.test('global order matches append order; stream reads page by revision', async (t) => {
      const start = await marker(store);
      const a = uniqueStream('global-a');
      const b = uniqueStream('global-b');
      const appended: string[] = [];
      for (let i = 0; i < 10; i++) {
        const batch = events(2);
        await store.append(i % 2 === 0 ? a : b, batch);
        appended.push(...batch.map((e) => e.id));
      }
      const seen = await readAllAfter(store, start, new Set([a, b]));
      t.same(seen.map((e) => e.id), appended, 'readAll returns events in the order they were appended');
      const page = await store.readStream(a, { fromRevision: 4, maxCount: 3 });
      t.same(page.map((e) => e.revision), [4, 5, 6]);
      t.same(await store.readStream(uniqueStream('missing')), [], 'an unknown stream reads as empty');
    });

    t.test('large streams read back whole and in order', async (t) => {
      const stream = uniqueStream('large');
      for (let i = 0; i < 10; i++) await store.append(stream, events(500));
      const all = await store.readStream(stream);
      t.equal(all.length, 5000);
      t.ok(all.every((e, i) => e.revision === i), 'revisions are dense');
    });

    t.test('unicode and big payloads round-trip exactly', async (t) => {
      const stream = uniqueStream('payload');
      const data = {
        scripts: 'Zürich · 東京 · القاهرة · नमस्ते · 👩🏽‍🌾 · e\u0301 · \u0000 · "quoted" \\ back',
        nested: { list: [1, 2.5, -0.125, 1e21, null, true], empty: {} },
        big: 'x'.repeat(1024 * 1024),
      };
      const metadataText = 'métadonnées ✓';
      const event = testEvent('PayloadTested', data);
      event.metadata = { ...event.metadata, correlationId: metadataText };
      await store.append(stream, [event]);
      const [read] = await store.readStream(stream);
      t.same(read?.data, data, 'data is byte-for-byte what was appended');
      t.equal(read?.metadata.correlationId, metadataText);
      t.equal(read?.type, 'PayloadTested');
    });

    t.test('follow: catch-up then live with no gap and no duplicate', async (t) => {
      const start = await marker(store);
      const stream = uniqueStream('follow');
      const expected: string[] = [];
      for (let i = 0; i < 5; i++) {
        const batch = events(20);
        await store.append(stream, batch);
        expected.push(...batch.map((e) => e.id));
      }
      const controller = new AbortController();
      const received: string[] = [];
      const positions = new Set<Position>();
      let delivered = 0;
      const following = (async () => {
        for await (const batch of store.follow({ after: start, signal: controller.signal, batchSize: 7 })) {
          for (const event of batch) {
            positions.add(event.position);
            delivered += 1;
            if (event.stream === stream) received.push(event.id);
          }
          if (received.length >= 300) controller.abort();
        }
      })();
      // Live appends race the catch-up: some land while the follower is still reading history.
      for (let i = 0; i < 20; i++) {
        const batch = events(10);
        await store.append(stream, batch);
        expected.push(...batch.map((e) => e.id));
      }
      await following;
      t.equal(received.length, 300, 'every event arrived once');
      t.equal(positions.size, delivered, 'no position was delivered twice');
      t.same(received, expected, 'in append order, none skipped, none repeated');
    });
  });
};

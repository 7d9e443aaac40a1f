import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Test } from 'tap';
import type { EventStore, NewEvent, RecordedEvent } from '../../src/store/event-store.js';
import { createSqliteEventStore, type SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';
import { tempDir } from '../helpers/temp-dir.js';

/** A fresh sqlite store in its own directory (`<dir>/events.sqlite`, as DATA_DIR has it), closed when the test ends. */
export const sqliteStore = (t: Test): SqliteEventStore & { dir: string } => {
  const dir = tempDir(t, 'migration-');
  const store = createSqliteEventStore({ file: join(dir, 'events.sqlite') });
  t.teardown(() => store.close());
  return Object.assign(store, { dir });
};

let counter = 0;
const event = (type: string, data: unknown): NewEvent => ({
  id: randomUUID(),
  type,
  data,
  metadata: {
    actor: { keyId: 'migration-test', role: 'backbone' },
    recordedAt: new Date(Date.UTC(2026, 0, 1) + counter++ * 1000).toISOString(),
    occurredAt: '2025-12-31T23:00:00+01:00',
    correlationId: `corr-${counter}`,
    causationId: `cause-${counter}`,
    schemaVersion: 1,
  },
});

/** Text a naive line splitter or encoder would get wrong: astral characters, RTL, combining marks, U+2028, controls. */
export const UNICODE = 'Straße € 😀👩🏽‍🔬 עברית 中文 é (e\u0301) \u2028\u2029 tab\t nl\n cr\r nul\u0000 "quoted" back\\slash';

/** Keys whose canonical order differs from insertion order and from JS's own order of integer-like keys. */
const awkwardKeys = { b: 1, a: 2, '10': 'ten', '9': 'nine', B: 3, é: 4, '': 'empty', z: { y: [3, 2, 1], x: null } };

/**
 * Writes the events every migration test copies: several streams written interleaved and concurrently (group
 * commit), multi-event appends, unicode, awkward keys and numbers, and one 1 MiB payload (by default: EventStoreDB
 * refuses appends above its MaxAppendSize, 1 MiB unless configured). Returns what was written,
 * in the store's global order.
 */
export const seedStore = async (store: EventStore, options: { largePayloadBytes?: number } = {}): Promise<RecordedEvent[]> => {
  const streams = ['initiative', 'indicator', 'commitment', 'partner', 'decision', 'risk'].map((kind) => `${kind}-${randomUUID()}`);
  const revision = new Map<string, number>();
  const append = (stream: string, events: NewEvent[]) => {
    const previous = revision.get(stream);
    revision.set(stream, (previous ?? -1) + events.length);
    return store.append(stream, events, { expectedRevision: previous ?? 'no_stream' });
  };

  for (let round = 0; round < 40; round++) {
    // Concurrent appends to every stream: one commit, in submission order.
    await Promise.all(
      streams.map((stream, s) =>
        append(stream, [event('ReadingRecorded', { round, s, value: round * 0.1 + s, period: { start: '2026-01-01', end: '2026-03-31' } })]),
      ),
    );
    const stream = streams[round % streams.length]!;
    await append(stream, [
      event('ActivityLogged', { round, title: UNICODE, keys: awkwardKeys }),
      event('ContributionRecorded', { round, money: { amount: '1250.50', currency: 'EUR' }, numbers: [1e21, 1.5e-7, -0, 2 ** 53 - 1, -42, 0.1] }),
      event('NoteAdded', { round, empty: {}, list: [], nested: [[[]], { deep: { deeper: true } }], flag: false, nothing: null }),
    ]);
  }
  await append(streams[0]!, [event('EvidenceAttached', { blob: 'x'.repeat(options.largePayloadBytes ?? 1024 * 1024), note: UNICODE })]);
  await append(streams[1]!, [event('ReadingRecorded', { after: 'the large one' })]);

  return readEverything(store);
};

/** The stored content of events without their store-specific positions. */
export const contentOf = (events: readonly RecordedEvent[]) =>
  events.map(({ id, stream, revision, type, data, metadata }) => ({ id, stream, revision, type, data, metadata }));

/** Every event of a store in global order. */
export const readEverything = async (store: Pick<EventStore, 'readAll'>): Promise<RecordedEvent[]> => {
  const all: RecordedEvent[] = [];
  for (let page = await store.readAll({ maxCount: 500 }); page.length > 0; ) {
    all.push(...page);
    page = await store.readAll({ after: page[page.length - 1]!.position, maxCount: 500 });
  }
  return all;
};

/** Runs `exportLog` into memory: the NDJSON text. */
export const collect = () => {
  let text = '';
  return {
    write: (chunk: string) => void (text += chunk),
    text: () => text,
    lines: () => text.split('\n').filter((line) => line !== ''),
  };
};

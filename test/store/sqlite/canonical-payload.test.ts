/**
 * The embedded store keeps `data` and `metadata` as RFC 8785 text and hands that text to the transparency log
 * with each event; a file written before it did so is not trusted to be canonical.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import t from 'tap';
import { canonicalJson } from '../../../src/canonical/canonical-json.js';
import { canonicalPayloadOf } from '../../../src/canonical/stored-text.js';
import type { EventMetadata } from '../../../src/events/envelope.js';
import { createSqliteEventStore } from '../../../src/store/sqlite/sqlite-event-store.js';
import { eventLeafHash } from '../../../src/transparency/leaf.js';
import { tempDir } from '../../helpers/temp-dir.js';

const dir = tempDir(t);
const metadata = { recordedAt: '2026-01-02T03:04:05.000Z', actor: { role: 'admin', keyId: 'admin' } } as unknown as EventMetadata;
const data = { z: 'last', a: { y: 2, b: [3, { d: 1, c: 'é' }] }, m: 1e21 };

/** A structured copy: the same JSON value, with nothing attached to it. */
const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

t.test('given a new file, rows hold canonical text and events carry it', async (t) => {
  const file = join(dir, 'new.sqlite');
  const store = createSqliteEventStore({ file });
  t.teardown(() => store.close());
  await store.append('s-1', [{ id: randomUUID(), type: 'Thing', data, metadata }]);

  const raw = new Database(file, { readonly: true });
  const row = raw.prepare('SELECT data, metadata FROM events').get() as { data: string; metadata: string };
  raw.close();
  t.equal(row.data, canonicalJson(data), 'data stored as RFC 8785 text');
  t.equal(row.metadata, canonicalJson(metadata));
  t.equal(row.data, '{"a":{"b":[3,{"c":"é","d":1}],"y":2},"m":1e+21,"z":"last"}');

  const [event] = await store.readAll();
  t.same(canonicalPayloadOf(event!), { data: row.data, metadata: row.metadata }, 'the read event carries the stored text');
  t.same(Object.keys(event!).sort(), ['data', 'id', 'metadata', 'position', 'revision', 'stream', 'type'], 'and nothing shows on the event itself');
  const [folded] = await store.readAll({ canonicalText: false });
  t.equal(canonicalPayloadOf(folded!), undefined, 'a reader that only folds events asks for none');
  t.same(folded, event, 'and reads the same event');
  const [bare] = await store.readAll({ metadata: false });
  t.same({ ...bare!, metadata: null }, { ...event!, metadata: null }, 'read without metadata: the same event otherwise');
  t.throws(() => bare!.metadata.recordedAt, /read without its metadata/, 'its metadata throws when read');
  const sequenced = Object.assign(event!, { seq: 0 });
  t.same(eventLeafHash(sequenced), eventLeafHash(plain(sequenced)), 'the leaf from stored text is the leaf from the objects');
});

t.test('given a live follow, the events it takes from memory carry the same text', async (t) => {
  const store = createSqliteEventStore({ file: join(dir, 'follow.sqlite') });
  const stop = new AbortController();
  t.teardown(async () => {
    stop.abort();
    await store.close();
  });
  const followed = (async () => {
    for await (const batch of store.follow({ signal: stop.signal })) return batch;
    return [];
  })();
  await new Promise((resolve) => setTimeout(resolve, 50));
  await store.append('s-2', [{ id: randomUUID(), type: 'Thing', data, metadata }]);
  const [event] = await followed;
  t.equal(canonicalPayloadOf(event!)?.data, canonicalJson(data));
  t.same(eventLeafHash({ ...plain(event!), seq: 0 }), eventLeafHash(Object.assign(event!, { seq: 0 })));
});

t.test('given a file that held events before the store wrote canonical text, no text is trusted', async (t) => {
  const file = join(dir, 'legacy.sqlite');
  const first = createSqliteEventStore({ file });
  await first.close();
  // What an older version left: user_version 0 and JSON.stringify text in insertion key order.
  const raw = new Database(file);
  raw.pragma('user_version = 0');
  raw
    .prepare('INSERT INTO events (id, stream, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)')
    .run(randomUUID(), 's-3', 0, 'Thing', JSON.stringify(data), JSON.stringify(metadata));
  raw.close();

  const store = createSqliteEventStore({ file });
  t.teardown(() => store.close());
  await store.append('s-3', [{ id: randomUUID(), type: 'Thing', data, metadata }]);
  const events = await store.readAll();
  t.equal(events.length, 2);
  for (const event of events) t.equal(canonicalPayloadOf(event), undefined, 'no text attached');
  const sequenced = Object.assign(events[0]!, { seq: 0 });
  t.same(eventLeafHash(sequenced), eventLeafHash(plain(sequenced)), 'leaves are canonicalized from the objects');
});

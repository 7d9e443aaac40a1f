/** Leaf bytes: RFC 8785 canonical JSON of exactly the seven leaf fields. */
import t from 'tap';
import { leafHash } from '../../src/transparency/hashing.js';
import { eventLeafHash, leafBytes, toLogEntry, type LogEntry } from '../../src/transparency/leaf.js';

const entry: LogEntry = {
  seq: 41,
  id: '0190f0c2-7c2e-7a41-9c1a-3b2b5f9e8a10',
  stream: 'initiative-7',
  revision: 3,
  type: 'IndicatorReported',
  data: { value: 1e21, label: 'Straße €', nested: { z: [3, 0.5, true, null], a: 'x' }, '\u00e9': 1, e: 2 },
  metadata: { recordedAt: '2024-05-01T12:00:00Z', actor: { role: 'partner', keyId: 'k1' }, occurredAt: undefined },
};

const expected =
  '{"data":{"e":2,"label":"Straße €","nested":{"a":"x","z":[3,0.5,true,null]},"value":1e+21,"\u00e9":1},' +
  '"id":"0190f0c2-7c2e-7a41-9c1a-3b2b5f9e8a10","metadata":{"actor":{"keyId":"k1","role":"partner"},' +
  '"recordedAt":"2024-05-01T12:00:00Z"},"revision":3,"seq":41,"stream":"initiative-7","type":"IndicatorReported"}';

t.test('leaf bytes are the canonical JSON of the seven fields', async (t) => {
  t.equal(leafBytes(entry).toString('utf8'), expected);
  t.same(leafBytes(entry), Buffer.from(expected, 'utf8'), 'UTF-8 encoded');
  t.same(eventLeafHash(entry), leafHash(Buffer.from(expected, 'utf8')));
});

t.test('only the seven fields are hashed, in any key order', async (t) => {
  const withExtras = { extra: 'ignored', leafHash: 'x', ...entry, tenant: 'i-7' } as LogEntry;
  t.same(leafBytes(withExtras), leafBytes(entry));
  const reordered = Object.fromEntries(Object.entries(entry).reverse()) as unknown as LogEntry;
  t.same(leafBytes(reordered), leafBytes(entry));
  t.same(Object.keys(toLogEntry(withExtras)).sort(), ['data', 'id', 'metadata', 'revision', 'seq', 'stream', 'type']);
  t.notSame(leafBytes({ ...entry, seq: 42 }), leafBytes(entry), 'seq is part of the leaf');
});

t.test('malformed entries are rejected', async (t) => {
  t.throws(() => leafBytes({ ...entry, seq: -1 }), TypeError);
  t.throws(() => leafBytes({ ...entry, seq: 1.5 }), TypeError);
  t.throws(() => leafBytes({ ...entry, revision: Number.NaN }), TypeError);
  t.throws(() => leafBytes({ ...entry, id: 5 } as unknown as LogEntry), TypeError);
  t.throws(() => leafBytes({ ...entry, data: undefined }), TypeError);
  t.throws(() => leafBytes({ ...entry, metadata: undefined }), TypeError);
  t.throws(() => leafBytes({ ...entry, data: { x: Number.POSITIVE_INFINITY } }), 'non-finite numbers have no JSON form');
  t.throws(() => leafBytes({ ...entry, data: { s: 'lone \ud800' } }), 'lone surrogates have no UTF-8 form');
});

t.test('a leaf longer than any before hashes its full UTF-8 bytes', async (t) => {
  for (const note of ['x'.repeat(70_000), 'é€😀'.repeat(30_000), 'short']) {
    const big = { ...entry, data: { note } };
    t.same(eventLeafHash(big), leafHash(leafBytes(big)), `${note.length} UTF-16 units`);
  }
});

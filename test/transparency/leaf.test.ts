/** Leaf bytes: RFC 8785 canonical JSON of exactly the seven leaf fields. */
import fc from 'fast-check';
import t from 'tap';
import { canonicalJson } from '../../src/canonical/canonical-json.js';
import { attachCanonicalPayload } from '../../src/canonical/stored-text.js';
import { leafHash } from '../../src/transparency/hashing.js';
import { eventLeafHash, leafBytes, packLeafInputs, recyclePackedBuffer, toLogEntry, type LogEntry } from '../../src/transparency/leaf.js';

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

/** The packed chunk, cut back into its leaves: each must be 0x00 then exactly `leafBytes` of its entry. */
const unpacked = (entries: readonly LogEntry[]): Buffer[] => {
  const { bytes, ends } = packLeafInputs(entries);
  t.equal(ends.length, entries.length);
  return Array.from(ends, (end, i) => Buffer.from(bytes.subarray(i === 0 ? 0 : ends[i - 1], end)));
};

t.test('packed leaf inputs are 0x00 then the leaf bytes of each entry, with or without stored canonical text', async (t) => {
  const text = fc.string({ unit: fc.constantFrom('a', 'é', '€', '😀', '"', '\\', '\n', '\u0000'), maxLength: 40 });
  const arbitraryEntry = fc.record({
    seq: fc.nat(),
    id: text,
    stream: text,
    revision: fc.nat(),
    type: text,
    data: fc.dictionary(text, fc.oneof(text, fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean())),
    metadata: fc.record({ recordedAt: text, note: text }),
    stored: fc.boolean(),
  });
  fc.assert(
    fc.property(fc.array(arbitraryEntry, { maxLength: 12 }), (drawn) => {
      const entries = drawn.map(({ stored, ...entry }) =>
        stored ? attachCanonicalPayload(entry, { data: canonicalJson(entry.data), metadata: canonicalJson(entry.metadata) }) : entry,
      );
      const packed = packLeafInputs(entries);
      const leaves = unpacked(entries);
      entries.forEach((entry, i) => t.same(leaves[i], Buffer.concat([Buffer.from([0]), leafBytes(entry)])));
      t.equal(packed.bytes.length, leaves.reduce((sum, leaf) => sum + leaf.length, 0), 'nothing between or after the leaves');
      recyclePackedBuffer(packed.bytes.buffer as ArrayBuffer); // later draws pack into returned buffers
    }),
    { numRuns: 300 },
  );
  t.end();
});

t.test('a packed chunk larger than any before, and a recycled buffer too small for the next chunk', async (t) => {
  const small = packLeafInputs([entry]);
  recyclePackedBuffer(small.bytes.buffer as ArrayBuffer);
  const big = [{ ...entry, data: { note: 'é€😀'.repeat(120_000) } }, { ...entry, seq: 42, data: { note: 'x'.repeat(300_000) } }];
  const leaves = unpacked(big);
  big.forEach((bigEntry, i) => t.same(leaves[i], Buffer.concat([Buffer.from([0]), leafBytes(bigEntry)])));
  t.same(unpacked([entry])[0], Buffer.concat([Buffer.from([0]), leafBytes(entry)]), 'and a small one after');
});

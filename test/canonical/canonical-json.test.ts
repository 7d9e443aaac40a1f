/** The fast canonicalizer gives exactly what the RFC 8785 reference implementation (`canonicalize`) gives. */
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import t from 'tap';
import { canonicalJson, canonicalString } from '../../src/canonical/canonical-json.js';

t.test('given any JSON value, the text is the reference canonical JSON', async (t) => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => canonicalJson(value) === canonicalize(value)),
    { numRuns: 3000 },
  );
  t.pass('3000 random JSON values agree');
});

t.test('given objects with unsorted, escaped and non-ASCII keys, members sort by UTF-16 code units', async (t) => {
  const value = { z: 1, a: { y: [1, 'x'], b: null }, '\u00e9': true, E: 'é', 'a\nb': -0, '\ud83d\ude00': 1e21, '\uff61': 0.1 };
  t.equal(canonicalJson(value), canonicalize(value));
  t.equal(canonicalJson(value), '{"E":"é","a":{"b":null,"y":[1,"x"]},"a\\nb":0,"z":1,"é":true,"😀":1e+21,"｡":0.1}');
});

t.test('given values that are not plain JSON, the reference semantics hold', async (t) => {
  const odd = [
    { when: new Date(0) },
    [undefined, 1, () => 1],
    { skipped: undefined, kept: 1 },
    { nested: { toJSON: () => ({ b: 2, a: 1 }) } },
  ];
  for (const value of odd) t.equal(canonicalJson(value), canonicalize(value), JSON.stringify(canonicalize(value)));
  t.throws(() => canonicalJson({ x: Number.POSITIVE_INFINITY }), 'non-finite numbers have no JSON form');
  t.throws(() => canonicalJson({ x: Number.NaN }));
  t.throws(() => canonicalJson({ s: 'lone \ud800' }), 'lone surrogates have no UTF-8 form');
  t.throws(() => canonicalJson(undefined), TypeError);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  t.throws(() => canonicalJson(cyclic));
});

t.test('given a string, canonicalString escapes it as JCS does and refuses lone surrogates', async (t) => {
  t.equal(canonicalString('a"b\\c\u0001'), canonicalize('a"b\\c\u0001'));
  t.equal(canonicalString('plain'), '"plain"');
  t.throws(() => canonicalString('\udc00'), TypeError);
});

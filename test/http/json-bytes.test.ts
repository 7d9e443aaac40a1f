import t from 'tap';
import fc from 'fast-check';
import { jsonBytes } from '../../src/http/json-bytes.js';

const same = (value: unknown) => jsonBytes(value).equals(Buffer.from(JSON.stringify(value)));

t.test('any JSON value gives the bytes of Buffer.from(JSON.stringify(value)) (property)', async (t) => {
  fc.assert(fc.property(fc.jsonValue({ maxDepth: 8 }), same), { numRuns: 1000 });
  fc.assert(fc.property(fc.anything({ maxDepth: 6, withNullPrototype: true, withObjectString: true, withSparseArray: true }), (value) => {
    let expected: string | undefined;
    try {
      expected = JSON.stringify(value);
    } catch {
      return true; // what JSON.stringify refuses (BigInt) is not an answer
    }
    return expected === undefined ? true : jsonBytes(value).equals(Buffer.from(expected));
  }), { numRuns: 1000 });
  t.pass('2000 random values');
});

t.test('members and elements JSON leaves out or writes as null, dates, non-ASCII text, deep values', async (t) => {
  const value = {
    gone: undefined,
    fn: () => 1,
    symbol: Symbol('s'),
    quiet: { toJSON: () => undefined },
    when: new Date(Date.UTC(2026, 11, 2)),
    list: [undefined, () => 1, Symbol('t'), { toJSON: () => undefined }, 1],
    text: 'Ünïcödé — "quoted" \\ \u2028 😀',
    deep: { a: { b: { c: { d: { e: [1, { f: 'g' }] } } } } },
    boxed: [new String('ab'), new Number(2), new Boolean(false)],
    bare: Object.assign(Object.create(null) as object, { x: 1 }),
    collection: new Map([['k', 1]]),
  };
  t.ok(same(value), jsonBytes(value).toString());
  t.ok(same([]), 'an empty array');
  t.ok(same({}), 'an empty object');
  t.ok(same('only a string'));
  t.throws(() => jsonBytes(undefined), TypeError, 'a value with no JSON form');
});

t.test('an answer larger than the scratch buffer grows it, and a later small answer is whole too', async (t) => {
  const big = { views: Array.from({ length: 3000 }, (_, i) => ({ id: i, text: 'é'.repeat(1000) })) };
  t.ok(same(big), `${jsonBytes(big).length} bytes`);
  t.ok(same({ small: true }));
  const huge = { blob: 'x'.repeat(70 << 20) };
  t.ok(same(huge), 'above 64 MiB');
  t.ok(same({ after: 'huge' }), 'and after it');
});

t.test('each answer owns its bytes: later answers, small or large, do not change an earlier one', async (t) => {
  const values = [{ a: 'first' }, { b: 'second' }, { big: 'y'.repeat(3 << 20) }, [1, 2, 3], 'last'];
  const answers = values.map((value) => jsonBytes(value));
  values.forEach((value, i) => t.equal(answers[i]!.toString('utf8'), JSON.stringify(value), `answer ${i}`));
});

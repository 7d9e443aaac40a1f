import t from 'tap';
import fc from 'fast-check';
import { assembleState, chunkRefs, RUN_CHARS, SPLIT_DEPTH, splitState, type ChunkRef } from '../../src/views/snapshot-chunks.js';

/** Splits `state`, keeping each chunk's text under its identity (which is also its reference here). */
const cut = (state: unknown) => {
  const chunks = new Map<string, string>();
  const ref: ChunkRef = (identity, text) => {
    if (chunks.has(identity)) throw new Error(`two chunks share the identity ${identity}`);
    chunks.set(identity, text);
    return identity;
  };
  const layout = splitState(state, ref);
  return { layout, chunks, text: JSON.stringify(assembleState(layout, (name) => chunks.get(name)!)) };
};

/** A ledger-like state: one initiative whose `entries` section holds `n` records of ~200 characters. */
const ledger = (n: number) => {
  const entries: Record<string, { partner: string; amount: string; note: string; reversed: boolean }> = {};
  const order: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = `c-${i.toString(36).padStart(6, '0')}`;
    entries[id] = { partner: `p-${i % 50}`, amount: `${i}.25`, note: 'n'.repeat(150), reversed: false };
    order.push(id);
  }
  return { views: { 'init-1': { name: 'Clean air', order, entries } }, owners: Object.fromEntries(order.map((id) => [id, 'init-1'])) };
};

t.test('a state assembled from its chunks is the same state, key order included', async (t) => {
  const state = ledger(3000);
  const { text, chunks } = cut(state);
  t.equal(text, JSON.stringify(state));
  t.ok(chunks.size > 10, `the large sections are cut in runs (${chunks.size} chunks)`);
  const largest = Math.max(...[...chunks.values()].map((c) => c.length));
  t.ok(largest < 4 * RUN_CHARS + 1000, `no chunk is much larger than four runs (${largest} characters)`);
});

t.test('any JSON state survives the round trip exactly (property)', async (t) => {
  const key = fc.oneof(fc.string(), fc.constantFrom('__proto__', '0', '10', '2', 'toString', ''), fc.string({ unit: 'grapheme' }));
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constant(null),
      fc.boolean(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.string({ maxLength: 3000 }),
      fc.array(tie('value'), { maxLength: 40 }),
      fc.dictionary(key, tie('value'), { maxKeys: 40 }),
    ),
  }));
  fc.assert(
    fc.property(value, (state) => {
      return cut(state).text === JSON.stringify(state);
    }),
    { numRuns: 400 },
  );
  t.pass('400 random states round-tripped');
});

t.test('members JSON leaves out are left out, array holes become null, as JSON.stringify does', async (t) => {
  const state = { views: { a: { keep: 1, gone: undefined, fn: () => 1, list: [1, undefined, 3] } } };
  t.equal(cut(state).text, JSON.stringify(state));
});

t.test('"__proto__" comes back as an own member, as JSON.parse makes it, not as the prototype', async (t) => {
  const state = JSON.parse('{"views":{"__proto__":{"x":1},"i":{"__proto__":2,"y":[1]}}}') as { views: Record<string, unknown> };
  const chunks = new Map<string, string>();
  const back = assembleState(splitState(state, (identity, text) => (chunks.set(identity, text), identity)), (name) => chunks.get(name)!) as typeof state;
  t.same(Object.keys(back.views), ['__proto__', 'i']);
  t.equal(Object.getPrototypeOf(back.views), Object.prototype);
  t.equal(Object.getPrototypeOf(back.views.i), Object.prototype);
  t.equal(JSON.stringify(back), JSON.stringify(state));
});

t.test('a change to one entry changes only the chunk that holds it', async (t) => {
  const before = cut(ledger(3000));
  const changed = ledger(3000);
  changed.views['init-1'].entries['c-0000zz']!.reversed = true;
  const after = cut(changed);
  const differing = [...after.chunks].filter(([identity, text]) => before.chunks.get(identity) !== text);
  t.equal(differing.length, 1, 'one chunk differs');
  t.match(differing[0]![0], /entries/, 'in the entries section');
  t.equal(after.chunks.size, before.chunks.size, 'the others are the same chunks');
});

t.test('entries appended at the end of a section leave the chunks before them as they were', async (t) => {
  const before = cut(ledger(3000));
  const after = cut(ledger(3100));
  const entriesBefore = [...before.chunks].filter(([identity]) => identity.includes('"entries"'));
  const unchanged = entriesBefore.filter(([identity, text]) => after.chunks.get(identity) === text);
  t.ok(unchanged.length >= entriesBefore.length - 1, `${unchanged.length} of ${entriesBefore.length} entry chunks unchanged`);
});

t.test('an entry growing moves only the boundaries near it (runs end at keys, not at sizes)', async (t) => {
  const before = cut(ledger(3000));
  const grown = ledger(3000);
  grown.views['init-1'].entries['c-0000a0']!.note = 'n'.repeat(5000);
  const after = cut(grown);
  const entryChunks = [...after.chunks].filter(([identity]) => identity.includes('"entries"'));
  const differing = entryChunks.filter(([identity, text]) => before.chunks.get(identity) !== text);
  t.ok(differing.length <= 3, `${differing.length} of ${entryChunks.length} entry chunks differ`);
});

t.test(`objects are opened down to level ${SPLIT_DEPTH}; what is deeper stays in its entry`, async (t) => {
  const deep = { views: { i: { section: { entry: { inner: { x: 'y'.repeat(RUN_CHARS * 2) } } } } } };
  const { layout, chunks } = cut(deep);
  t.equal(chunkRefs(layout).length, 1, 'one chunk: the entry, whole');
  t.same([...chunks.keys()], [JSON.stringify(['views', 'i', 'section', 'entry'])]);
  t.equal(cut('just a string').text, '"just a string"', 'a root that is not an object is one chunk');
});

/** Splits a live state with `watch`, as the runner does, and returns the state its chunks assemble to. */
const snapshotOf = (state: unknown) => {
  const chunks = new Map<string, string>();
  const layout = splitState(state, (identity, text) => (chunks.set(identity, text), identity), { watch: true });
  return assembleState(layout, (name) => chunks.get(name)!);
};

/**
 * Whether a watched cut of `live` is the cut of its plain `mirror`, chunk for chunk: reusing what was not reached must
 * give the runs a full cut gives (else an array or object only added to would gain one small chunk per snapshot).
 */
const cutsAlike = (live: unknown, mirror: unknown): boolean => {
  const texts: string[] = [];
  splitState(live, (identity, text) => (texts.push(`${identity} ${text}`), identity), { watch: true });
  const plain: string[] = [];
  splitState(mirror, (identity, text) => (plain.push(`${identity} ${text}`), identity));
  return texts.length === plain.length && texts.every((text, i) => text === plain[i]);
};

/**
 * The property both watched-state tests check: a live state and a plain mirror, given the same random operations,
 * where each `snapshot` operation of the live one assembles to the mirror and cuts as the mirror does.
 */
const sameAsMirror = <S, O extends { kind: string }>(op: fc.Arbitrary<O>, start: () => S, apply: (state: S, o: O) => void, maxLength: number) =>
  fc.property(fc.array(op, { maxLength }), (ops) => {
    const live = start();
    const mirror = start();
    if (JSON.stringify(snapshotOf(live)) !== JSON.stringify(mirror)) return false;
    for (const o of [...ops, { kind: 'snapshot' } as O]) {
      apply(live, o);
      apply(mirror, o);
      if (o.kind === 'snapshot' && (JSON.stringify(snapshotOf(live)) !== JSON.stringify(mirror) || !cutsAlike(live, mirror))) return false;
    }
    return true;
  });

type Entry = { v: number; list: number[]; deep?: Record<string, { n: number }> };
type Live = { views: Record<string, Record<string, Record<string, Entry>>>; owners: Record<string, string> };

t.test('a watched live state, changed every way a projection changes it, always snapshots to what it holds (property)', async (t) => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('put' as const), i: fc.nat(2), section: fc.nat(2), key: fc.nat(260), v: fc.integer() }),
    fc.record({ kind: fc.constant('field' as const), i: fc.nat(2), section: fc.nat(2), key: fc.nat(260), v: fc.integer() }),
    fc.record({ kind: fc.constant('push' as const), i: fc.nat(2), section: fc.nat(2), key: fc.nat(260), v: fc.integer() }),
    fc.record({ kind: fc.constant('delete' as const), i: fc.nat(2), section: fc.nat(2), key: fc.nat(260) }),
    fc.record({ kind: fc.constant('replace' as const), i: fc.nat(2), section: fc.nat(2) }),
    fc.record({ kind: fc.constant('own' as const), key: fc.nat(260), i: fc.nat(2) }),
    // Below the chunks: members of an entry's own objects (watched too), set, changed in place and deleted.
    fc.record({ kind: fc.constant('deep' as const), i: fc.nat(2), section: fc.nat(2), key: fc.nat(260), d: fc.nat(40), v: fc.integer() }),
    fc.record({ kind: fc.constant('bump' as const), i: fc.nat(2), section: fc.nat(2), key: fc.nat(260), d: fc.nat(40) }),
    fc.record({ kind: fc.constant('undeep' as const), i: fc.nat(2), section: fc.nat(2), key: fc.nat(260), d: fc.nat(40) }),
    fc.record({ kind: fc.constant('snapshot' as const) }),
    fc.record({ kind: fc.constant('snapshot' as const) }),
  );
  type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;
  const apply = (state: Live, o: Op) => {
    if (o.kind === 'snapshot') return;
    if (o.kind === 'own') {
      state.owners[`k${o.key}`] = `i${o.i}`;
      return;
    }
    const view = (state.views[`i${o.i}`] ??= {});
    if (o.kind === 'replace') {
      view[`s${o.section}`] = {};
      return;
    }
    const section = (view[`s${o.section}`] ??= {});
    const key = `e${o.key}`;
    if (o.kind === 'put') section[key] = { v: o.v, list: [] };
    else if (o.kind === 'delete') delete section[key];
    else if (section[key] && o.kind === 'field') section[key].v = o.v;
    else if (section[key] && o.kind === 'push') section[key].list.push(o.v);
    else if (o.kind === 'deep') {
      if (section[key]) (section[key].deep ??= {})[`d${o.d}`] = { n: o.v };
    } else if (o.kind === 'bump') {
      const member = section[key]?.deep?.[`d${o.d}`];
      if (member) member.n++;
    } else if (o.kind === 'undeep') {
      const deep = section[key]?.deep;
      if (deep) delete deep[`d${o.d}`];
    }
  };
  // Sections large enough to stay watched between snapshots (a section mostly reached is no longer watched).
  const start = (): Live => {
    const state: Live = { views: {}, owners: {} };
    for (let i = 0; i < 3; i++) {
      const view: Live['views'][string] = (state.views[`i${i}`] = {});
      for (let s = 0; s < 3; s++) {
        const section: Live['views'][string][string] = (view[`s${s}`] = {});
        for (let k = 0; k < 200; k++) section[`e${k}`] = { v: k, list: [k], ...(k % 2 ? { deep: Object.fromEntries(Array.from({ length: 30 }, (_, d) => [`d${d}`, { n: d }])) } : {}) };
      }
    }
    for (let k = 0; k < 200; k++) state.owners[`k${k}`] = 'i0';
    return state;
  };
  fc.assert(sameAsMirror(op, start, apply, 300), { numRuns: 300 });
  t.pass('300 random histories');
});

t.test('members nobody reached are not serialized again: a change made behind the watch is not seen (why a projection keeps no references)', async (t) => {
  const live: Live = { views: { i: { s: { a: { v: 1, list: [] }, b: { v: 2, list: [] } } } }, owners: {} };
  const raw = live.views.i!.s!;
  snapshotOf(live); // the section is watched from now on; `raw` is its target, a reference a projection never holds
  raw.b!.v = 99;
  t.equal((snapshotOf(live) as Live).views.i!.s!.b!.v, 2, 'b was not reached: its text from the last snapshot is used');
  live.views.i!.s!.b!.v = 100;
  t.equal((snapshotOf(live) as Live).views.i!.s!.b!.v, 100, 'reached through the state: serialized again');
  t.equal(JSON.stringify(live), JSON.stringify({ views: { i: { s: { a: { v: 1, list: [] }, b: { v: 100, list: [] } } } }, owners: {} }), 'the live state still reads as before');
});

type Item = { v: number; pad: string };
type Lists = { views: Record<string, Record<string, Item[]>> };

t.test('a watched array, changed every way a projection changes one, always snapshots to what it holds (property)', async (t) => {
  const item = (v: number): Item => ({ v, pad: 'p'.repeat(400) });
  const op = fc.oneof(
    fc.record({ kind: fc.constant('push' as const), list: fc.nat(1), v: fc.integer() }),
    fc.record({ kind: fc.constant('push' as const), list: fc.nat(1), v: fc.integer() }),
    fc.record({ kind: fc.constant('set' as const), list: fc.nat(1), at: fc.nat(400), v: fc.integer() }),
    fc.record({ kind: fc.constant('mutate' as const), list: fc.nat(1), at: fc.nat(400), v: fc.integer() }),
    fc.record({ kind: fc.constant('truncate' as const), list: fc.nat(1), at: fc.nat(400) }),
    fc.record({ kind: fc.constant('splice' as const), list: fc.nat(1), at: fc.nat(400) }),
    fc.record({ kind: fc.constant('unshift' as const), list: fc.nat(1), v: fc.integer() }),
    fc.record({ kind: fc.constant('sort' as const), list: fc.nat(1) }),
    fc.record({ kind: fc.constant('hole' as const), list: fc.nat(1), at: fc.nat(400) }),
    fc.record({ kind: fc.constant('snapshot' as const) }),
    fc.record({ kind: fc.constant('snapshot' as const) }),
  );
  type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;
  const apply = (state: Lists, o: Op) => {
    if (o.kind === 'snapshot') return;
    const list = state.views.i![`l${o.list}`]!;
    if (o.kind === 'push') list.push(item(o.v));
    else if (o.kind === 'set') list[o.at % (list.length + 1)] = item(o.v);
    else if (o.kind === 'mutate') {
      const entry = list[o.at % Math.max(list.length, 1)];
      if (entry) entry.v = o.v;
    } else if (o.kind === 'truncate') list.length = o.at % (list.length + 1);
    else if (o.kind === 'splice') list.splice(o.at % Math.max(list.length, 1), 1);
    else if (o.kind === 'unshift') list.unshift(item(o.v));
    else if (o.kind === 'sort') list.sort((a, b) => (a?.v ?? 0) - (b?.v ?? 0));
    else if (o.kind === 'hole') list.length = list.length + (o.at % 3); // trailing holes, written as null
  };
  // Lists of ~240 KiB: several runs each, mostly untouched between two snapshots, so they stay watched.
  const start = (): Lists => ({ views: { i: { l0: Array.from({ length: 600 }, (_, k) => item(k)), l1: Array.from({ length: 600 }, (_, k) => item(-k)) } } });
  fc.assert(sameAsMirror(op, start, apply, 60), { numRuns: 100 });
  t.pass('100 random histories');
});

t.test('an array only appended to is serialized again only at its end', async (t) => {
  const live: Lists = { views: { i: { l: Array.from({ length: 600 }, (_, v) => ({ v, pad: 'p'.repeat(400) })) } } };
  const raw = live.views.i!.l!;
  const list = () => (snapshotOf(live) as Lists).views.i!.l!;
  list(); // the list is watched from now on; `raw` is its target, a reference a projection never holds
  raw[0]!.v = 99;
  live.views.i!.l!.push({ v: 600, pad: '' });
  const after = list();
  t.same(after.slice(-2), [{ v: 599, pad: 'p'.repeat(400) }, { v: 600, pad: '' }], 'the element pushed is in the next snapshot');
  t.equal(after[0]!.v, 0, 'the first element was not reached: its run\'s text from the last snapshot is used');
  live.views.i!.l![0]!.v = 100;
  t.equal(list()[0]!.v, 100, 'reached through the state: serialized again');
  live.views.i!.l!.length = 1;
  t.same(list(), [{ v: 100, pad: 'p'.repeat(400) }], 'a truncation is seen');
});

t.test('a section once mostly reached is watched again when it has grown to twice its size', async (t) => {
  const entry = (v: number) => ({ v, list: [] as number[] });
  const live: Live = { views: { i: { s: { a: entry(1), b: entry(2) } } }, owners: {} };
  snapshotOf(live);
  live.views.i!.s!.a!.v = 10;
  live.views.i!.s!.b!.v = 20;
  snapshotOf(live); // both of its two entries reached: no longer watched
  const grown = live.views.i!.s!; // the section itself now (no watch stands between)
  for (let k = 0; k < 200; k++) grown[`e${k}`] = entry(k);
  snapshotOf(live); // 202 entries, more than twice 2: watched again from here
  snapshotOf(live);
  grown.e5!.v = 555; // `grown` is the section's target now, behind the new watch
  t.equal((snapshotOf(live) as Live).views.i!.s!.e5!.v, 5, 'watched again: a member not reached keeps its text');
  live.views.i!.s!.e5!.v = 556;
  t.equal((snapshotOf(live) as Live).views.i!.s!.e5!.v, 556, 'reached through the state: serialized again');
});

t.test('an array or object only added to keeps runs of the usual size, not one more small chunk per snapshot', async (t) => {
  const live = { views: { i: { order: [] as string[], entries: {} as Record<string, string> } } };
  const mirror = { views: { i: { order: [] as string[], entries: {} as Record<string, string> } } };
  for (let s = 0; s < 60; s++) {
    for (let k = 0; k < 40; k++) {
      const id = `id-${s}-${k}-${'x'.repeat(80)}`;
      for (const state of [live, mirror]) {
        state.views.i.order.push(id);
        state.views.i.entries[id] = 'y'.repeat(100);
      }
    }
    if (!cutsAlike(live, mirror)) t.fail(`snapshot ${s}: the watched cut differs from a full cut`);
  }
  const chunks: string[] = [];
  splitState(mirror, (identity) => (chunks.push(identity), identity));
  t.ok(chunks.length < 60, `${chunks.length} chunks for 2,400 ids and 2,400 entries (≈ 500 KiB) after 60 snapshots`);
});

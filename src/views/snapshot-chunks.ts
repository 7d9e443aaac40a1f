/**
 * A projection's state (JSON) cut into chunks, so that a snapshot stores only the chunks that changed since the
 * snapshot before it (snapshot-store.ts). Most of a state stands still between two snapshots — the resource ledger's
 * old contributions, closed decisions, past activities — and writing all of it again every `SNAPSHOT_EVERY` events
 * made snapshot storage grow with the square of the history, and deflating it a large part of a rebuild.
 *
 * The cut follows the state's shape: objects (and arrays) down to `SPLIT_DEPTH` levels below the root are opened —
 * the root, `views`, one initiative's view, one of its sections — and what they hold is laid out in runs of members
 * of about `RUN_CHARS` characters. A section's entries (an indicator, a commitment, a decision) are thus grouped a few
 * dozen kilobytes at a time, and a run changes only when one of its entries does.
 *
 * The layout keeps every key in its original order, so the assembled state is the same as the live one, key order
 * included (what a view lists first does not change between live and `asOf`).
 */

import { isPlainObject } from '../canonical/plain-object.js';

/** How deep objects and arrays are opened (the root is level 0; a section's entries, at level 4, are kept whole). */
export const SPLIT_DEPTH = 4;

/** About how many characters a run of members holds (endsRun). */
export const RUN_CHARS = 32 * 1024;

/**
 * Where a state's chunks go: a reference per chunk (its text's hash, in the store). An object is a list of parts,
 * each a run of members (`"key":value,…`) or one opened member; an array is a list of runs of elements (`v,…`).
 * A string alone is the reference of a chunk holding a whole JSON value.
 */
export type Layout = string | { o: ObjectPart[] } | { a: string[] };
export type ObjectPart = string | [key: string, layout: Layout];

/**
 * Names a chunk in the layout. `identity` says where the chunk sits (the path of its container and its first key or
 * index): the same place in the next snapshot has the same identity, which is how an unchanged chunk is recognised
 * without hashing it again.
 */
export type ChunkRef = (identity: string, text: string) => string;

/** A 32-bit hash of a key (FNV-1a, then murmur3's finalizer so that every bit depends on every character). */
const hashKey = (key: string | number): number => {
  const text = typeof key === 'number' ? String(key) : key;
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
};

/**
 * Whether a run ends after this member: with a probability of its share of `RUN_CHARS`, drawn from its key's hash (its
 * index, in an array). Runs then hold about `RUN_CHARS` characters, and where one ends depends only on the member at
 * its end, never on what came before: an entry that changes, grows or appears moves at most the boundary at itself,
 * so the runs around it stay the same chunks. Four times `RUN_CHARS` ends a run whatever its last member.
 */
const endsRun = (key: string | number, memberChars: number, runChars: number): boolean =>
  runChars >= 4 * RUN_CHARS || hashKey(key) / 2 ** 32 < memberChars / RUN_CHARS;

const identityOf = (path: readonly (string | number)[], first: string | number): string => JSON.stringify([...path, first]);

/**
 * What a watched array remembers between two snapshots: the lowest index reached since the last one (an element read,
 * written or deleted, or the length set below it), and its runs of elements as they were then, by first index. A run
 * that ends below the lowest index reached cannot have changed, so its text is used again: an array a projection only
 * appends to (an order of ids, a list of activities) serializes again only its end.
 */
interface ArrayWatch {
  target: unknown[];
  /** How many elements it had at the last snapshot. */
  size: number;
  lowest: number;
  /** By first index; `last` marks the run the array's end closed (not `endsRun`): it grows with what is appended. */
  runs: Map<number, { count: number; text: string; last: boolean }>;
}
const arrayWatches = new WeakMap<object, ArrayWatch>();

/** The index a property key names, or undefined (a key like "01" counts as 1: reaching too low only serializes more). */
const indexOf = (key: string | symbol): number | undefined => {
  if (typeof key !== 'string' || key.length === 0) return undefined;
  const code = key.charCodeAt(0);
  return code >= 48 && code <= 57 ? Number(key) : undefined;
};

const watchedArray = (target: unknown[]): unknown[] => {
  const watch: ArrayWatch = { target, size: 0, lowest: Infinity, runs: new Map() };
  /** An element reached, or — `length` being set (`newLength` given) — every element from the new length on. */
  const reach = (key: string | symbol, newLength?: unknown) => {
    const index = key === 'length' ? (newLength === undefined ? undefined : Number(newLength)) : indexOf(key);
    if (index !== undefined && index < watch.lowest) watch.lowest = index;
  };
  const proxy = new Proxy(target, {
    get: (array, key) => {
      reach(key);
      return Reflect.get(array, key);
    },
    set: (array, key, value) => {
      reach(key, value);
      return Reflect.set(array, key, value);
    },
    deleteProperty: (array, key) => {
      reach(key);
      return Reflect.deleteProperty(array, key);
    },
    defineProperty: (array, key, descriptor) => {
      reach(key, descriptor.value ?? 0);
      return Reflect.defineProperty(array, key, descriptor);
    },
  });
  arrayWatches.set(proxy, watch);
  return proxy;
};

const splitArray = (array: readonly unknown[], path: readonly (string | number)[], ref: ChunkRef): Layout => {
  // A watched array is read through its target: reading through the proxy would count as reaching every element.
  const memory = arrayWatches.get(array);
  const source = memory?.target ?? array;
  const unchangedBelow = memory ? Math.min(memory.lowest, source.length) : 0;
  const remembered = new Map<number, { count: number; text: string; last: boolean }>();
  const runs: string[] = [];
  let run: string[] = [];
  let chars = 0;
  let first = 0;
  const close = (last: boolean) => {
    const text = run.join(',');
    runs.push(ref(identityOf(path, first), text));
    remembered.set(first, { count: run.length, text, last });
    run = [];
    chars = 0;
  };
  for (let i = 0; i < source.length; ) {
    const kept = run.length === 0 ? memory?.runs.get(i) : undefined;
    // The runs a full cut would make: one the array's end closed is not one once elements follow it.
    if (kept && i + kept.count <= unchangedBelow && (!kept.last || i + kept.count === source.length)) {
      runs.push(ref(identityOf(path, i), kept.text));
      remembered.set(i, kept);
      i += kept.count;
      continue;
    }
    if (run.length === 0) first = i;
    // As JSON.stringify does: an element that has no JSON form is written as null.
    const text = JSON.stringify(source[i]) ?? 'null';
    run.push(text);
    chars += text.length + 1;
    if (endsRun(i, text.length, chars)) close(false);
    i++;
  }
  if (run.length > 0) close(true);
  if (memory) {
    memory.runs = remembered;
    memory.size = source.length;
  }
  return { a: runs };
};

/**
 * What a watched object (see `splitState`'s `watch`) remembers between two snapshots: the members reached through it
 * since the last one (read, written or deleted), and its runs of members as they were then, by first key. A run none
 * of whose members was reached cannot have changed — a projection gets to an entry only through the objects that hold
 * it — so its text is used again without serializing its members.
 */
interface Watch {
  target: Record<string, unknown>;
  /** How many members it had at the last snapshot. */
  size: number;
  reached: Set<string>;
  /** By first key; `last` marks the run the object's end closed (not `endsRun`): it grows with the members added. */
  runs: Map<string, { keys: string[]; text: string; last: boolean }>;
}
const watches = new WeakMap<object, Watch>();
/**
 * Objects no longer watched, with how many members they had then: most of their members were reached between two
 * snapshots, so watching cost more than it saved. That can change as an object grows — a decisions register with two
 * decisions has both reached, one with two hundred a few — so one with twice as many members is watched again.
 */
const unwatched = new WeakMap<object, number>();

const watchedObject = (target: Record<string, unknown>): Record<string, unknown> => {
  const watch: Watch = { target, size: 0, reached: new Set(), runs: new Map() };
  const { reached } = watch;
  const proxy = new Proxy(target, {
    get: (object, key) => {
      if (typeof key === 'string') reached.add(key);
      return object[key as string];
    },
    set: (object, key, value) => {
      if (typeof key === 'string') reached.add(key);
      object[key as string] = value;
      return true;
    },
    deleteProperty: (object, key) => {
      if (typeof key === 'string') reached.add(key);
      return delete object[key as string];
    },
    defineProperty: (object, key, descriptor) => {
      if (typeof key === 'string') reached.add(key);
      return Reflect.defineProperty(object, key, descriptor);
    },
  });
  watches.set(proxy, watch);
  return proxy;
};

/** Whether the run remembered at `keys[at]` is still there, member for member, none of them reached. */
const unchangedRun = (run: { keys: string[] }, keys: readonly string[], at: number, reached: ReadonlySet<string>): boolean => {
  for (let j = 0; j < run.keys.length; j++) {
    const key = run.keys[j]!;
    if (keys[at + j] !== key || reached.has(key)) return false;
  }
  return true;
};

/** Whether `value`, or the object behind its watch, is a plain object (asked of the target: `isPlainObject` reads `toJSON`, which through the proxy would count as reached). */
const isPlainBehindWatch = (value: unknown): boolean => isPlainObject(watches.get(value as object)?.target ?? value);

/** Whether an object or array of a watched state is to be watched from now on. */
const toWatch = (value: object): boolean => {
  if (watches.has(value) || arrayWatches.has(value)) return false;
  const sizeWhenUnwatched = unwatched.get(value);
  if (sizeWhenUnwatched === undefined) return true;
  const size = Array.isArray(value) ? value.length : Object.keys(value).length;
  return size >= 2 * Math.max(sizeWhenUnwatched, 1);
};

/**
 * After a cut of `value`: the object or array behind its watch (the value itself when not watched), how many members it
 * has, and the share of them reached since the last snapshot (0 when not watched); what was reached is forgotten.
 */
const settleWatch = (value: object): { target: object; size: number; reachedShare: number } => {
  const object = watches.get(value);
  if (object) {
    const reachedShare = object.reached.size / Math.max(object.size, 1);
    object.reached.clear();
    return { target: object.target, size: object.size, reachedShare };
  }
  const array = arrayWatches.get(value);
  if (array) {
    const reachedShare = array.lowest < array.size ? (array.size - array.lowest) / array.size : 0;
    array.lowest = Infinity;
    return { target: array.target, size: array.size, reachedShare };
  }
  return { target: value, size: 0, reachedShare: 0 };
};

const splitObject = (object: Record<string, unknown>, path: readonly (string | number)[], ref: ChunkRef, watch: boolean): Layout => {
  const parts: ObjectPart[] = [];
  const opened = path.length + 1 < SPLIT_DEPTH;
  // A watched object is read through its target: reading through the proxy would count as reaching every member.
  const memory = watches.get(object);
  const source = memory?.target ?? object;
  const runs = new Map<string, { keys: string[]; text: string; last: boolean }>();
  const keys = Object.keys(source);
  let run: string[] = [];
  let runKeys: string[] = [];
  let chars = 0;
  const close = (last: boolean) => {
    const text = run.join(',');
    parts.push(ref(identityOf(path, runKeys[0]!), text));
    runs.set(runKeys[0]!, { keys: runKeys, text, last });
    run = [];
    runKeys = [];
    chars = 0;
  };
  for (let i = 0; i < keys.length; ) {
    const key = keys[i]!;
    let value = source[key];
    if (opened && (isPlainBehindWatch(value) || Array.isArray(value))) {
      if (run.length > 0) close(false);
      // From now on, what the projection reaches in this object or array is known (the live state holds the proxy).
      if (watch && toWatch(value as object)) {
        source[key] = value = Array.isArray(value) ? watchedArray(value) : watchedObject(value as Record<string, unknown>);
      }
      parts.push([key, split(value, [...path, key], ref, watch)]);
      const { target, size, reachedShare } = settleWatch(value as object);
      if (reachedShare > 0.5) {
        source[key] = target; // most of it is reached every time: serializing it is cheaper than watching it
        unwatched.set(target, size);
      }
      i++;
      continue;
    }
    const remembered = run.length === 0 ? memory?.runs.get(key) : undefined;
    // The runs a full cut would make: one the object's end closed is not one once members follow it.
    if (remembered && unchangedRun(remembered, keys, i, memory!.reached) && (!remembered.last || i + remembered.keys.length === keys.length)) {
      parts.push(ref(identityOf(path, key), remembered.text));
      runs.set(key, remembered);
      i += remembered.keys.length;
      continue;
    }
    i++;
    const text = JSON.stringify(value);
    if (text === undefined) continue; // a member JSON.stringify leaves out (undefined, a function)
    const member = `${JSON.stringify(key)}:${text}`;
    run.push(member);
    runKeys.push(key);
    chars += member.length + 1;
    if (endsRun(key, member.length, chars)) close(false);
  }
  if (run.length > 0) close(true);
  if (memory) {
    memory.runs = runs;
    memory.size = keys.length;
  }
  return { o: parts };
};

const split = (value: unknown, path: readonly (string | number)[], ref: ChunkRef, watch: boolean): Layout => {
  if (isPlainBehindWatch(value)) return splitObject(value as Record<string, unknown>, path, ref, watch);
  if (Array.isArray(value)) return splitArray(value, path, ref);
  return ref(identityOf(path, ''), JSON.stringify(value) ?? 'null');
};

/**
 * Cuts `state` into chunks, handing each to `ref`; returns the layout that puts them back together.
 *
 * With `watch` (the runner's live states), every object and array the cut opens below the root is replaced in the
 * state by a proxy that notes which of its members are reached (of an array, the lowest index), so the next cut
 * serializes again only those (of an array, from that index on): in a rebuild most of a state is never touched between
 * two snapshots. A projection's `apply` sees the same objects and arrays (it may read, write and delete members, push,
 * splice or sort as before); what it must not do is keep a reference to part of its state between two events, which a
 * pure projection has nowhere to keep, or put one object or array at two places of its state (each place gets its own
 * watch, and a change made through one is not seen by the other's).
 */
export const splitState = (state: unknown, ref: ChunkRef, options: { watch?: boolean } = {}): Layout => split(state, [], ref, options.watch ?? false);

/**
 * The state `layout` describes, given each chunk's text by its reference. Each chunk is parsed apart and its members
 * set in order (what `JSON.parse` of the whole text would give, key order included): the text of a whole state is
 * never made — megabytes in one string, each time in fresh memory, cost more than the parse.
 */
export const assembleState = (layout: Layout, textOf: (ref: string) => string): unknown => {
  if (typeof layout === 'string') return JSON.parse(textOf(layout)) as unknown;
  if ('a' in layout) {
    const array: unknown[] = [];
    for (const ref of layout.a) for (const element of JSON.parse(`[${textOf(ref)}]`) as unknown[]) array.push(element);
    return array;
  }
  const object: Record<string, unknown> = {};
  const set = (key: string, value: unknown) => {
    // As JSON.parse does, "__proto__" is an own member, not the prototype.
    if (key === '__proto__') Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
    else object[key] = value;
  };
  for (const part of layout.o) {
    if (typeof part !== 'string') set(part[0], assembleState(part[1], textOf));
    else {
      const run = JSON.parse(`{${textOf(part)}}`) as Record<string, unknown>;
      for (const key of Object.keys(run)) set(key, run[key]);
    }
  }
  return object;
};

/** Every chunk reference of a layout, in order. */
export const chunkRefs = (layout: Layout): string[] => {
  if (typeof layout === 'string') return [layout];
  if ('a' in layout) return [...layout.a];
  return layout.o.flatMap((part) => (typeof part === 'string' ? [part] : chunkRefs(part[1])));
};

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

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';

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

const splitArray = (array: readonly unknown[], path: readonly (string | number)[], ref: ChunkRef): Layout => {
  const runs: string[] = [];
  let run: string[] = [];
  let chars = 0;
  let first = 0;
  for (let i = 0; i < array.length; i++) {
    if (run.length === 0) first = i;
    // As JSON.stringify does: an element that has no JSON form is written as null.
    const text = JSON.stringify(array[i]) ?? 'null';
    run.push(text);
    chars += text.length + 1;
    if (endsRun(i, text.length, chars)) {
      runs.push(ref(identityOf(path, first), run.join(',')));
      run = [];
      chars = 0;
    }
  }
  if (run.length > 0) runs.push(ref(identityOf(path, first), run.join(',')));
  return { a: runs };
};

const splitObject = (object: Record<string, unknown>, path: readonly (string | number)[], ref: ChunkRef): Layout => {
  const parts: ObjectPart[] = [];
  const opened = path.length + 1 < SPLIT_DEPTH;
  let run: string[] = [];
  let chars = 0;
  let first = '';
  const close = () => {
    parts.push(ref(identityOf(path, first), run.join(',')));
    run = [];
    chars = 0;
  };
  for (const key of Object.keys(object)) {
    const value = object[key];
    if (opened && (isPlainObject(value) || Array.isArray(value))) {
      if (run.length > 0) close();
      parts.push([key, split(value, [...path, key], ref)]);
      continue;
    }
    const text = JSON.stringify(value);
    if (text === undefined) continue; // a member JSON.stringify leaves out (undefined, a function)
    if (run.length === 0) first = key;
    const member = `${JSON.stringify(key)}:${text}`;
    run.push(member);
    chars += member.length + 1;
    if (endsRun(key, member.length, chars)) close();
  }
  if (run.length > 0) close();
  return { o: parts };
};

const split = (value: unknown, path: readonly (string | number)[], ref: ChunkRef): Layout => {
  if (isPlainObject(value)) return splitObject(value, path, ref);
  if (Array.isArray(value)) return splitArray(value, path, ref);
  return ref(identityOf(path, ''), JSON.stringify(value) ?? 'null');
};

/** Cuts `state` into chunks, handing each to `ref`; returns the layout that puts them back together. */
export const splitState = (state: unknown, ref: ChunkRef): Layout => split(state, [], ref);

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

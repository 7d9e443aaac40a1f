/**
 * What an import refuses: a store that is not empty, and any bad line — named by its line number, with nothing
 * written (the whole file is checked before the first append). And what it reports when the store fails midway.
 */
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { exportLog } from '../../src/migration/export-log.js';
import { ImportError, importLog } from '../../src/migration/import-log.js';
import { LogLineError } from '../../src/migration/log-line.js';
import type { EventStore } from '../../src/store/event-store.js';
import { collect, contentOf, readEverything, seedStore, sqliteStore } from './fixtures.js';

const source = sqliteStore(t);
const written = await seedStore(source);
const out = collect();
await exportLog(source, out.write);
const lines = out.lines();

type Line = Record<string, unknown>;
const parsed = (i: number): Line => JSON.parse(lines[i]!) as Line;
const edit = (i: number, change: (line: Line) => Line): string[] => lines.map((text, j) => (j === i ? JSON.stringify(change(parsed(i))) : text));
/** Index of the first line of a stream's second event (revision 1). */
const secondOfAStream = lines.findIndex((text) => (JSON.parse(text) as Line).revision === 1);

t.test('a store that is not empty is refused, and left as it was', async (t) => {
  const target = sqliteStore(t);
  await target.append('already-here', [{ id: randomUUID(), type: 'Existing', data: {}, metadata: { ...written[0]!.metadata } }]);
  await t.rejects(importLog(target, lines), { name: 'ImportError', message: /not empty/ });
  t.equal((await readEverything(target)).length, 1);
});

const corruptions: Array<{ name: string; lines: string[]; line: number; message: RegExp }> = [
  {
    name: 'a seq gap (a line missing)',
    lines: lines.filter((_, i) => i !== 2),
    line: 3,
    message: /seq 3 where 2 was expected/,
  },
  {
    name: 'two lines swapped',
    lines: lines.map((text, i) => (i === 10 ? lines[11]! : i === 11 ? lines[10]! : text)),
    line: 11,
    message: /seq 11 where 10 was expected/,
  },
  {
    name: 'a revision gap',
    lines: edit(secondOfAStream, (line) => ({ ...line, revision: 2 })),
    line: secondOfAStream + 1,
    message: /has revision 2 where 1 was expected/,
  },
  {
    name: 'bad JSON',
    lines: lines.map((text, i) => (i === 4 ? text.slice(0, -5) : text)),
    line: 5,
    message: /not valid JSON/,
  },
  {
    name: 'a field missing',
    lines: edit(6, ({ metadata: _metadata, ...line }) => line),
    line: 7,
    message: /field metadata is missing/,
  },
  {
    name: 'an unknown field',
    lines: edit(7, (line) => ({ ...line, leafHash: 'ab' })),
    line: 8,
    message: /unknown field "leafHash"/,
  },
  {
    name: 'an id used twice',
    lines: edit(9, (line) => ({ ...line, id: parsed(3).id })),
    line: 10,
    message: /appears on an earlier line/,
  },
  {
    name: 'an id that is not a lowercase UUID',
    lines: edit(12, (line) => ({ ...line, id: 'not-a-uuid' })),
    line: 13,
    message: /id: must be a lowercase UUID/,
  },
  {
    name: 'metadata without recordedAt',
    lines: edit(14, (line) => ({ ...line, metadata: { actor: 'x' } })),
    line: 15,
    message: /recordedAt/,
  },
  {
    name: 'a lone surrogate, which has no UTF-8 form and so no leaf hash',
    lines: lines.map((text, i) => (i === 16 ? text.replace('"data":{', '"data":{"bad":"\\ud800",') : text)),
    line: 17,
    message: /cannot be hashed as a log leaf/,
  },
  {
    name: 'a bad last line (the lines before it are fine, and still nothing is written)',
    lines: lines.map((text, i) => (i === lines.length - 1 ? '{"seq":' : text)),
    line: lines.length,
    message: /not valid JSON/,
  },
];

for (const corruption of corruptions) {
  t.test(`refused: ${corruption.name}`, async (t) => {
    const target = sqliteStore(t);
    const error = await importLog(target, corruption.lines).then(
      () => undefined,
      (e: unknown) => e,
    );
    t.type(error, LogLineError);
    t.equal((error as LogLineError).line, corruption.line, 'the line number is reported');
    t.match((error as Error).message, new RegExp(`^line ${corruption.line}: `));
    t.match((error as Error).message, corruption.message);
    t.same(await readEverything(target), [], 'nothing was written');
  });
}

t.test('a store failing midway: the error says how far the import got, and that is what the store holds', async (t) => {
  const real = sqliteStore(t);
  let appends = 0;
  // The real store, except that its 20th append fails (as a full disk would).
  const failing: EventStore = {
    ...real,
    kind: real.kind,
    append: (stream, events, options) => (++appends === 20 ? Promise.reject(new Error('disk full')) : real.append(stream, events, options)),
  };
  const error = await importLog(failing, lines).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.type(error, ImportError);
  const { committed, stray, message } = error as ImportError;
  t.match(message, /disk full/);
  t.match(message, new RegExp(`holds seq 0…${committed - 1} \\(${committed} events\\) in order`));
  t.match(message, /import again into a new, empty store/);
  const stored = await readEverything(real);
  t.equal(stored.length, committed + stray, 'the store holds what the error reports');
  t.same(contentOf(stored.slice(0, committed)), contentOf(written.slice(0, committed)), 'the committed part is the file, in order');
  t.ok(committed > 0 && committed < written.length);
});

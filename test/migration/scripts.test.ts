/** `scripts/export.ts` and `scripts/import.ts` as an operator runs them: real processes, real files, exit codes. */
import t from 'tap';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { summarizeStore } from '../../src/migration/log-summary.js';
import { createSqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';
import { toHex } from '../../src/transparency/hashing.js';
import { collectLines, spawnTs } from '../helpers/child.js';
import { tempDir } from '../helpers/temp-dir.js';
import { contentOf, readEverything, seedStore, sqliteStore } from './fixtures.js';

/** The environment of the service, pointed at `dataDir` (and never at an EventStoreDB the test runner may have). */
const env = (dataDir: string) => ({ DATA_DIR: dataDir, EVENTSTORE_URL: '' });

const run = async (script: string, args: string[], extraEnv: Record<string, string>) => {
  const stdout: string[] = [];
  const result = await collectLines(spawnTs(script, args, extraEnv), (line) => stdout.push(line));
  return { ...result, stdout };
};

const field = (text: string, name: string): string | undefined => new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1];

t.test('npm run export, then npm run import into a new DATA_DIR: the same log', async (t) => {
  const source = sqliteStore(t);
  const written = await seedStore(source);
  const expectedRoot = toHex((await summarizeStore(source)).root);
  await source.close();

  const file = join(tempDir(t), 'log.ndjson');
  const exported = await run('scripts/export.ts', ['--out', file], env(source.dir));
  t.equal(exported.code, 0, exported.stderr);
  t.same(exported.stdout, [], 'with --out nothing goes to stdout');
  t.match(exported.stderr, `exported the sqlite store ${join(source.dir, 'events.sqlite')} to ${file}`);
  t.equal(field(exported.stderr, 'count'), String(written.length));
  t.equal(field(exported.stderr, 'last seq'), String(written.length - 1));
  t.equal(field(exported.stderr, 'root'), expectedRoot, 'export prints the root of the store');
  t.notOk(existsSync(`${file}.partial`), 'the partial file was renamed');
  t.equal(readFileSync(file, 'utf8').split('\n').length, written.length + 1, 'one line per event');

  const target = tempDir(t);
  const imported = await run('scripts/import.ts', ['--in', file, '--to-data-dir', target], env('/nonexistent-default-target'));
  t.equal(imported.code, 0, imported.stderr);
  const summary = imported.stdout.join('\n');
  t.match(summary, `imported ${file} into the sqlite store ${join(target, 'events.sqlite')}`);
  t.equal(field(summary, 'count'), String(written.length));
  t.equal(field(summary, 'last seq'), String(written.length - 1));
  t.equal(field(summary, 'root'), expectedRoot, 'import prints the root read back from the new store');
  t.equal(imported.stderr, '', 'no progress noise when stderr is not a terminal');

  const copy = createSqliteEventStore({ file: join(target, 'events.sqlite') });
  t.teardown(() => copy.close());
  t.same(contentOf(await readEverything(copy)), contentOf(written), 'the same events in the same order');

  const again = await run('scripts/import.ts', ['--in', file], env(target));
  t.equal(again.code, 1, 'importing again (into the configured, now full, store) is refused');
  t.match(again.stderr, /import refused, nothing was written: the target store is not empty/);
});

t.test('export to stdout', async (t) => {
  const source = sqliteStore(t);
  const written = await seedStore(source);
  await source.close();
  const exported = await run('scripts/export.ts', [], env(source.dir));
  t.equal(exported.code, 0, exported.stderr);
  t.equal(exported.stdout.length, written.length, 'NDJSON on stdout');
  t.same((JSON.parse(exported.stdout[0]!) as { seq: number }).seq, 0);
  t.match(exported.stderr, /to stdout\ncount \d+\n/, 'the summary goes to stderr');
});

t.test('a corrupted file is refused with its line number, exit code 1', async (t) => {
  const source = sqliteStore(t);
  await seedStore(source);
  await source.close();
  const dir = tempDir(t);
  const file = join(dir, 'log.ndjson');
  t.equal((await run('scripts/export.ts', ['--out', file], env(source.dir))).code, 0);
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.splice(1, 1); // drop seq 1
  writeFileSync(file, lines.join('\n'));

  const target = tempDir(t);
  const imported = await run('scripts/import.ts', ['--in', file, '--to-data-dir', target], env(target));
  t.equal(imported.code, 1);
  t.match(imported.stderr, /import refused, nothing was written: line 2: seq 2 where 1 was expected/);
  const store = createSqliteEventStore({ file: join(target, 'events.sqlite') });
  t.teardown(() => store.close());
  t.same(await store.readAll({ maxCount: 1 }), [], 'the target is still empty');
});

t.test('bad arguments and configuration: exit code 2 with one clear line', async (t) => {
  const dir = tempDir(t);
  const noIn = await run('scripts/import.ts', [], env(dir));
  t.equal(noIn.code, 2);
  t.match(noIn.stderr, /--in is required\nusage: npm run import/);
  const both = await run('scripts/import.ts', ['--in', 'x', '--to-data-dir', dir, '--to-eventstore', 'esdb://localhost:2113'], env(dir));
  t.equal(both.code, 2);
  t.match(both.stderr, /not both/);
  const badUrl = await run('scripts/import.ts', ['--in', 'x', '--to-eventstore', 'http://nope'], env(dir));
  t.equal(badUrl.code, 2);
  t.match(badUrl.stderr, /EVENTSTORE_URL: must be an esdb:\/\/ connection string/);
  const badEnv = await run('scripts/export.ts', [], { ...env(dir), LOG_LEVEL: 'loud' });
  t.equal(badEnv.code, 2);
  t.match(badEnv.stderr, /invalid configuration: LOG_LEVEL/);
});

/** Export → import, sqlite → sqlite: the same global order, the same seq numbers, the same root hash. */
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createFollower } from '../../src/follower/follower.js';
import { openLocalDatabase } from '../../src/follower/local-state.js';
import { checkLog } from '../../src/migration/check-log.js';
import { exportLog } from '../../src/migration/export-log.js';
import { importLog } from '../../src/migration/import-log.js';
import { readLines } from '../../src/migration/lines.js';
import { summarizeStore } from '../../src/migration/log-summary.js';
import type { EventStore } from '../../src/store/event-store.js';
import { toHex } from '../../src/transparency/hashing.js';
import { createLogConsumer } from '../../src/transparency/log-consumer.js';
import { createNodeStore } from '../../src/transparency/node-store.js';
import { collect, contentOf, readEverything, seedStore, sqliteStore, UNICODE } from './fixtures.js';

/** The root the service's own transparency log reaches over a store: follower + log consumer, as in production. */
const serviceRoot = async (store: EventStore, size: number): Promise<string> => {
  const localDb = openLocalDatabase(':memory:');
  const log = createLogConsumer(createNodeStore(localDb));
  const follower = createFollower({ store, localDb, consumers: [log.consumer] });
  await follower.start();
  while (log.size() < size) await sleep(5);
  await follower.stop();
  localDb.close();
  return toHex(log.root());
};

t.test('an export imported into an empty sqlite store reproduces order, content, seq and root', async (t) => {
  const source = sqliteStore(t);
  const written = await seedStore(source);
  t.ok(written.length > 300, `seeded ${written.length} events`);

  const out = collect();
  const exported = await exportLog(source, out.write, { pageSize: 37 });
  const lines = out.lines();
  t.equal(exported.count, written.length, 'one line per event');
  t.equal(exported.lastSeq, written.length - 1);
  t.equal(lines.length, written.length);
  const first = JSON.parse(lines[0]!) as Record<string, unknown>;
  t.same(Object.keys(first), ['seq', 'id', 'stream', 'revision', 'type', 'data', 'metadata'], 'each line is the leaf object');
  t.ok(out.text().includes('\u2028'), 'U+2028 stays raw inside a line (it is valid JSON and no line end)');

  const sourceRoot = toHex((await summarizeStore(source)).root);
  t.equal(toHex(exported.root), sourceRoot, 'the export reports the root of the store it read');
  t.equal(await serviceRoot(source, written.length), sourceRoot, 'the service log of the source has that root');
  t.equal(toHex((await checkLog(lines)).root), sourceRoot, 'the root of the NDJSON file is the same');

  const target = sqliteStore(t);
  const progress: string[] = [];
  const imported = await importLog(target, lines, { onProgress: ({ phase }) => void progress.push(phase) });
  t.equal(imported.count, written.length);
  t.equal(imported.lastSeq, written.length - 1);
  t.equal(toHex(imported.root), sourceRoot, 'the file root');
  t.equal(toHex(imported.store.root), sourceRoot, 'the root read back from the target store');
  t.same([...new Set(progress)], ['check', 'write', 'verify'], 'progress is reported for each phase');

  const copied = await readEverything(target);
  t.same(contentOf(copied), contentOf(written), 'ids, streams, revisions, types, data and metadata in the same global order');
  t.equal((copied.find((e) => e.type === 'ActivityLogged')?.data as { title: string }).title, UNICODE, 'unicode survives byte for byte');
  const large = copied.find((e) => e.type === 'EvidenceAttached')?.data as { blob: string };
  t.equal(large.blob.length, 1024 * 1024, 'the 1 MiB payload survives');
  t.equal(await serviceRoot(target, written.length), sourceRoot, 'the service log of the target reaches the same root');

  const again = collect();
  await exportLog(target, again.write);
  t.equal(again.text(), out.text(), 'exporting the copy gives the same file, byte for byte');
  t.ok(target.stats().commits < written.length / 2, `appends were group-committed (${target.stats().commits} commits for ${written.length} events)`);
});

t.test('an empty store exports an empty file, which imports as an empty log', async (t) => {
  const out = collect();
  const summary = await exportLog(sqliteStore(t), out.write);
  t.equal(out.text(), '');
  t.same({ count: summary.count, lastSeq: summary.lastSeq }, { count: 0, lastSeq: -1 });
  t.equal(toHex(summary.root), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'the empty root');
  const imported = await importLog(sqliteStore(t), []);
  t.equal(imported.count, 0);
});

t.test('a file with a byte-order mark, CRLF line ends and blank lines imports the same', async (t) => {
  const source = sqliteStore(t);
  await seedStore(source);
  const out = collect();
  const exported = await exportLog(source, out.write);
  const file = join(source.dir, 'edited.ndjson');
  writeFileSync(file, `\uFEFF${out.lines().join('\r\n')}\r\n\r\n  \n`);
  t.equal(toHex((await checkLog(() => readLines(file))).root), toHex(exported.root), 'the file root');
  const imported = await importLog(sqliteStore(t), () => readLines(file));
  t.equal(toHex(imported.store.root), toHex(exported.root), 'the imported store root');
});

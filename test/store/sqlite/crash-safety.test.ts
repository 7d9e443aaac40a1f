import t from 'tap';
import { join } from 'node:path';
import { createFollower } from '../../../src/follower/follower.js';
import { openLocalDatabase } from '../../../src/follower/local-state.js';
import { createSqliteEventStore } from '../../../src/store/sqlite/sqlite-event-store.js';
import { collectLines, spawnTs } from '../../helpers/child.js';
import { tempDir } from '../../helpers/temp-dir.js';

const until = async (check: () => boolean, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

t.test('SIGKILL mid-append loses no acknowledged event, half-writes nothing, keeps seq numbering', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'events.sqlite');
  const localFile = join(dir, 'local.sqlite');

  const acked = new Map<string, { stream: string; revision: number }>();
  const child = spawnTs('test/helpers/append-loop.ts', [file, 'Infinity', '16', localFile]);
  const exit = collectLines(child, (line) => {
    const [, id, stream, revision] = line.split(' ');
    acked.set(id!, { stream: stream!, revision: Number(revision) });
    // Kill while 16 writers are mid-flight, with appends queued for the next group commit.
    if (acked.size === 1500) child.kill('SIGKILL');
  });
  const { signal } = await exit;
  t.equal(signal, 'SIGKILL', 'the writer was killed, not finished');

  const store = createSqliteEventStore({ file });
  t.teardown(() => store.close());
  const all = [];
  for (let page = await store.readAll({ maxCount: 5000 }); page.length > 0; ) {
    all.push(...page);
    page = await store.readAll({ after: page[page.length - 1]!.position, maxCount: 5000 });
  }
  const stored = new Map(all.map((e) => [e.id, e]));
  const missing = [...acked.keys()].filter((id) => !stored.has(id));
  t.same(missing, [], 'every acknowledged append is present after the crash');
  for (const [id, where] of acked) {
    const event = stored.get(id)!;
    if (event.stream !== where.stream || event.revision !== where.revision) {
      t.fail(`event ${id} moved: ${event.stream}@${event.revision}`);
    }
  }
  const byStream = new Map<string, number[]>();
  for (const e of all) byStream.set(e.stream, [...(byStream.get(e.stream) ?? []), e.revision]);
  t.ok(
    [...byStream.values()].every((revisions) => revisions.every((r, i) => r === i)),
    'every stream is dense: no half-written batch, no hole',
  );
  t.ok(all.every((e) => (e.data as { text?: string }).text === 'ünïcødé ✓'), 'every stored payload is whole');

  // The child's follower numbered part of the log before it died; resuming must keep that numbering.
  const localDb = openLocalDatabase(localFile);
  t.teardown(() => localDb.close());
  const before = localDb.prepare('SELECT seq, event_id AS id FROM seq_index ORDER BY seq').all() as Array<{ seq: number; id: string }>;
  t.ok(before.length > 0, `the killed follower had numbered ${before.length} events`);
  const follower = createFollower({ store, localDb });
  await follower.start();
  await until(() => follower.head() === all.length - 1);
  await follower.stop();
  const after = localDb.prepare('SELECT seq, event_id AS id FROM seq_index ORDER BY seq').all() as Array<{ seq: number; id: string }>;
  t.same(after.slice(0, before.length), before, 'seq numbers given before the crash are unchanged');
  t.same(after.map((r) => r.id), all.map((e) => e.id), 'and the resumed numbering follows the global order densely');
});

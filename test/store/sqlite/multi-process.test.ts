import t from 'tap';
import { join } from 'node:path';
import { createSqliteEventStore } from '../../../src/store/sqlite/sqlite-event-store.js';
import { collectLines, spawnTs } from '../../helpers/child.js';
import { tempDir } from '../../helpers/temp-dir.js';

t.test('a follower sees, live, every event another process appends to the same file', async (t) => {
  const file = join(tempDir(t), 'events.sqlite');
  const store = createSqliteEventStore({ file });
  t.teardown(() => store.close());
  const controller = new AbortController();
  const seen: string[] = [];
  const following = (async () => {
    for await (const batch of store.follow({ signal: controller.signal })) {
      seen.push(...batch.map((e) => e.id));
      if (seen.length >= 400) controller.abort();
    }
  })();

  const acked: string[] = [];
  const child = spawnTs('test/helpers/append-loop.ts', [file, '400', '4']);
  const exit = await collectLines(child, (line) => acked.push(line.split(' ')[1]!));
  t.equal(exit.code, 0, `the writer process finished cleanly ${exit.stderr}`);
  await following;
  t.equal(acked.length, 400);
  t.equal(new Set(seen).size, 400, 'no event delivered twice');
  t.same([...seen].sort(), [...acked].sort(), 'every acknowledged event was followed');
  const stored = await store.readAll({ maxCount: 1000 });
  t.same(seen, stored.map((e) => e.id), 'in the global order');
});

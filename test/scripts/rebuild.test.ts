import t from 'tap';
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { api } from '../helpers/api.js';
import { collectLines, spawnTs } from '../helpers/child.js';
import { ADMIN_TOKEN, startService } from '../helpers/service.js';

t.test('npm run rebuild replays every projection from the log and leaves the same views', async (t) => {
  const service = await startService(t, { SNAPSHOT_EVERY: '10' });
  const c = api(service.app);
  const initiative = await c.launch();
  for (let i = 0; i < 12; i++) await c.created(`/initiatives/${initiative}/goals`, { title: `Goal ${i}` });
  const before = (await service.app.inject({ method: 'GET', url: `/initiatives/${initiative}/agenda`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
  await service.stop();

  const lines: string[] = [];
  const child = spawnTs('scripts/rebuild.ts', [], { DATA_DIR: service.dataDir, ADMIN_TOKEN, SNAPSHOT_EVERY: '10' });
  const { code, stderr } = await collectLines(child, (line) => lines.push(line));
  t.equal(code, 0, stderr);
  t.match(lines.join('\n'), /rebuilt common-agenda@1, shared-measurement@2, .* over 13 events/);
  t.match(stderr, /rebuild \[#+\] 13\/13 events/, 'progress is shown');
  const db = new Database(join(service.dataDir, 'local.sqlite'), { readonly: true });
  const snapshots = db.prepare("SELECT seq FROM snapshot_points WHERE projection = 'common-agenda' ORDER BY seq").pluck().all();
  db.close();
  t.same(snapshots, [9, 12], 'fresh snapshots every 10 events and at the end');

  const again = await startService(t, { DATA_DIR: service.dataDir, SNAPSHOT_EVERY: '10' });
  const after = (await again.app.inject({ method: 'GET', url: `/initiatives/${initiative}/agenda`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
  t.same(after, before, 'the rebuilt views answer as before');
});

t.test('npm run rebuild replays the whole log when the seq index it sizes its progress bar from is behind or missing', async (t) => {
  const service = await startService(t, { SNAPSHOT_EVERY: '10' });
  const c = api(service.app);
  const initiative = await c.launch();
  for (let i = 0; i < 12; i++) await c.created(`/initiatives/${initiative}/goals`, { title: `Goal ${i}` });
  const agenda = async (app: typeof service.app) =>
    (await app.inject({ method: 'GET', url: `/initiatives/${initiative}/agenda`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
  const before = await agenda(service.app);
  await service.stop();

  const rebuild = async () => {
    const lines: string[] = [];
    const child = spawnTs('scripts/rebuild.ts', [], { DATA_DIR: service.dataDir, ADMIN_TOKEN, SNAPSHOT_EVERY: '10' });
    const { code, stderr } = await collectLines(child, (line) => lines.push(line));
    t.equal(code, 0, stderr);
    return { out: lines.join('\n'), stderr };
  };

  // The index knows 6 of the 13 events (as if the service stopped before numbering the rest).
  const local = join(service.dataDir, 'local.sqlite');
  const db = new Database(local);
  db.prepare('DELETE FROM seq_index WHERE seq > 5').run();
  db.close();
  const behind = await rebuild();
  t.match(behind.out, /over 13 events/, 'the events the index did not know are replayed too');
  t.match(behind.stderr, /13\/13 events/, 'and the bar ends on the whole log');

  for (const suffix of ['', '-wal', '-shm']) rmSync(`${local}${suffix}`, { force: true });
  const missing = await rebuild();
  t.match(missing.out, /over 13 events/, 'without a local file the log is counted first');

  const again = await startService(t, { DATA_DIR: service.dataDir, SNAPSHOT_EVERY: '10' });
  t.same(await agenda(again.app), before, 'the rebuilt views answer as before');
});

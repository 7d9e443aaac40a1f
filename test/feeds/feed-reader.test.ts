import t from 'tap';
import { api } from '../helpers/api.js';
import { admin, startService } from '../helpers/service.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * The feed reader over a real service's store: events after any seq up to the follower's head, in pages, with
 * `through` covering events no feed carries; the same answers after a restart (it reads the log, not memory).
 */

const setUp = async (app: Parameters<typeof api>[0]) => {
  const c = api(app);
  const I = await c.launch();
  const P = await c.partner(I, 'River Trust');
  await c.key({ role: 'viewer', initiativeId: I }); // AccessKeyIssued: no feed carries it
  const G = await c.goal(I);
  return { I, P, G };
};

t.test('pages of feed items after a seq; through covers what no feed carries; nothing past the head', async (t) => {
  const service = await startService(t, { PUBLIC_URL: 'https://ledger.example.org' });
  const { I } = await setUp(service.app);
  const head = service.follower.head();
  t.equal(head, 3);

  const all = await service.feedReader.after(-1, 100);
  t.same(all.items.map((i) => i.seq), [0, 1, 3], 'seq 2 (the access key) is left out');
  t.equal(all.through, 3, 'through is the last seq read, up to the head');
  t.same(all.items.map((i) => i.type), ['InitiativeLaunched', 'PartnerJoined', 'GoalAdopted']);
  for (const item of all.items) {
    t.equal(item.initiativeId, I);
    t.match(JSON.parse(item.json), { specversion: '1.0', seq: item.seq, source: `https://ledger.example.org/initiatives/${I}` });
  }

  t.same(await service.feedReader.after(1, 1), { items: [], through: 2 }, 'an empty page still advances');
  t.same((await service.feedReader.after(0, 2)).through, 2);
  t.same(await service.feedReader.after(head, 100), { items: [], through: head }, 'at the head: nothing');
  t.same(await service.feedReader.after(head + 10, 100), { items: [], through: head + 10 }, 'beyond it: nothing, no error');
});

t.test('the same items after a restart: the reader reads the log', async (t) => {
  const dataDir = tempDir(t);
  const first = await startService(t, { DATA_DIR: dataDir });
  await setUp(first.app);
  const before = await first.feedReader.after(-1, 100);
  await first.stop();
  const second = await startService(t, { DATA_DIR: dataDir });
  t.same(await second.feedReader.after(-1, 100), before);
  const res = await second.app.inject({ method: 'GET', url: '/audit/events?from=0', headers: admin });
  t.same(
    before.items.map((i) => JSON.parse(i.json).id),
    res.json().entries.filter((e: { event: { type: string } }) => e.event.type !== 'AccessKeyIssued').map((e: { event: { id: string } }) => e.event.id),
    'the events of the log, by id',
  );
});

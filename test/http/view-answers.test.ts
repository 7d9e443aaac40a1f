import t from 'tap';
import { createAnswerCache } from '../../src/http/routes/views.js';
import { api } from '../helpers/api.js';
import { admin, startService } from '../helpers/service.js';

t.test('a view answer is kept per seq: the same bytes again, a new answer once the log moved, past points unchanged', async (t) => {
  const { app } = await startService(t);
  const c = api(app);
  const initiative = await c.launch();
  const partner = await c.partner(initiative, 'River Trust');
  const goal = await c.goal(initiative);
  const indicator = await c.indicator(initiative, goal);
  await c.reading(indicator, partner, { value: 30 });
  const get = (url: string) => app.inject({ method: 'GET', url, headers: admin });

  const first = await get(`/initiatives/${initiative}/measurement`);
  const again = await get(`/initiatives/${initiative}/measurement`);
  t.equal(first.statusCode, 200);
  t.match(first.headers['content-type'], /^application\/json; charset=utf-8$/);
  t.equal(again.body, first.body, 'the same bytes');
  const body = first.json() as { initiativeId: string; asOf: { seq: number; recordedAt: string }; view: { indicators: { level: number }[] } };
  t.same(Object.keys(body), ['initiativeId', 'asOf', 'view'], 'the fields the route schema names, in its order');
  t.same(Object.keys(body.asOf), ['seq', 'recordedAt']);
  t.equal(body.view.indicators[0]!.level, 1230);

  await c.reading(indicator, partner, { value: 20, period: { start: '2026-04-01', end: '2026-06-30' } });
  const moved = (await get(`/initiatives/${initiative}/measurement`)).json() as typeof body;
  t.equal(moved.asOf.seq, body.asOf.seq + 1, 'a write moves the point');
  t.equal(moved.view.indicators[0]!.level, 1250, 'and the answer with it');
  t.equal((await get(`/initiatives/${initiative}/measurement?asOf=${body.asOf.seq}`)).body, first.body, 'the earlier point answers as before');
  t.equal((await get(`/initiatives/${initiative}/agenda?asOf=${body.asOf.seq}`)).json().asOf.seq, body.asOf.seq, 'each view keeps its own answers');
  t.equal((await get(`/initiatives/${initiative}/measurement?asOf=99`)).statusCode, 404, 'errors are not kept');
});

t.test('the answer cache drops the least recently used answers beyond its size', async (t) => {
  const cache = createAnswerCache(10);
  cache.set('a', Buffer.from('aaaa'));
  cache.set('b', Buffer.from('bbbb'));
  t.ok(cache.get('a'), 'a is used again');
  cache.set('c', Buffer.from('cccc'));
  t.equal(cache.get('b'), undefined, 'b, the least recently used, is dropped');
  t.equal(cache.get('a')?.toString(), 'aaaa');
  t.equal(cache.get('c')?.toString(), 'cccc');
  cache.set('big', Buffer.from('x'.repeat(11)));
  t.equal(cache.get('big'), undefined, 'an answer larger than the whole cache is not kept');
  t.ok(cache.get('a') && cache.get('c'), 'and drops nothing');
});

import { gunzipSync } from 'node:zlib';
import t from 'tap';
import { COMPRESS_AT_LEAST_BYTES, createAnswerCache } from '../../src/http/answer-cache.js';
import { api } from '../helpers/api.js';
import { admin, startService } from '../helpers/service.js';

/** A service with one initiative whose one indicator has one reading (of 30). */
const withOneReading = async (t: Parameters<typeof startService>[0]) => {
  const { app } = await startService(t);
  const c = api(app);
  const initiative = await c.launch();
  const partner = await c.partner(initiative, 'River Trust');
  const goal = await c.goal(initiative);
  const indicator = await c.indicator(initiative, goal);
  await c.reading(indicator, partner, { value: 30 });
  return { app, c, initiative, partner, indicator };
};

t.test('a view answer is kept per seq: the same bytes again, a new answer once the log moved, past points unchanged', async (t) => {
  const { app, c, initiative, partner, indicator } = await withOneReading(t);
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
  t.equal(cache.get('a')?.identity.toString(), 'aaaa');
  t.equal(cache.get('c')?.identity.toString(), 'cccc');
  t.equal(cache.set('big', Buffer.from('x'.repeat(11))).identity.toString(), 'x'.repeat(11), 'an answer larger than the whole cache is answered');
  t.equal(cache.get('big'), undefined, 'but not kept');
  t.ok(cache.get('a') && cache.get('c'), 'and drops nothing');
});

t.test('a kept answer gains a gzip copy when asked to, off the event loop, and the copy counts toward the size', async (t) => {
  const json = Buffer.from(JSON.stringify({ view: Array.from({ length: 400 }, (_, i) => ({ indicator: i, level: i * 3 })) }));
  const cache = createAnswerCache(json.byteLength * 2);
  cache.set('old', json);
  cache.set('new', json);
  const compressing = cache.compress('new');
  t.equal(cache.compress('new'), compressing, 'one compression per answer, however often asked');
  t.equal(cache.get('new')?.gzip, undefined, 'not there before it is done');
  await compressing;
  const gzipped = cache.get('new')?.gzip;
  t.ok(gzipped && gzipped.byteLength < json.byteLength / 4, 'a smaller copy');
  t.same(gunzipSync(gzipped!), json, 'that inflates to the same bytes');
  t.equal(cache.get('old'), undefined, 'the copy made room: the least recently used answer was dropped');

  const small = createAnswerCache(1 << 20);
  small.set('tiny', Buffer.from('{"view":[]}'));
  await small.compress('tiny');
  t.equal(small.get('tiny')?.gzip, undefined, `answers under ${COMPRESS_AT_LEAST_BYTES} bytes are not compressed`);
  await small.compress('absent');
  t.equal(small.get('absent'), undefined, 'nor answers not kept');

  const replaced = createAnswerCache(1 << 20);
  replaced.set('key', json);
  const before = replaced.compress('key');
  const newer = Buffer.from(JSON.stringify({ view: 'another answer '.repeat(200) }));
  replaced.set('key', newer);
  await before;
  t.equal(replaced.get('key')?.gzip, undefined, 'a copy finished after its answer was replaced is not attached to the new one');
  await replaced.compress('key');
  t.same(gunzipSync(replaced.get('key')!.gzip!), newer);
});

t.test('a view read again is served gzipped to a client that accepts gzip, uncompressed to any other', async (t) => {
  const { app, initiative } = await withOneReading(t);
  const url = `/initiatives/${initiative}/measurement`;
  const get = (acceptEncoding?: string) =>
    app.inject({ method: 'GET', url, headers: { ...admin, ...(acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding }) } });

  const first = await get('gzip, deflate, br');
  t.equal(first.statusCode, 200);
  t.equal(first.headers['content-encoding'], undefined, 'the first read is answered at once, uncompressed');
  t.equal(first.headers.vary, 'accept-encoding', 'caches are told the answer depends on Accept-Encoding');
  t.ok(first.rawPayload.byteLength >= COMPRESS_AT_LEAST_BYTES, 'an answer worth compressing');

  let gzipped = await get('gzip, deflate, br');
  for (let tries = 0; gzipped.headers['content-encoding'] === undefined && tries < 100; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    gzipped = await get('gzip, deflate, br');
  }
  t.equal(gzipped.headers['content-encoding'], 'gzip', 'once compressed, reads get the gzip copy');
  t.match(gzipped.headers['content-type'], /^application\/json; charset=utf-8$/);
  t.equal(Number(gzipped.headers['content-length']), gzipped.rawPayload.byteLength);
  t.ok(gzipped.rawPayload.byteLength < first.rawPayload.byteLength / 2, 'fewer bytes');
  t.same(gunzipSync(gzipped.rawPayload), first.rawPayload, 'the same answer');

  for (const header of [undefined, 'identity', 'gzip;q=0', 'br']) {
    const plain = await get(header);
    t.equal(plain.headers['content-encoding'], undefined, `Accept-Encoding ${header ?? '(none)'}: uncompressed`);
    t.same(plain.rawPayload, first.rawPayload);
  }
});

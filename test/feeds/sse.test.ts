import t, { type Test } from 'tap';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { createService } from '../../src/service.js';
import { api } from '../helpers/api.js';
import { ADMIN_TOKEN, admin, startService } from '../helpers/service.js';
import { openSse, type SseEvent, type SseStream } from '../helpers/sse-client.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * `GET /feeds/events` over real HTTP (a listening server, a spec-following SSE parser): live CloudEvents with
 * `id:` = seq, resume by `after` and Last-Event-ID (also across a restart), filters, scoping by role, heartbeats,
 * checkpoints, framing of multi-line text, slow clients dropped, and shutdown that does not wait on streams.
 */

type Service = Awaited<ReturnType<typeof startService>>;

const listen = async (service: Service) => {
  await service.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = service.app.server.address() as { port: number };
  return `http://127.0.0.1:${port}`;
};

/** Opens a stream and waits for its opening comment (the server has subscribed by then). */
const stream = async (t: Test, url: string, headers: Record<string, string> = admin): Promise<SseStream> => {
  const s = await openSse(url, headers);
  t.teardown(() => s.close());
  if (s.status === 200) await s.until((x) => x.comments.length > 0);
  return s;
};

const cloudEvent = (e: SseEvent) => JSON.parse(e.data) as { specversion: string; id: string; source: string; type: string; time: string; seq: number; data: Record<string, unknown>; datacontenttype: string };
const seqs = (s: SseStream) => s.events.filter((e) => e.event === 'message').map((e) => Number(e.id));
const typesOf = (s: SseStream) => s.events.filter((e) => e.event === 'message').map((e) => cloudEvent(e).type);

/** A small initiative: launch, partner, goal, strategy, indicator (5 feed events); answers ids. */
const setUp = async (service: Service, name = 'Clean River Partnership') => {
  const c = api(service.app);
  const I = await c.launch(name);
  const P = await c.partner(I, `${name} partner`);
  const G = await c.goal(I);
  const S = await c.strategy(I, G);
  const indicator = await c.indicator(I, G);
  return { c, I, P, G, S, indicator };
};

/** Every feed-visible seq of the log, read back through the audit API. */
const feedSeqsOfLog = async (service: Service) => {
  const res = await service.app.inject({ method: 'GET', url: '/audit/events?from=0&limit=5000', headers: admin });
  const entries = res.json().entries as Array<{ seq: number; event: { type: string } }>;
  return entries.filter((e) => !e.event.type.startsWith('AccessKey') && !e.event.type.startsWith('Subscription')).map((e) => e.seq);
};

t.test('live events arrive as CloudEvents 1.0 with id = seq, in order, starting at the head', async (t) => {
  const service = await startService(t, { PUBLIC_URL: 'https://ledger.example.org/' });
  const base = await listen(service);
  await setUp(service, 'Before the stream');
  const head = service.follower.head();
  const s = await stream(t, `${base}/feeds/events`);
  t.equal(s.status, 200);
  t.match(s.headers['content-type'], /^text\/event-stream/);
  t.match(s.comments[0], `stream after seq ${head}`, 'the opening comment names the resume point');

  const { I } = await setUp(service);
  await s.until((x) => x.events.length >= 5);
  const ids = seqs(s);
  t.same(ids, [head + 1, head + 2, head + 3, head + 4, head + 5], 'only events from now on, in seq order');
  for (const e of s.events) {
    const ce = cloudEvent(e);
    t.equal(ce.specversion, '1.0');
    t.equal(ce.seq, Number(e.id), 'the SSE id is the CloudEvent seq');
    t.equal(ce.source, `https://ledger.example.org/initiatives/${I}`, 'source: the initiative under PUBLIC_URL');
    t.equal(ce.datacontenttype, 'application/json');
    t.match(ce.type, /^org\.impact-ledger\.[a-z-]+\.[a-z-]+$/);
    t.match(ce.id, /^[0-9a-f-]{36}$/);
    t.ok(ce.time && ce.data);
  }
  t.same(typesOf(s), ['org.impact-ledger.initiative.launched', 'org.impact-ledger.partner.joined', 'org.impact-ledger.goal.adopted', 'org.impact-ledger.strategy.adopted', 'org.impact-ledger.indicator.defined']);
});

t.test('resume with ?after or Last-Event-ID: no gap, no duplicate; Last-Event-ID wins; after=-1 is the whole log', async (t) => {
  const service = await startService(t);
  const base = await listen(service);
  await setUp(service, 'One');
  await setUp(service, 'Two');
  await api(service.app).key({ role: 'viewer' }); // an event no feed carries, inside the range
  await setUp(service, 'Three');
  const all = await feedSeqsOfLog(service);
  const head = service.follower.head();

  const whole = await stream(t, `${base}/feeds/events?after=-1`);
  await whole.until((x) => seqs(x).at(-1) === head);
  t.same(seqs(whole), all, 'after=-1: every feed event of the log');

  const fromSeven = await stream(t, `${base}/feeds/events?after=7`);
  await fromSeven.until((x) => seqs(x).at(-1) === head);
  t.same(seqs(fromSeven), all.filter((seq) => seq > 7), 'after=7: from seq 8 on');

  const resumed = await stream(t, `${base}/feeds/events?after=2`, { ...admin, 'last-event-id': '9' });
  await resumed.until((x) => seqs(x).at(-1) === head);
  t.same(seqs(resumed), all.filter((seq) => seq > 9), 'Last-Event-ID takes precedence over after (EventSource keeps the URL)');

  // Live continues after catching up, without a duplicate at the seam.
  await setUp(service, 'Four');
  await fromSeven.until((x) => seqs(x).length === all.filter((seq) => seq > 7).length + 5);
  const ids = seqs(fromSeven);
  t.same(ids, [...new Set(ids)].sort((a, b) => a - b), 'strictly increasing: no duplicate');
  t.same(ids.at(-1), service.follower.head());

  const beyond = await stream(t, `${base}/feeds/events?after=${service.follower.head() + 2}`);
  await setUp(service, 'Five');
  await beyond.until((x) => seqs(x).length >= 3);
  t.same(seqs(beyond), [service.follower.head() - 2, service.follower.head() - 1, service.follower.head()], 'an after beyond the head waits for it');
});

t.test('resume across a restart on the same DATA_DIR: no gap, no duplicate', async (t) => {
  const dataDir = tempDir(t);
  const first = await startService(t, { DATA_DIR: dataDir });
  let base = await listen(first);
  await setUp(first, 'Before');
  const live = await stream(t, `${base}/feeds/events?after=-1`);
  await live.until((x) => seqs(x).at(-1) === first.follower.head());
  const lastSeen = live.events[2]!.lastEventId; // the client got three messages, then the server went away
  const stopped = first.stop();
  await live.until((x) => x.ended, 5_000);
  await stopped;

  const second = await startService(t, { DATA_DIR: dataDir });
  base = await listen(second);
  const resumed = await stream(t, `${base}/feeds/events`, { ...admin, 'last-event-id': lastSeen });
  await setUp(second, 'After');
  const all = await feedSeqsOfLog(second);
  await resumed.until((x) => seqs(x).at(-1) === second.follower.head());
  t.same(seqs(resumed), all.filter((seq) => seq > Number(lastSeen)), 'the rest of the log from the store, then live');
});

t.test('filters: initiative and types; unknown types and malformed resume points are 400 naming the field', async (t) => {
  const service = await startService(t);
  const base = await listen(service);
  const one = await setUp(service, 'One');
  const two = await setUp(service, 'Two');
  await one.c.reading(one.indicator, one.P);
  await two.c.reading(two.indicator, two.P);
  const head = service.follower.head();

  const onlyTwo = await stream(t, `${base}/feeds/events?after=-1&initiative=${two.I}`);
  await onlyTwo.until((x) => x.events.length === 6);
  t.ok(onlyTwo.events.every((e) => cloudEvent(e).source.endsWith(`/initiatives/${two.I}`)), 'only initiative Two');

  const readings = await stream(t, `${base}/feeds/events?after=-1&types=ReadingRecorded,VoteCast`);
  await readings.until((x) => x.events.length === 2);
  t.same(typesOf(readings), ['org.impact-ledger.reading.recorded', 'org.impact-ledger.reading.recorded']);
  await one.c.reading(one.indicator, one.P, { period: { start: '2026-04-01', end: '2026-06-30' } });
  await readings.until((x) => x.events.length === 3);
  t.equal(seqs(readings).at(-1), head + 1, 'live events are filtered the same way');

  // A filter may name a type as the items carry it: the CloudEvents type (and the checkpoint's).
  const byCloudEventType = await stream(t, `${base}/feeds/events?after=-1&types=org.impact-ledger.reading.recorded,org.impact-ledger.checkpoint.signed`);
  await byCloudEventType.until((x) => x.events.length === 3);
  t.same(seqs(byCloudEventType), seqs(readings), 'the same readings as by catalog name');

  const bad = async (query: string, headers: Record<string, string> = {}) => {
    const res = await service.app.inject({ method: 'GET', url: `/feeds/events${query}`, headers: { ...admin, ...headers } });
    t.equal(res.statusCode, 400, `${query} ${JSON.stringify(headers)} → 400`);
    t.match(res.headers['content-type'], /^application\/problem\+json/);
    return res.json().errors?.map((e: { path: string }) => e.path);
  };
  t.same(await bad('?types=ReadingRecorded,Bogus'), ['querystring.types']);
  t.same(await bad('?types=AccessKeyIssued'), ['querystring.types'], 'administrative events are not feed types');
  t.same(await bad('?types=org.impact-ledger.access-key.issued'), ['querystring.types'], 'not by their CloudEvents type either');
  t.same(await bad('?types=org.impact-ledger.reading.bogus'), ['querystring.types']);
  t.same(await bad('?after=-2'), ['querystring.after']);
  t.same(await bad('?after=abc'), ['querystring.after']);
  t.same(await bad('?after=1.5'), ['querystring.after']);
  t.same(await bad('?initiative=nope'), ['querystring.initiative']);
  t.same(await bad('?bogus=1'), ['querystring.bogus']);
  t.same(await bad('', { 'last-event-id': '-2' }), ['headers.last-event-id']);
  t.same(await bad('', { 'last-event-id': 'abc' }), ['headers.last-event-id']);
});

t.test('a stream opens with its resume point as an id: a client that got no event yet resumes there, missing nothing', async (t) => {
  const service = await startService(t);
  const base = await listen(service);
  const { I, P, c } = await setUp(service, 'Quiet');
  const head = service.follower.head();
  // Only votes: none is cast while this client is connected, so no event reaches it.
  const quiet = await stream(t, `${base}/feeds/events?types=VoteCast`);
  await quiet.until((x) => x.raw().includes(`id: ${head}\n\n`));
  t.equal(quiet.events.length, 0, 'the resume point is no event (an id without data dispatches nothing)');
  t.equal(quiet.lastEventId, String(head), 'but an EventSource now holds it as its Last-Event-ID');
  quiet.close();

  // While it is away, a decision is proposed and voted on.
  const decision = await c.decision(I);
  t.equal((await c.post(`/decisions/${decision}/votes`, { partnerId: P, option: 'yes' })).status, 201);
  const back = await stream(t, `${base}/feeds/events?types=VoteCast`, { ...admin, 'last-event-id': quiet.lastEventId });
  await back.until((x) => x.events.length === 1);
  t.equal(JSON.parse(back.events[0]!.data).type, 'org.impact-ledger.decision.vote-cast', 'the vote cast while it was away');

  // An empty log opens at -1, which is a valid Last-Event-ID too.
  const empty = await startService(t);
  const emptyBase = await listen(empty);
  const fresh = await stream(t, `${emptyBase}/feeds/events`);
  await fresh.until((x) => x.lastEventId === '-1');
  await api(empty.app).launch('First');
  const resumed = await stream(t, `${emptyBase}/feeds/events`, { ...admin, 'last-event-id': '-1' });
  await resumed.until((x) => x.events.length === 1);
  t.equal(resumed.events[0]!.id, '0', 'from the first event of the log');
});

t.test('scoping by role: 401 without a key, viewers 403, scoped keys only their initiative', async (t) => {
  const service = await startService(t);
  const base = await listen(service);
  const one = await setUp(service, 'One');
  const two = await setUp(service, 'Two');
  const c = one.c;
  const partner = (await c.key({ role: 'partner', initiativeId: one.I, partnerId: one.P })).headers;
  const backbone = (await c.key({ role: 'backbone', initiativeId: one.I })).headers;
  const viewer = (await c.key({ role: 'viewer', initiativeId: one.I })).headers;
  const auditor = (await c.key({ role: 'auditor' })).headers;
  const scopedAuditor = (await c.key({ role: 'auditor', initiativeId: two.I })).headers;

  t.equal((await openSse(`${base}/feeds/events`)).status, 401, 'no key');
  t.equal((await openSse(`${base}/feeds/events`, viewer)).status, 403, 'viewers read views, not the event feed');
  t.equal((await openSse(`${base}/feeds/events?initiative=${two.I}`, partner)).status, 403, 'a partner asking for another initiative');
  t.equal((await openSse(`${base}/feeds/events?initiative=${one.I}`, scopedAuditor)).status, 403, 'a scoped auditor asking for another initiative');

  const sources = async (headers: Record<string, string>, count: number) => {
    const s = await stream(t, `${base}/feeds/events?after=-1`, headers);
    t.equal(s.status, 200);
    await s.until((x) => x.events.length >= count);
    return new Set(s.events.map((e) => new URL(cloudEvent(e).source).pathname));
  };
  t.same(await sources(partner, 5), new Set([`/initiatives/${one.I}`]), 'partner: its initiative only');
  t.same(await sources(backbone, 5), new Set([`/initiatives/${one.I}`]), 'backbone: its initiative only');
  t.same(await sources(scopedAuditor, 5), new Set([`/initiatives/${two.I}`]), 'scoped auditor: its initiative');
  t.same(await sources(auditor, 10), new Set([`/initiatives/${one.I}`, `/initiatives/${two.I}`]), 'deployment-wide auditor: all');
});

t.test('heartbeat comments keep an idle stream open', async (t) => {
  const service = await startService(t, { SSE_HEARTBEAT_MS: '150' });
  const base = await listen(service);
  const s = await stream(t, `${base}/feeds/events`);
  await s.until((x) => x.comments.filter((c) => c === 'heartbeat').length >= 2, 5_000);
  t.equal(s.events.length, 0, 'comments are not events');
  t.pass('two heartbeats arrived');
});

t.test('checkpoints are feed items: event checkpoint, after the events they cover, selectable as types=checkpoint', async (t) => {
  const service = await startService(t, { CHECKPOINT_EVERY: '5' });
  const base = await listen(service);
  const everything = await stream(t, `${base}/feeds/events`);
  const onlyCheckpoints = await stream(t, `${base}/feeds/events?types=checkpoint`);
  const onlyEvents = await stream(t, `${base}/feeds/events?types=InitiativeLaunched,PartnerJoined,GoalAdopted,StrategyAdopted,IndicatorDefined`);
  const everyEvent = await stream(t, `${base}/feeds/events?types=*`);
  const everyEventAndCheckpoints = await stream(t, `${base}/feeds/events?types=*,checkpoint`);
  await setUp(service);
  await setUp(service, 'Two');
  await everything.until((x) => x.events.filter((e) => e.event === 'checkpoint').length >= 2);
  const checkpoints = everything.events.filter((e) => e.event === 'checkpoint');
  for (const e of checkpoints) {
    const ce = cloudEvent(e);
    t.equal(ce.type, 'org.impact-ledger.checkpoint.signed');
    t.equal(e.id, undefined, 'no id: a checkpoint never moves the resume point');
    const size = ce.data.treeSize as number;
    const index = everything.events.indexOf(e);
    t.equal(everything.events[index - 1]!.id, String(size - 1), `checkpoint of size ${size} right after seq ${size - 1}`);
    t.match(ce.data.note, /^[^\n]+\n\d+\n[A-Za-z0-9+/=]+\n\n— /, 'a signed note');
  }
  await onlyCheckpoints.until((x) => x.events.length >= 2);
  t.ok(onlyCheckpoints.events.every((e) => e.event === 'checkpoint'), 'types=checkpoint: only checkpoints');
  await onlyEvents.until((x) => x.events.length >= 10);
  t.ok(onlyEvents.events.every((e) => e.event === 'message'), 'event types without checkpoint: no checkpoints');
  await everyEventAndCheckpoints.until((x) => x.events.length >= everything.events.length);
  t.same(everyEventAndCheckpoints.events.map((e) => e.data), everything.events.map((e) => e.data), 'types=*,checkpoint: what no filter sends');
  const events = everything.events.filter((e) => e.event === 'message');
  await everyEvent.until((x) => x.events.length >= events.length);
  t.same(everyEvent.events.map((e) => e.data), events.map((e) => e.data), 'types=*: every event, no checkpoint');
});

t.test('framing: LF, CRLF and CR in text arrive intact, each message one data line', async (t) => {
  const service = await startService(t);
  const base = await listen(service);
  const { c, I, S, P } = await setUp(service);
  const s = await stream(t, `${base}/feeds/events`);
  const title = 'line one\nline two\r\nline three\rline four';
  const minutes = 'a\r\n\r\nb\n\nc\r\rd: not a field\nid: 999\nevent: nope\n\ndata: injected';
  await c.created(`/initiatives/${I}/activities`, { strategyId: S, title, kind: 'training', date: '2026-02-02', partnerIds: [P], minutes });
  await s.until((x) => x.events.length === 1);
  const ce = cloudEvent(s.events[0]!);
  t.equal(ce.data.title, title);
  t.equal(ce.data.minutes, minutes);
  t.equal(s.events[0]!.id, String(service.follower.head()), 'no injected id');
  const idFrames = s.raw().split('\n\n').filter((frame) => frame.startsWith('id:'));
  t.same(idFrames[0], `id: ${service.follower.head() - 1}`, 'first, the resume point (an id alone)');
  const frames = idFrames.slice(1);
  t.equal(frames.length, 1);
  t.same(frames[0]!.split('\n').map((line) => line.split(':')[0]), ['id', 'data'], 'one id line and one data line');
  t.notOk(/\r/.test(s.raw()), 'no CR anywhere in the stream');
});

t.test('a client that stops reading is dropped; memory stays bounded; the hub forgets it', async (t) => {
  const lines: Array<{ msg?: string; bufferedBytes?: number; cursor?: number }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const maxBufferBytes = 64 * 1024;
  const config = loadConfig({ DATA_DIR: tempDir(t), ADMIN_TOKEN, SSE_SLOW_CLIENT_MS: '300', SSE_MAX_BUFFER_BYTES: String(maxBufferBytes), LOG_LEVEL: 'info' });
  const service = Object.assign(await createService(config, pino({ level: 'info' }, sink)), { dataDir: config.dataDir });
  t.teardown(() => service.stop());
  const base = await listen(service);
  const { c, I, S, P } = await setUp(service);

  // A raw client that sends the request, then never reads: the kernel buffers fill, then the server's.
  const { port } = new URL(base);
  const socket = connect(Number(port), '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(`GET /feeds/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\nAccept: text/event-stream\r\n\r\n`);
  let closedByServer = false;
  socket.on('end', () => (closedByServer = true));
  socket.on('close', () => (closedByServer = true));
  socket.on('error', () => (closedByServer = true));
  socket.pause();
  const until = async (done: () => boolean, what: string) => {
    for (let i = 0; i < 1000 && !done(); i++) await new Promise((r) => setTimeout(r, 20));
    t.ok(done(), what);
  };
  await until(() => service.liveHub.clients().connected === 1, 'the client is connected');

  // ≈ 120 kB per event (20,000-character minutes and 100 outputs of 1,000): enough to fill any loopback buffers.
  const minutes = 'm'.repeat(20_000);
  const outputs = Array.from({ length: 100 }, (_, i) => `${i}`.padEnd(1_000, 'o'));
  for (let i = 0; i < 120 && service.liveHub.clients().connected > 0; i++) {
    await c.created(`/initiatives/${I}/activities`, { strategyId: S, title: `Workshop ${i}`, kind: 'training', date: '2026-02-02', partnerIds: [P], minutes, outputs });
  }
  await until(() => service.liveHub.clients().connected === 0, 'the server dropped the client and the hub holds nothing of it');
  t.same(service.liveHub.clients(), { connected: 0, waiting: 0 });
  const dropped = lines.find((line) => line.msg?.startsWith('SSE client too slow'));
  t.ok(dropped, 'the drop is logged at info');
  t.ok(dropped!.bufferedBytes! <= maxBufferBytes + 2 * 130_000, `the server held at most its bound for the client (${dropped!.bufferedBytes} bytes)`);
  t.notOk(JSON.stringify(lines).includes(ADMIN_TOKEN), 'no key in the logs');

  socket.resume(); // read what the kernel kept: the stream then ends, cut by the server
  await until(() => closedByServer, 'the connection was closed by the server');
  socket.destroy();

  // The service is fine: a fresh client resumes where it likes.
  const again = await stream(t, `${base}/feeds/events?after=${service.follower.head() - 1}`);
  await again.until((x) => x.events.length === 1);
  t.equal(again.events[0]!.id, String(service.follower.head()));
});

t.test('stop() ends open streams promptly instead of waiting for the clients', async (t) => {
  const service = await startService(t);
  const base = await listen(service);
  const streams = await Promise.all([stream(t, `${base}/feeds/events`), stream(t, `${base}/feeds/events?after=-1`)]);
  const started = Date.now();
  await service.stop();
  t.ok(Date.now() - started < 3_000, `stopped in ${Date.now() - started} ms`);
  for (const s of streams) await s.until((x) => x.ended, 2_000);
  t.pass('the clients saw their streams end');
});

t.test('the route is documented: query parameters, Last-Event-ID, text/event-stream', async (t) => {
  const service = await startService(t);
  const doc = (await service.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  const operation = doc.paths['/feeds/events'].get;
  t.equal(operation.operationId, 'streamFeedEvents');
  t.same(
    operation.parameters.map((p: { in: string; name: string }) => `${p.in}:${p.name}`).sort(),
    ['header:last-event-id', 'query:after', 'query:initiative', 'query:types'],
  );
  t.same(Object.keys(operation.responses['200'].content), ['text/event-stream']);
});

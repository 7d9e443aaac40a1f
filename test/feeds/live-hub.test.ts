import t from 'tap';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SequencedEvent } from '../../src/follower/consumer.js';
import { toFeedItem, type FeedItem } from '../../src/feeds/feed-item.js';
import { createLiveHub } from '../../src/feeds/live-hub.js';
import { pumpStream, type StreamFilter } from '../../src/feeds/sse-pump.js';
import { createSseParser } from '../helpers/sse-client.js';
import { ids, sampleEvent } from '../fixtures/events/samples.js';

/**
 * The hub (ring, coalesced wake-ups, checkpoints, subscriptions) and the per-client pump against it, with the
 * store side played by an in-memory reader over the same events: pages from the store until the ring holds the
 * client's next seq, then from the ring, then live; filters; checkpoints in place; a client that stops reading.
 */

const OTHER = '00000000-0000-4000-8000-000000000001';
const initiativeOf = (event: SequencedEvent) => (event.stream.endsWith('other') ? OTHER : ids.initiative);
const PUBLIC_URL = 'https://ledger.example.org';

/** Event `seq`: a reading (every 7th in another initiative), an access key (no feed carries it) every 10th. */
const eventAt = (seq: number): SequencedEvent => {
  const base = seq % 10 === 9 ? sampleEvent('AccessKeyIssued') : sampleEvent('ReadingRecorded');
  return { ...base, id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`, stream: seq % 7 === 3 ? 'indicator-other' : 'indicator-one', position: String(seq) as never, seq } as SequencedEvent;
};
const events = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => eventAt(from + i));

/** The feed reader over an in-memory log of `log()` events (what the store would answer). */
const memoryReader = (log: () => number) => {
  let reads = 0;
  return {
    reads: () => reads,
    async after(after: number, maxCount: number) {
      reads += 1;
      const through = Math.min(log(), after + maxCount);
      const items: FeedItem[] = [];
      for (let seq = after + 1; seq <= through; seq++) {
        const item = toFeedItem(eventAt(seq), initiativeOf, PUBLIC_URL);
        if (item) items.push(item);
      }
      return { items, through: Math.max(after, through) };
    },
  };
};

const checkpoint = (size: number) => ({ size, note: `example.org/log\n${size}\nAAAA\n\n— example.org/log sig\n`, createdAt: '2026-01-01T00:00:00.000Z' });

/** A pump into a PassThrough that is read and parsed as it goes. */
const client = (hub: ReturnType<typeof createLiveHub>, reader: ReturnType<typeof memoryReader>, after: number, filter: StreamFilter = { checkpoints: true }) => {
  const out = new PassThrough();
  const parser = createSseParser();
  out.setEncoding('utf8');
  out.on('data', (chunk: string) => parser.feed(chunk));
  const done = pumpStream({ hub, reader, out, after, filter, maxBufferBytes: 64 * 1024, slowClientMs: 1_000, pageSize: 10 });
  const ids = () => parser.events.filter((e) => e.event === 'message').map((e) => Number(e.id));
  return { out, parser, done, ids };
};

const until = async (done: () => boolean, ms = 5_000) => {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
};

const feedSeqs = (from: number, to: number, keep: (e: SequencedEvent) => boolean = () => true) =>
  events(from, to)
    .filter((e) => e.type !== 'AccessKeyIssued' && keep(e))
    .map((e) => e.seq);

t.test('the ring: starts after the follower head, holds every seq (also those no feed carries), evicts the oldest', async (t) => {
  const hub = createLiveHub({ initiativeOf, origin: 'example.org/log', publicUrl: PUBLIC_URL, capacity: 16 });
  hub.startAfter(9);
  hub.subscribe(); // a connected client: the hub keeps the ring only while someone listens
  t.equal(hub.head(), 9);
  t.equal(hub.after(5, 100), undefined, 'before the start: not in the ring');
  t.same(hub.after(9, 100), { items: [], through: 9 }, 'at the head: nothing yet');
  hub.consumer.apply(events(10, 19));
  t.equal(hub.head(), 19);
  const page = hub.after(9, 100)!;
  t.same(page.items.map((i) => i.seq), [10, 11, 12, 13, 14, 15, 16, 17, 18], 'seq 19 is an access key: no item');
  t.equal(page.through, 19, 'through covers it anyway');
  t.same(hub.after(9, 4)!.through, 13, 'at most maxCount seqs');
  t.match(hub.after(9, 1)!.items[0]!.frame.toString(), /^id: 10\ndata: \{"specversion":"1\.0".*\}\n\n$/s, 'framed once: id and one data line');

  hub.consumer.apply(events(20, 29));
  t.equal(hub.after(12, 100), undefined, 'seq 13 was evicted (16 slots: 14..29)');
  t.same(hub.after(13, 100)!.items[0]!.seq, 14);

  const small = createLiveHub({ initiativeOf, origin: 'example.org/log', publicUrl: PUBLIC_URL, maxBytes: 3_000 });
  small.startAfter(-1);
  small.subscribe();
  small.consumer.apply(events(0, 20));
  t.equal(small.after(-1, 100), undefined, 'the byte bound evicts too');
  t.ok(small.after(18, 100), 'the newest stay');
});

t.test('with nobody connected, nothing is framed: the position advances and a later client reads the store', async (t) => {
  const hub = createLiveHub({ initiativeOf, origin: 'example.org/log', publicUrl: PUBLIC_URL, capacity: 16 });
  hub.startAfter(-1);
  hub.consumer.apply(events(0, 9));
  t.equal(hub.head(), 9, 'the hub knows how far the log goes');
  t.equal(hub.after(-1, 100), undefined, 'but holds none of it: a client from the start reads the store');
  t.same(hub.after(9, 100), { items: [], through: 9 }, 'a client at the head waits');
  const subscription = hub.subscribe();
  hub.consumer.apply(events(10, 12));
  t.same(hub.after(9, 100)!.items.map((i) => i.seq), [10, 11, 12], 'once someone listens, new events are framed into the ring');
  subscription.end();
});

t.test('wake-ups are coalesced: a burst of batches is one wake-up per client', async (t) => {
  const hub = createLiveHub({ initiativeOf, origin: 'example.org/log', publicUrl: PUBLIC_URL, coalesceMs: 40 });
  hub.startAfter(-1);
  const subscriptions = Array.from({ length: 100 }, () => hub.subscribe());
  const wakes = new Array<number>(100).fill(0);
  let running = true;
  const loops = subscriptions.map(async (s, i) => {
    while (running) {
      await s.wait();
      wakes[i]! += 1;
    }
  });
  await sleep(0);
  t.same(hub.clients(), { connected: 100, waiting: 100 });
  for (let seq = 0; seq < 200; seq++) hub.consumer.apply([eventAt(seq)]); // 200 one-event batches at once
  await until(() => wakes.every((n) => n === 1));
  await sleep(100);
  t.ok(wakes.every((n) => n === 1), '200 batches: one wake-up each');
  for (let seq = 200; seq < 260; seq++) {
    hub.consumer.apply([eventAt(seq)]);
    await sleep(2);
  }
  await sleep(100);
  const most = Math.max(...wakes);
  t.ok(most <= 1 + Math.ceil((60 * 3) / 40) + 2, `60 batches over ≥ 120 ms: ${most} wake-ups, not 60`);
  running = false;
  for (const s of subscriptions) s.end();
  await Promise.all(loops);
  t.same(hub.clients(), { connected: 0, waiting: 0 }, 'ended subscriptions leave nothing behind');
});

t.test('a client catches up from the store, then the ring, then live: no gap, no duplicate', async (t) => {
  const hub = createLiveHub({ initiativeOf, origin: 'example.org/log', publicUrl: PUBLIC_URL, capacity: 16 });
  hub.startAfter(69);
  hub.consumer.apply(events(70, 99)); // the ring holds 84..99
  const reader = memoryReader(() => hub.head());
  const c = client(hub, reader, -1);
  await until(() => c.ids().at(-1) === 98);
  t.same(c.ids(), feedSeqs(0, 99), 'the whole log');
  t.ok(reader.reads() >= 8, `read from the store first (${reader.reads()} pages)`);
  const reads = reader.reads();

  for (let seq = 100; seq < 140; seq += 5) {
    hub.consumer.apply(events(seq, seq + 4)); // a client that keeps up: the ring always holds its next seq
    await until(() => c.ids().at(-1)! >= seq + 3);
  }
  await until(() => c.ids().at(-1) === 138);
  t.same(c.ids(), feedSeqs(0, 139), 'then live, in order');
  t.equal(reader.reads(), reads, 'live events come from the ring, not the store');

  const scoped = client(hub, reader, 49, { initiatives: new Set([OTHER]), types: new Set(['ReadingRecorded']), checkpoints: false });
  await until(() => (scoped.ids().at(-1) ?? 0) >= 136);
  t.same(scoped.ids(), feedSeqs(50, 139, (e) => e.stream === 'indicator-other'), 'filtered by initiative and type');
  c.out.destroy();
  scoped.out.destroy();
  await Promise.all([c.done, scoped.done]);
  t.same(hub.clients(), { connected: 0, waiting: 0 });
});

t.test('checkpoints: sent right after the last event they cover, only those made after connecting, never with an id', async (t) => {
  const hub = createLiveHub({ initiativeOf, origin: 'example.org/log', publicUrl: PUBLIC_URL });
  hub.startAfter(-1);
  const reader = memoryReader(() => hub.head());
  const early = client(hub, reader, -1, { types: new Set(), checkpoints: true });
  await sleep(5);
  hub.checkpoint(checkpoint(1)); // before the client: not sent (but to the one connected earlier)
  const c = client(hub, reader, -1);
  const checkpointsOnly = client(hub, reader, -1, { types: new Set(), checkpoints: true });
  const eventsOnly = client(hub, reader, -1, { types: new Set(['ReadingRecorded']), checkpoints: false });
  await sleep(5);
  hub.checkpoint(checkpoint(4)); // signed while the log consumer ran, before the hub had the events
  hub.consumer.apply(events(0, 7));
  hub.checkpoint(checkpoint(8));
  await until(() => c.parser.events.length === 10);
  const sequence = c.parser.events.map((e) => (e.event === 'checkpoint' ? `cp${JSON.parse(e.data).data.treeSize}` : e.id));
  t.same(sequence, ['0', '1', '2', '3', 'cp4', '4', '5', '6', '7', 'cp8'], 'in place, after seq size − 1');
  const cp = c.parser.events.find((e) => e.event === 'checkpoint')!;
  t.equal(cp.id, undefined);
  t.equal(cp.lastEventId, '3', 'the resume point stays at the last event');
  t.match(JSON.parse(cp.data), { type: 'org.impact-ledger.checkpoint.signed', source: `${PUBLIC_URL}/audit`, seq: 3, data: { treeSize: 4, origin: 'example.org/log' } });
  await until(() => checkpointsOnly.parser.events.length === 2);
  t.same(checkpointsOnly.parser.events.map((e) => e.event), ['checkpoint', 'checkpoint']);
  await until(() => early.parser.events.length === 3);
  t.same(early.parser.events.map((e) => JSON.parse(e.data).data.treeSize), [1, 4, 8], 'a client connected earlier also got the first (pages are shared only between equal clients)');
  await until(() => eventsOnly.ids().length === 8);
  t.ok(eventsOnly.parser.events.every((e) => e.event === 'message'));
  for (const x of [c, checkpointsOnly, eventsOnly, early]) x.out.destroy();
});

t.test('a client that stops reading: the pump stops writing at the bound, then drops it', async (t) => {
  const hub = createLiveHub({ initiativeOf, origin: 'example.org/log', publicUrl: PUBLIC_URL });
  hub.startAfter(-1);
  const out = new PassThrough({ highWaterMark: 1024 }); // nobody reads it
  const dropped: Array<{ bufferedBytes: number }> = [];
  const done = pumpStream({ hub, reader: memoryReader(() => hub.head()), out, after: -1, filter: { checkpoints: true }, maxBufferBytes: 16 * 1024, slowClientMs: 100, onSlowClient: (d) => dropped.push(d) });
  let most = 0;
  // Events keep coming until the client is dropped: on a loaded machine the pump may not reach the bound within a fixed
  // number of batches, and with nothing left to do the process would exit while the pump waits for its next wake-up
  // (the hub's timer does not hold the process open).
  const deadline = Date.now() + 10_000;
  for (let seq = 0; !out.destroyed && Date.now() < deadline; seq += 10) {
    hub.consumer.apply(events(seq, seq + 9));
    await sleep(1);
    most = Math.max(most, out.writableLength);
  }
  await done;
  t.ok(out.destroyed, 'the stream was destroyed');
  t.equal(dropped.length, 1, 'reported once');
  const frame = hub.after(0, 1)?.items[0]?.frame.length ?? 2_000;
  t.ok(most <= 16 * 1024 + frame, `never more than the bound plus one message queued (${most} bytes)`);
  t.same(hub.clients(), { connected: 0, waiting: 0 }, 'the hub holds nothing of it');
});

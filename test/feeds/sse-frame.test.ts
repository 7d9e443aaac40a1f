import t from 'tap';
import { sseComment, sseFrame } from '../../src/feeds/sse-frame.js';
import { createSseParser } from '../helpers/sse-client.js';

/** The framing against a parser that follows the spec: CR, LF and CRLF all end a line, so each must start a new `data:` field. */

const parse = (...chunks: string[]) => {
  const parser = createSseParser();
  for (const chunk of chunks) parser.feed(chunk);
  return parser;
};

t.test('every kind of line end in data becomes its own data field; the message arrives whole', async (t) => {
  const frame = sseFrame({ id: '41', data: 'one\ntwo\r\nthree\rfour\n\nid: 99\nevent: x' }).toString();
  t.equal(frame, 'id: 41\ndata: one\ndata: two\ndata: three\ndata: four\ndata: \ndata: id: 99\ndata: event: x\n\n');
  const { events } = parse(frame);
  t.equal(events.length, 1, 'one message, not cut');
  t.same(events[0], { event: 'message', data: 'one\ntwo\nthree\nfour\n\nid: 99\nevent: x', id: '41', lastEventId: '41' });
});

t.test('JSON data is one line whatever its strings hold, and round-trips exactly', async (t) => {
  const value = { title: 'a\nb\r\nc\rd', note: '\u2028\u2029 "quoted" \\ :colon' };
  const frame = sseFrame({ id: '7', event: 'checkpoint', data: JSON.stringify(value) }).toString();
  t.equal(frame.split('\n').filter((line) => line.startsWith('data:')).length, 1);
  // Split at every byte boundary, as TCP may: the parser still sees the same message.
  for (let cut = 1; cut < frame.length; cut += 7) {
    const { events } = parse(frame.slice(0, cut), frame.slice(cut));
    t.same(JSON.parse(events[0]!.data), value);
    t.equal(events[0]!.event, 'checkpoint');
  }
});

t.test('ids, event names and comments must be one line', async (t) => {
  t.throws(() => sseFrame({ id: '1\n2', data: 'x' }), RangeError);
  t.throws(() => sseFrame({ event: 'a\rb', data: 'x' }), RangeError);
  t.throws(() => sseComment('a\nb'), RangeError);
  t.same(parse(sseComment('heartbeat').toString()).comments, ['heartbeat']);
  t.same(parse('data: a\r', '\ndata: b\r\n\r\n').events[0]?.data, 'a\nb', 'a CRLF split across chunks is one line end');
});

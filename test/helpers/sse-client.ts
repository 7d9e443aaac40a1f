import { request, type IncomingHttpHeaders } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/** One dispatched SSE event, as an EventSource would see it (WHATWG HTML §9.2.6). */
export interface SseEvent {
  /** The event type: `message` unless an `event:` field said otherwise. */
  event: string;
  data: string;
  /** The `id:` field of this message, if it had one. */
  id: string | undefined;
  /** The last event ID buffer after this message (what an EventSource would send as Last-Event-ID). */
  lastEventId: string;
}

/**
 * An incremental parser of a `text/event-stream` body that follows the spec's "interpreting an event stream":
 * lines end at CRLF, LF or CR (also a CR at the end of one chunk and an LF at the start of the next); a line
 * starting with `:` is a comment; `field: value` with one leading space dropped; data lines joined with LF;
 * an empty line dispatches, unless the data buffer is empty.
 */
export const createSseParser = () => {
  const events: SseEvent[] = [];
  const comments: string[] = [];
  let buffer = '';
  let pendingCr = false;
  let first = true;
  let data: string[] = [];
  let eventType = '';
  let id: string | undefined;
  let lastEventId = '';

  const line = (text: string) => {
    if (text === '') {
      if (data.length > 0) events.push({ event: eventType || 'message', data: data.join('\n'), id, lastEventId });
      data = [];
      eventType = '';
      id = undefined;
      return;
    }
    if (text.startsWith(':')) {
      comments.push(text.slice(1).replace(/^ /, ''));
      return;
    }
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    const value = colon === -1 ? '' : text.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') data.push(value);
    else if (field === 'event') eventType = value;
    else if (field === 'id' && !value.includes('\0')) {
      id = value;
      lastEventId = value;
    }
  };

  return {
    events,
    comments,
    /** The last event ID buffer now: what an EventSource reconnecting now would send as Last-Event-ID. */
    get lastEventId() {
      return lastEventId;
    },
    feed(chunk: string) {
      let text = chunk;
      if (first) {
        text = text.replace(/^\uFEFF/, '');
        first = false;
      }
      if (pendingCr && text.startsWith('\n')) text = text.slice(1);
      pendingCr = false;
      buffer += text;
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
        const c = buffer[i];
        if (c !== '\n' && c !== '\r') continue;
        line(buffer.slice(start, i));
        if (c === '\r') {
          if (i + 1 === buffer.length) pendingCr = true;
          else if (buffer[i + 1] === '\n') i++;
        }
        start = i + 1;
      }
      buffer = buffer.slice(start);
    },
  };
};

export interface SseStream {
  status: number;
  headers: IncomingHttpHeaders;
  events: SseEvent[];
  comments: string[];
  /** What an EventSource reconnecting now would send as Last-Event-ID ('' when no id has been received). */
  readonly lastEventId: string;
  /** Everything received, as text. */
  raw(): string;
  /** Whether the server ended the response (or the connection closed). */
  readonly ended: boolean;
  /** Waits until `events` satisfies `done` (default: the stream ended), failing after `timeoutMs`. */
  until(done: (stream: SseStream) => boolean, timeoutMs?: number): Promise<void>;
  close(): void;
}

/** `GET` an SSE endpoint over real HTTP; resolves once the response head is in (any status; the body is read for non-2xx too). */
export const openSse = (url: string, headers: Record<string, string> = {}): Promise<SseStream> =>
  new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const parser = createSseParser();
      const chunks: string[] = [];
      let ended = false;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        chunks.push(chunk);
        parser.feed(chunk);
      });
      const end = () => {
        ended = true;
      };
      res.on('end', end);
      res.on('close', end);
      res.on('error', end);
      const stream: SseStream = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        events: parser.events,
        comments: parser.comments,
        get lastEventId() {
          return parser.lastEventId;
        },
        raw: () => chunks.join(''),
        get ended() {
          return ended;
        },
        async until(done = (s) => s.ended, timeoutMs = 10_000) {
          const deadline = Date.now() + timeoutMs;
          while (!done(stream)) {
            if (Date.now() > deadline) throw new Error(`SSE condition not met within ${timeoutMs} ms (${parser.events.length} events, ended: ${ended})`);
            await sleep(10);
          }
        },
        close: () => req.destroy(),
      };
      resolve(stream);
    });
    req.on('error', reject);
    req.end();
  });

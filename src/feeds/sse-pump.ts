import type { Writable } from 'node:stream';
import type { FeedReader } from './feed-reader.js';
import type { LiveHub } from './live-hub.js';
import { sseFrame } from './sse-frame.js';

/** What a client asked for, after scoping: which initiatives, which event types, whether checkpoints. */
export interface StreamFilter {
  /** undefined = every initiative. */
  initiatives?: ReadonlySet<string>;
  /** undefined = every event type; an empty set = no events (checkpoints only). */
  types?: ReadonlySet<string>;
  checkpoints: boolean;
}

export interface PumpOptions {
  hub: LiveHub;
  reader: Pick<FeedReader, 'after'>;
  /** The response body: the pump writes framed messages to it and nothing else. */
  out: Writable;
  /** The last seq the client has (its resume point). */
  after: number;
  filter: StreamFilter;
  /** Unsent bytes a client may have queued before the pump waits for them to drain… */
  maxBufferBytes: number;
  /** …and how long it waits before dropping the client. */
  slowClientMs: number;
  /** Seqs per page read from the store when the ring no longer holds the client's resume point. */
  pageSize?: number;
  onSlowClient?: (details: { cursor: number; bufferedBytes: number; waitedMs: number }) => void;
}

/** Frames joined into one buffer when they are small together (one write for the socket), else left as they are. */
const concatSmall = (frames: Buffer[]): Buffer[] => {
  if (frames.length < 2) return frames;
  let bytes = 0;
  for (const frame of frames) bytes += frame.length;
  return bytes <= 64 * 1024 ? [Buffer.concat(frames, bytes)] : frames;
};

const matches = (filter: StreamFilter, item: { type: string; initiativeId: string }) =>
  (filter.initiatives === undefined || filter.initiatives.has(item.initiativeId)) && (filter.types === undefined || filter.types.has(item.type));

/**
 * One client's stream: from its resume point, pages from the hub's ring while it still holds the next seq, else
 * from the store; filtered, written, cursor advanced to the page's end even when nothing in it matched; when caught
 * up, waits for the hub. Writes never queue more than `maxBufferBytes` (plus one page) in memory: beyond that the
 * pump waits for the socket to drain, and a client that does not drain within `slowClientMs` is dropped (the
 * connection destroyed; it resumes with Last-Event-ID). Resolves when the client is gone or was dropped.
 */
export const pumpStream = async (options: PumpOptions): Promise<void> => {
  const { hub, out, filter } = options;
  const pageSize = options.pageSize ?? 512;
  const subscription = hub.subscribe();
  let cursor = options.after;
  let checkpointsSeen = subscription.checkpointsSeen;
  let closed = out.destroyed || out.writableEnded;
  const onClose = () => {
    closed = true;
    subscription.end();
  };
  out.once('close', onClose);
  out.once('finish', onClose);

  /** Resolves true when the socket drained, false when the client is gone (closed, or dropped for being slow). */
  const drained = () =>
    new Promise<boolean>((resolve) => {
      if (out.destroyed) return resolve(false);
      const started = performance.now();
      const done = (ok: boolean) => {
        clearTimeout(timer);
        out.off('drain', onDrain);
        out.off('close', onGone);
        resolve(ok);
      };
      const onDrain = () => done(true);
      const onGone = () => done(false);
      const timer = setTimeout(() => {
        options.onSlowClient?.({ cursor, bufferedBytes: out.writableLength, waitedMs: Math.round(performance.now() - started) });
        out.destroy();
        done(false);
      }, options.slowClientMs);
      out.on('drain', onDrain);
      out.on('close', onGone);
    });

  /** Writes frames, corked into few syscalls; waits for a drain whenever the queue passes the bound. */
  const send = async (frames: readonly Buffer[]): Promise<boolean> => {
    let i = 0;
    while (i < frames.length) {
      if (closed) return false;
      out.cork();
      while (i < frames.length && out.writableLength < options.maxBufferBytes) out.write(frames[i++]);
      out.uncork();
      if (out.writableLength >= options.maxBufferBytes && !(await drained())) return false;
    }
    return !closed;
  };

  /**
   * The frames of a page for this client: the matching items, each checkpoint made since the client connected
   * placed right after the last event it covers (`through` ends the page), and how many checkpoints it has seen then.
   */
  const framesOf = (items: ReadonlyArray<{ seq: number; type: string; initiativeId: string }>, frameOf: (i: number) => Buffer, through: number, seen: number) => {
    const pending = hub.checkpointsAfter(seen);
    const frames: Buffer[] = [];
    let next = 0;
    const checkpointsUpTo = (seq: number) => {
      for (; next < pending.length && pending[next]!.seq <= seq; next++) {
        seen = pending[next]!.n;
        if (filter.checkpoints) frames.push(pending[next]!.frame);
      }
    };
    items.forEach((item, i) => {
      if (!matches(filter, item)) return;
      checkpointsUpTo(item.seq - 1);
      frames.push(frameOf(i));
    });
    checkpointsUpTo(through);
    return { frames: concatSmall(frames), through, seen };
  };

  const filterKey = JSON.stringify([[...(filter.initiatives ?? ['*'])].sort(), [...(filter.types ?? ['*'])].sort(), filter.checkpoints]);

  try {
    while (!closed) {
      const head = hub.head();
      let page: { frames: Buffer[]; through: number; seen: number } | undefined;
      if (cursor >= head) {
        page = framesOf([], () => Buffer.alloc(0), cursor, checkpointsSeen);
        if (page.frames.length === 0) {
          // Caught up: nothing happens between this check and the registration (same tick), so no wake-up is lost.
          await subscription.wait();
          continue;
        }
      } else {
        // From the ring when it still holds the next seq: the same page object for every client at the same point.
        page = hub.shared(`${cursor}|${pageSize}|${checkpointsSeen}|${filterKey}`, () => {
          const live = hub.after(cursor, pageSize);
          return live && framesOf(live.items, (i) => live.items[i]!.frame, live.through, checkpointsSeen);
        });
        if (!page) {
          // From the store, only up to the hub's head: past it, the directory may not know an event's initiative yet.
          const read = await options.reader.after(cursor, Math.min(pageSize, head - cursor));
          if (closed) break;
          if (read.through <= cursor) {
            await subscription.wait(); // the store had nothing yet (cannot happen below the head): do not spin
            continue;
          }
          page = framesOf(read.items, (i) => sseFrame({ id: String(read.items[i]!.seq), data: read.items[i]!.json }), read.through, checkpointsSeen);
        }
      }
      cursor = page.through;
      checkpointsSeen = page.seen;
      if (page.frames.length > 0 && !(await send(page.frames))) break;
    }
  } finally {
    out.off('close', onClose);
    out.off('finish', onClose);
    subscription.end();
  }
};

import type { EventMetadata } from '../events/envelope.js';

/**
 * A store-specific global position, opaque to everyone but its adapter (sqlite: the row number;
 * EventStoreDB: `commit/prepare`). Positions are persisted as strings so that 64-bit values survive.
 */
export type Position = string & { readonly __position: unique symbol };

/** What an append expects the stream's last revision to be (design §3). */
export type ExpectedRevision = 'any' | 'no_stream' | 'exists' | number;

export interface NewEvent {
  /** Caller-chosen UUID; appending the same id again is an idempotent retry, stored once. */
  id: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
}

export interface RecordedEvent {
  id: string;
  type: string;
  stream: string;
  /** 0-based revision inside the stream. */
  revision: number;
  data: unknown;
  metadata: EventMetadata;
  /** Global position in the store's total order. */
  position: Position;
}

export interface AppendResult {
  stream: string;
  /** Revision of the last event of the batch (the stream's revision after the append). */
  nextRevision: number;
  /** Position of the last event of the batch. */
  position: Position;
  /** One entry per appended event, in order. */
  events: ReadonlyArray<{ id: string; revision: number; position: Position }>;
}

export interface ReadStreamOptions {
  fromRevision?: number;
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: read events after this position; omitted = from the beginning. */
  after?: Position;
  maxCount?: number;
  /**
   * Whether the store may attach the canonical payload text it kept (canonical/stored-text.ts), which the
   * transparency log assembles leaves from; default true. A reader that only folds the events (the views' `asOf`
   * replay) says false: an attached text costs a weak-map entry per event, a fifth of reading a page.
   */
  canonicalText?: boolean;
  /**
   * False: the events' metadata is neither read nor parsed, and `metadata` is `UNREAD_METADATA`, which throws when
   * anything is read from it (a store may still hand the metadata out), and no canonical text is attached (it needs
   * the metadata's). For a reader that folds events through a projection that never looks at metadata (the views'
   * `asOf` replay): parsing it is a quarter of reading an event.
   */
  metadata?: boolean;
}

/** The `metadata` of an event read with `metadata: false`: reading anything from it is a mistake, and says so. */
export const UNREAD_METADATA: EventMetadata = new Proxy({} as EventMetadata, {
  get(_target, key) {
    if (typeof key === 'symbol') return undefined;
    throw new Error(`this event was read without its metadata (readAll with metadata: false), so it has no ${key}`);
  },
});

export interface FollowOptions {
  /** Exclusive start; omitted = from the beginning. */
  after?: Position;
  /** Ends the iteration (the iterator returns) when aborted. */
  signal?: AbortSignal;
  /** Upper bound on events per yielded batch. */
  batchSize?: number;
  /** As `ReadAllOptions.canonicalText`: whether the events read from the store carry their stored canonical text. */
  canonicalText?: boolean;
}

/** The one storage interface every adapter implements (design §3). */
export interface EventStore {
  readonly kind: 'sqlite' | 'eventstoredb';
  /** Appends atomically: all events of the batch or none. Resolves only once durable. */
  append(stream: string, events: readonly NewEvent[], options?: { expectedRevision?: ExpectedRevision }): Promise<AppendResult>;
  /** Events of one stream in revision order; an unknown stream reads as empty. */
  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** One page of the global order (system events excluded). */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** Catch-up then live over the global order, in batches, with no gap and no duplicate. */
  follow(options?: FollowOptions): AsyncIterable<RecordedEvent[]>;
  close(): Promise<void>;
}

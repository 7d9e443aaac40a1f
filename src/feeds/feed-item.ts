import { eventTypes } from '../events/catalog.js';
import type { SequencedEvent } from '../follower/consumer.js';
import { CHECKPOINT_CLOUDEVENT_TYPE, cloudEventType, toCloudEvent } from './cloudevents.js';

/**
 * One event as the feeds hand it out (SSE and webhooks alike): its place in the global order, the initiative it
 * belongs to and its CloudEvents JSON, serialized once and shared by every client and subscription it goes to.
 */
export interface FeedItem {
  seq: number;
  /** The event's id (the CloudEvent `id`). */
  id: string;
  /** The catalog type (`ReadingRecorded`), for filters. */
  type: string;
  initiativeId: string;
  /** The CloudEvents 1.0 structured JSON of the event. */
  json: string;
}

/**
 * Access-key and subscription events are administration, not progress: they name key hashes and other partners'
 * endpoints, so no feed carries them (the audit log does).
 */
const ADMINISTRATIVE = new Set(['AccessKeyIssued', 'AccessKeyRevoked', 'SubscriptionCreated', 'SubscriptionDisabled', 'SubscriptionEnabled', 'SubscriptionRemoved']);

export const isFeedEventType = (type: string): boolean => !ADMINISTRATIVE.has(type);

/** Every feed event type under both names a filter may use: the catalog's and its CloudEvents `type`. */
const feedTypesByName = new Map(eventTypes.filter(isFeedEventType).flatMap((type) => [[type, type] as const, [cloudEventType(type), type] as const]));

/**
 * The catalog type a feed filter names, given as in the catalog (`ReadingRecorded`) or as the CloudEvents `type` the
 * items carry (`org.impact-ledger.reading.recorded`); undefined for anything else, administrative types included.
 */
export const feedTypeNamed = (name: string): string | undefined => feedTypesByName.get(name);

/** The filter name that selects signed checkpoints of the transparency log, on SSE (`types=`) and in subscriptions. */
export const CHECKPOINT_TYPE = 'checkpoint';

/** Whether a filter name selects checkpoints: `checkpoint` or the CloudEvents type checkpoint items carry. */
export const isCheckpointName = (name: string): boolean => name === CHECKPOINT_TYPE || name === CHECKPOINT_CLOUDEVENT_TYPE;

/** The filter name for every event type, so that a filter can ask for every event and checkpoints: `*,checkpoint`. */
export const EVERY_TYPE = '*';

/**
 * A filter's names as they are recorded and matched: `*`, `checkpoint`, and event types by catalog name, whichever
 * name the client used (one type named both ways is one type); undefined when a name is none of these.
 */
export const canonicalFilterName = (name: string): string | undefined => (name === EVERY_TYPE ? EVERY_TYPE : isCheckpointName(name) ? CHECKPOINT_TYPE : feedTypeNamed(name));

/** What a filter selects: event types (undefined = every type) and whether signed checkpoints. */
export interface FeedSelection {
  types: ReadonlySet<string> | undefined;
  checkpoints: boolean;
}

/**
 * What a list of filter names (canonical, as above) selects — for SSE `types=` and a subscription's `types` alike:
 * every event type for `*` or for no names at all, else the event types named; checkpoints if `checkpoint` is named.
 * `checkpoint` alone selects checkpoints only.
 */
export const selectedBy = (names: readonly string[]): FeedSelection => ({
  types: names.length === 0 || names.includes(EVERY_TYPE) ? undefined : new Set(names.filter((name) => name !== CHECKPOINT_TYPE)),
  checkpoints: names.includes(CHECKPOINT_TYPE),
});

/** Resolves the initiative an event belongs to (its `data.initiativeId`, else the initiative of its stream). */
export type InitiativeOfEvent = (event: SequencedEvent) => string | null | undefined;

/** The feed item of an event, or undefined when no feed carries it; `publicUrl` is the origin of its `source`. */
export const toFeedItem = (event: SequencedEvent, initiativeOf: InitiativeOfEvent, publicUrl: string): FeedItem | undefined => {
  if (!isFeedEventType(event.type)) return undefined;
  const initiativeId = initiativeOf(event);
  if (!initiativeId) return undefined;
  return { seq: event.seq, id: event.id, type: event.type, initiativeId, json: JSON.stringify(toCloudEvent(event, initiativeId, publicUrl)) };
};

/** What a reader asks of the feed: one initiative or all it may see, some types or all. */
export interface FeedFilter {
  /** Initiatives the reader may see; undefined = every initiative (admin, deployment-wide auditor). */
  initiatives?: ReadonlySet<string>;
  /** Catalog event types; undefined or empty = every type. */
  types?: ReadonlySet<string>;
}

export const matchesFilter = (item: FeedItem, filter: FeedFilter): boolean =>
  (filter.initiatives === undefined || filter.initiatives.has(item.initiativeId)) &&
  (filter.types === undefined || filter.types.size === 0 || filter.types.has(item.type));

import type Database from 'better-sqlite3';
import type { Consumer, SequencedEvent } from '../../follower/consumer.js';
import type { SubscriptionCreated, SubscriptionDisabled } from '../../events/feeds.js';
import { selectedBy, type FeedSelection } from '../feed-item.js';

/**
 * The subscriptions as the log says they are now: a read model in the follower's local file, kept by a follower
 * consumer, rebuilt by replay like every other. Besides what the events say it keeps, per subscription:
 * - `epoch`: how many times it was enabled again; part of every delivery job id, so a catch-up after an enable is
 *   new work for the queue instead of colliding with the jobs of the earlier, abandoned epoch;
 * - `resumeAfter`: the seq its current epoch delivers after (its creation; on re-enable, the last seq delivered
 *   before it was disabled).
 * The outbox's own progress per (subscription, epoch) is kept beside it in `webhook_cursors` (events) and
 * `webhook_checkpoint_cursors` (the size of the last signed checkpoint enqueued): that is work done, not something
 * the log says, so it is never rebuilt from events.
 */
const DDL = `
CREATE TABLE IF NOT EXISTS webhook_subscriptions (
  id             TEXT PRIMARY KEY,
  initiative_id  TEXT NOT NULL,
  partner_id     TEXT,
  url            TEXT NOT NULL,
  types          TEXT NOT NULL,
  status         TEXT NOT NULL,
  epoch          INTEGER NOT NULL,
  resume_after   INTEGER NOT NULL,
  created_seq    INTEGER NOT NULL,
  created_at     TEXT NOT NULL,
  disabled_seq   INTEGER,
  disabled_last  INTEGER,
  disabled_why   TEXT
) WITHOUT ROWID, STRICT;
CREATE TABLE IF NOT EXISTS webhook_registry_state (
  id  INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS webhook_cursors (
  subscription_id TEXT NOT NULL,
  epoch           INTEGER NOT NULL,
  through         INTEGER NOT NULL,
  PRIMARY KEY (subscription_id, epoch)
) WITHOUT ROWID, STRICT;
CREATE TABLE IF NOT EXISTS webhook_checkpoint_cursors (
  subscription_id TEXT NOT NULL,
  epoch           INTEGER NOT NULL,
  size            INTEGER NOT NULL,
  PRIMARY KEY (subscription_id, epoch)
) WITHOUT ROWID, STRICT;
`;

export type SubscriptionStatus = 'active' | 'disabled' | 'removed';

export interface Subscription {
  id: string;
  initiativeId: string;
  partnerId: string | null;
  url: string;
  /** Catalog event types (none = every feed type), `*`, and `checkpoint` when signed checkpoints are delivered too. */
  types: string[];
  /** What `types` selects (feed-item.ts `selectedBy`), read once with the subscription. */
  selects: FeedSelection;
  status: SubscriptionStatus;
  epoch: number;
  resumeAfter: number;
  createdSeq: number;
  createdAt: string;
  disabled: { seq: number; lastSeq: number | null; reason: string } | null;
}

interface Row {
  id: string;
  initiative_id: string;
  partner_id: string | null;
  url: string;
  types: string;
  status: string;
  epoch: number;
  resume_after: number;
  created_seq: number;
  created_at: string;
  disabled_seq: number | null;
  disabled_last: number | null;
  disabled_why: string | null;
}

const toSubscription = (row: Row): Subscription => {
  const types = JSON.parse(row.types) as string[];
  return {
    id: row.id,
    initiativeId: row.initiative_id,
    partnerId: row.partner_id,
    url: row.url,
    types,
    selects: selectedBy(types),
    status: row.status as SubscriptionStatus,
    epoch: row.epoch,
    resumeAfter: row.resume_after,
    createdSeq: row.created_seq,
    createdAt: row.created_at,
    disabled: row.disabled_seq === null ? null : { seq: row.disabled_seq, lastSeq: row.disabled_last, reason: row.disabled_why ?? '' },
  };
};

export const createSubscriptionRegistry = (db: Database.Database) => {
  db.exec(DDL);
  const stmts = {
    insert: db.prepare(
      `INSERT OR IGNORE INTO webhook_subscriptions (id, initiative_id, partner_id, url, types, status, epoch, resume_after, created_seq, created_at)
       VALUES (@id, @initiativeId, @partnerId, @url, @types, 'active', 0, @seq, @seq, @createdAt)`,
    ),
    disable: db.prepare<[number, number | null, string, string]>(
      `UPDATE webhook_subscriptions SET status = 'disabled', disabled_seq = ?, disabled_last = ?, disabled_why = ? WHERE id = ? AND status = 'active'`,
    ),
    // Resume after the last seq delivered before it stopped, or where it was disabled when that is not known.
    enable: db.prepare<[string]>(
      `UPDATE webhook_subscriptions SET status = 'active', epoch = epoch + 1, resume_after = MAX(created_seq, COALESCE(disabled_last, disabled_seq, resume_after))
       WHERE id = ? AND status = 'disabled'`,
    ),
    remove: db.prepare<[string]>(`UPDATE webhook_subscriptions SET status = 'removed' WHERE id = ?`),
    get: db.prepare<[string], Row>('SELECT * FROM webhook_subscriptions WHERE id = ?'),
    live: db.prepare<[], Row>(`SELECT * FROM webhook_subscriptions WHERE status != 'removed' ORDER BY created_seq`),
    getSeq: db.prepare<[], number>('SELECT seq FROM webhook_registry_state WHERE id = 1').pluck(),
    putSeq: db.prepare<[number]>('INSERT INTO webhook_registry_state (id, seq) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq'),
    cursor: db.prepare<[string, number], number>('SELECT through FROM webhook_cursors WHERE subscription_id = ? AND epoch = ?').pluck(),
    putCursor: db.prepare<[string, number, number]>(
      'INSERT INTO webhook_cursors (subscription_id, epoch, through) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET through = excluded.through',
    ),
    checkpointCursor: db.prepare<[string, number], number>('SELECT size FROM webhook_checkpoint_cursors WHERE subscription_id = ? AND epoch = ?').pluck(),
    putCheckpointCursor: db.prepare<[string, number, number]>(
      'INSERT INTO webhook_checkpoint_cursors (subscription_id, epoch, size) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET size = excluded.size',
    ),
  };
  let activeCache: Subscription[] | undefined;
  /** Subscriptions by id, as last read; cleared whenever a batch changed any subscription. */
  const byId = new Map<string, Subscription>();
  const changeListeners = new Set<() => void>();

  const applyOne = (event: SequencedEvent): boolean => {
    switch (event.type) {
      case 'SubscriptionCreated': {
        const d = event.data as SubscriptionCreated;
        stmts.insert.run({
          id: d.subscriptionId,
          initiativeId: d.initiativeId,
          partnerId: d.partnerId ?? null,
          url: d.url,
          types: JSON.stringify(d.types),
          seq: event.seq,
          createdAt: event.metadata.recordedAt,
        });
        return true;
      }
      case 'SubscriptionDisabled': {
        const d = event.data as SubscriptionDisabled;
        stmts.disable.run(event.seq, d.lastSeq ?? null, d.reason, d.subscriptionId);
        return true;
      }
      case 'SubscriptionEnabled':
        stmts.enable.run((event.data as { subscriptionId: string }).subscriptionId);
        return true;
      case 'SubscriptionRemoved':
        stmts.remove.run((event.data as { subscriptionId: string }).subscriptionId);
        return true;
      default:
        return false;
    }
  };

  const seq = (): number => stmts.getSeq.get() ?? -1;

  const consumer: Consumer = {
    name: 'webhook-subscriptions',
    resumeAfter: seq,
    apply(events) {
      const from = seq();
      let changed = false;
      db.transaction(() => {
        for (const event of events) if (event.seq > from && applyOne(event)) changed = true;
        stmts.putSeq.run(Math.max(from, events[events.length - 1]!.seq));
      })();
      if (changed) {
        activeCache = undefined;
        byId.clear();
        for (const listener of changeListeners) listener();
      }
    },
  };

  return {
    consumer,
    get: (id: string): Subscription | undefined => {
      const known = byId.get(id);
      if (known) return known;
      const row = stmts.get.get(id);
      if (!row) return undefined; // not remembered: this instance's follower may not have reached its creation yet
      const subscription = toSubscription(row);
      if (byId.size >= 100_000) byId.clear();
      byId.set(id, subscription);
      return subscription;
    },
    /** Every subscription not removed (active and disabled), oldest first. */
    list: (): Subscription[] => stmts.live.all().map(toSubscription),
    /** The active subscriptions (cached until the next subscription event). */
    active: (): Subscription[] => (activeCache ??= stmts.live.all().map(toSubscription).filter((s) => s.status === 'active')),
    /** The last seq this instance's outbox enqueued for the subscription's current epoch, if it enqueued any. */
    cursor: (subscription: Subscription): number | undefined => stmts.cursor.get(subscription.id, subscription.epoch),
    /** The size of the last checkpoint this instance's outbox enqueued for the subscription's current epoch. */
    checkpointCursor: (subscription: Subscription): number | undefined => stmts.checkpointCursor.get(subscription.id, subscription.epoch),
    /** Records the outbox's progress (events through a seq, checkpoints up to a size), all in one local transaction. */
    advance: (
      cursors: ReadonlyArray<{ subscription: Subscription; through: number }>,
      checkpointCursors: ReadonlyArray<{ subscription: Subscription; size: number }> = [],
    ): void =>
      db.transaction(() => {
        for (const { subscription, through } of cursors) stmts.putCursor.run(subscription.id, subscription.epoch, through);
        for (const { subscription, size } of checkpointCursors) stmts.putCheckpointCursor.run(subscription.id, subscription.epoch, size);
      })(),
    /** Called after a batch changed any subscription. */
    onChange: (listener: () => void): (() => void) => {
      changeListeners.add(listener);
      return () => changeListeners.delete(listener);
    },
  };
};
export type SubscriptionRegistry = ReturnType<typeof createSubscriptionRegistry>;

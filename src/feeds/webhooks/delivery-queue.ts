import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { FeedItem } from '../feed-item.js';
import type { DeliveryLog } from './delivery-log.js';
import type { Subscription } from './subscription-registry.js';

export const DELIVERY_QUEUE = 'il-webhooks';

export interface DeliveryJob {
  subscriptionId: string;
  epoch: number;
  /** The event's seq; for a checkpoint, the last seq it covers (its CloudEvent `seq`). */
  seq: number;
  /** The CloudEvent `id`: the event's id, or `checkpoint-<tree size>`. */
  eventId: string;
  /** A signed checkpoint, not an event: it is not one of the seqs whose delivery a re-enable catches up from. */
  checkpoint?: true;
  webhookId: string;
  /** The CloudEvent JSON, exactly as signed and sent. */
  body: string;
}

/** The Standard Webhooks message id: one per (subscription, event), the same on every retry and every catch-up. */
export const webhookIdFor = (subscriptionId: string, seq: number): string => `msg_${subscriptionId}_${seq}`;

/** The message id of a signed checkpoint: one per (subscription, tree size). */
export const checkpointWebhookIdFor = (subscriptionId: string, size: number): string => `msg_${subscriptionId}_checkpoint_${size}`;

/**
 * The BullMQ job id: one per (subscription, epoch, event). Deterministic, so enqueueing again — after a crash
 * before the outbox saved its cursor, from another instance, after a local rebuild — collapses into the job that
 * is already there instead of delivering twice. The epoch makes a catch-up after re-enabling new jobs.
 */
export const jobIdFor = (subscriptionId: string, epoch: number, seq: number): string => `${subscriptionId}-${epoch}-${seq}`;

/** The job id of a signed checkpoint's delivery: one per (subscription, epoch, tree size). */
export const checkpointJobIdFor = (subscriptionId: string, epoch: number, size: number): string => `${subscriptionId}-${epoch}-checkpoint-${size}`;

/** A signed checkpoint as the outbox hands it to the queue: its tree size and CloudEvent JSON. */
export interface CheckpointItem {
  size: number;
  json: string;
}

/** What one outbox step hands the queue. */
export interface Enqueued {
  events: ReadonlyArray<{ subscription: Subscription; item: FeedItem }>;
  checkpoints: ReadonlyArray<{ subscription: Subscription; checkpoint: CheckpointItem }>;
  /** How far each subscription's events are now enqueued. */
  cursors: ReadonlyArray<{ subscription: Subscription; through: number }>;
}

/** Attempts per job: in effect unbounded; an endpoint failing for WEBHOOK_DISABLE_AFTER is disabled instead. */
const MAX_ATTEMPTS = 1_000_000;

export const createDeliveryQueue = (options: { connection: Redis; log: DeliveryLog; keepCompletedFor?: number }) => {
  const queue = new Queue<DeliveryJob>(DELIVERY_QUEUE, {
    connection: options.connection,
    defaultJobOptions: {
      attempts: MAX_ATTEMPTS,
      backoff: { type: 'webhook' },
      // Kept for a day (by age): a re-enqueue of the same job id (a crash between enqueueing and saving the cursors)
      // collapses into it. Longer-lived protection comes from the cursors kept beside the queue.
      removeOnComplete: { age: options.keepCompletedFor ?? 24 * 3600 },
      removeOnFail: { age: 30 * 24 * 3600 },
    },
  });

  return {
    queue,
    /**
     * Marks the seqs outstanding, adds the jobs (existing job ids are left as they are), then records how far each
     * subscription's enqueueing got, beside the queue: an instance whose local state was rebuilt (or a new one)
     * resumes from there instead of re-enqueueing history whose jobs may have expired.
     */
    async add({ events, checkpoints, cursors }: Enqueued): Promise<void> {
      await addJobs(events);
      await addCheckpointJobs(checkpoints);
      await options.log.saveCursors(
        cursors.map(({ subscription, through }) => ({ subscriptionId: subscription.id, epoch: subscription.epoch, through })),
        checkpoints.map(({ subscription, checkpoint }) => ({ subscriptionId: subscription.id, epoch: subscription.epoch, size: checkpoint.size })),
      );
    },
    /** The furthest seq any instance enqueued for this subscription's epoch, if Redis knows it. */
    cursor: (subscription: Subscription): Promise<number | undefined> => options.log.cursor(subscription.id, subscription.epoch),
    /** The largest checkpoint any instance enqueued for this subscription's epoch, if Redis knows it. */
    checkpointCursor: (subscription: Subscription): Promise<number | undefined> => options.log.checkpointCursor(subscription.id, subscription.epoch),
    close: () => queue.close(),
  };

  async function addJobs(deliveries: ReadonlyArray<{ subscription: Subscription; item: FeedItem }>): Promise<void> {
      if (deliveries.length === 0) return;
      const bySubscription = new Map<string, number[]>();
      for (const { subscription, item } of deliveries) {
        const seqs = bySubscription.get(subscription.id) ?? [];
        seqs.push(item.seq);
        bySubscription.set(subscription.id, seqs);
      }
      await options.log.outstanding(bySubscription);
      await queue.addBulk(
        deliveries.map(({ subscription, item }) => ({
          name: 'deliver',
          data: {
            subscriptionId: subscription.id,
            epoch: subscription.epoch,
            seq: item.seq,
            eventId: item.id,
            webhookId: webhookIdFor(subscription.id, item.seq),
            body: item.json,
          },
          opts: { jobId: jobIdFor(subscription.id, subscription.epoch, item.seq) },
        })),
      );
  }

  async function addCheckpointJobs(checkpoints: Enqueued['checkpoints']): Promise<void> {
    if (checkpoints.length === 0) return;
    await queue.addBulk(
      checkpoints.map(({ subscription, checkpoint }) => ({
        name: 'deliver',
        data: {
          subscriptionId: subscription.id,
          epoch: subscription.epoch,
          seq: checkpoint.size - 1,
          eventId: `checkpoint-${checkpoint.size}`,
          checkpoint: true as const,
          webhookId: checkpointWebhookIdFor(subscription.id, checkpoint.size),
          body: checkpoint.json,
        },
        opts: { jobId: checkpointJobIdFor(subscription.id, subscription.epoch, checkpoint.size) },
      })),
    );
  }
};
export type DeliveryQueue = ReturnType<typeof createDeliveryQueue>;

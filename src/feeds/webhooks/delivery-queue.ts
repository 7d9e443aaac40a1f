import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { FeedItem } from '../feed-item.js';
import type { DeliveryLog } from './delivery-log.js';
import type { Subscription } from './subscription-registry.js';

export const DELIVERY_QUEUE = 'il-webhooks';

export interface DeliveryJob {
  subscriptionId: string;
  epoch: number;
  seq: number;
  eventId: string;
  webhookId: string;
  /** The CloudEvent JSON, exactly as signed and sent. */
  body: string;
}

/** The Standard Webhooks message id: one per (subscription, event), the same on every retry and every catch-up. */
export const webhookIdFor = (subscriptionId: string, seq: number): string => `msg_${subscriptionId}_${seq}`;

/**
 * The BullMQ job id: one per (subscription, epoch, event). Deterministic, so enqueueing again — after a crash
 * before the outbox saved its cursor, from another instance, after a local rebuild — collapses into the job that
 * is already there instead of delivering twice. The epoch makes a catch-up after re-enabling new jobs.
 */
export const jobIdFor = (subscriptionId: string, epoch: number, seq: number): string => `${subscriptionId}-${epoch}-${seq}`;

/** Attempts per job: in effect unbounded; an endpoint failing for WEBHOOK_DISABLE_AFTER is disabled instead. */
const MAX_ATTEMPTS = 1_000_000;

export const createDeliveryQueue = (options: { connection: Redis; log: DeliveryLog; keepCompletedFor?: number }) => {
  const queue = new Queue<DeliveryJob>(DELIVERY_QUEUE, {
    connection: options.connection,
    defaultJobOptions: {
      attempts: MAX_ATTEMPTS,
      backoff: { type: 'webhook' },
      // Kept for a week (by age): long enough that any re-enqueue of the same job id collapses into it.
      removeOnComplete: { age: options.keepCompletedFor ?? 7 * 24 * 3600 },
      removeOnFail: { age: 30 * 24 * 3600 },
    },
  });

  return {
    queue,
    /** Marks the seqs outstanding, then adds the jobs (existing job ids are left as they are). */
    async add(deliveries: ReadonlyArray<{ subscription: Subscription; item: FeedItem }>): Promise<void> {
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
    },
    close: () => queue.close(),
  };
};
export type DeliveryQueue = ReturnType<typeof createDeliveryQueue>;

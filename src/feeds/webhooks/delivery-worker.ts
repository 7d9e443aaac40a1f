import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Deliverer } from './deliver.js';
import type { DeliveryAttempt, DeliveryLog } from './delivery-log.js';
import { DELIVERY_QUEUE, type DeliveryJob } from './delivery-queue.js';
import { classify, retryDelayMs, type RetryPolicy } from './retry-policy.js';
import type { SubscriptionRegistry } from './subscription-registry.js';

/** A failed attempt that will be retried after `delayMs` (read by the worker's backoff strategy). */
class RetryLaterError extends Error {
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
  }
}

export interface DeliveryWorkerOptions {
  connection: Redis;
  registry: SubscriptionRegistry;
  log: DeliveryLog;
  deliver: Deliverer;
  secretFor(subscriptionId: string): string;
  /** Records `SubscriptionDisabled` (by the service itself); a race with another instance is not an error. */
  disable(subscriptionId: string, reason: string, lastSeq: number): Promise<void>;
  retry: RetryPolicy;
  disableAfterMs: number;
  concurrency: number;
  now?: () => Date;
  onError?(error: Error): void;
  /** Told of every attempt's outcome and duration (metrics). */
  onAttempt?(outcome: DeliveryAttempt['outcome'], latencyMs: number): void;
}

/**
 * Delivers queued webhook jobs: one signed POST per attempt, the attempt written to the delivery log, and the
 * outcome turned into the next step — done, retry later (exponential backoff with jitter, `Retry-After`
 * honoured), not retried (4xx), or the subscription disabled (410 at once; any failure once the endpoint has been
 * failing for `disableAfterMs`). Jobs of a subscription that is no longer active in that epoch are dropped: they
 * stay outstanding, and enabling it again catches up from the lowest of them.
 */
export const createDeliveryWorker = (options: DeliveryWorkerOptions) => {
  const now = options.now ?? (() => new Date());

  const process = async (job: Job<DeliveryJob>): Promise<string> => {
    const { subscriptionId, epoch, seq, eventId, webhookId, body, checkpoint } = job.data;
    const subscription = options.registry.get(subscriptionId);
    // Enqueued by an instance whose follower is ahead of this one's: retry once this one has caught up.
    if (!subscription) throw new RetryLaterError(`subscription ${subscriptionId} is not known here yet`, options.retry.baseMs);
    if (subscription.status === 'removed') {
      await options.log.forget(subscriptionId);
      return 'removed';
    }
    if (epoch > subscription.epoch) throw new RetryLaterError(`subscription ${subscriptionId} was enabled again; not known here yet`, options.retry.baseMs);
    if (subscription.status !== 'active' || subscription.epoch !== epoch) return 'inactive';

    const attempt = job.attemptsMade + 1;
    const at = now();
    const result = await options.deliver({ url: subscription.url, webhookId, body, secret: options.secretFor(subscriptionId) });
    const entry: DeliveryAttempt = {
      webhookId,
      seq,
      eventId,
      attempt,
      at: at.toISOString(),
      outcome: 'delivered',
      ...(result.status !== undefined ? { statusCode: result.status } : {}),
      ...(result.error ? { error: result.error } : {}),
      latencyMs: result.latencyMs,
    };
    const outcome = classify(result);
    const told = outcome === 'retry' ? 'failed' : outcome;
    options.onAttempt?.(told, result.latencyMs);
    const record = (attempt: DeliveryAttempt) => options.log.record(subscriptionId, attempt, { outstanding: !checkpoint });
    // Where delivery stopped when nothing is outstanding: before this event, or through the last event a checkpoint
    // covers (those were enqueued before it, and none is outstanding).
    const stoppedAt = () => options.log.stoppedAt(subscriptionId, checkpoint ? seq : seq - 1);
    switch (outcome) {
      case 'delivered':
        await record(entry);
        return 'delivered';
      case 'rejected':
        await record({ ...entry, outcome: 'rejected' });
        throw new UnrecoverableError(`endpoint refused the message with ${result.status}`);
      case 'gone':
        await record({ ...entry, outcome: 'gone' });
        await options.disable(subscriptionId, 'the endpoint answered 410 Gone', await stoppedAt());
        return 'gone';
      case 'retry': {
        const failingSince = await options.log.failingSince(subscriptionId, epoch, at);
        if (at.getTime() - failingSince >= options.disableAfterMs) {
          await record({ ...entry, outcome: 'abandoned' });
          const hours = Math.round((at.getTime() - failingSince) / 36_000) / 100;
          await options.disable(subscriptionId, `the endpoint has been failing for ${hours} h`, await stoppedAt());
          return 'disabled';
        }
        const delayMs = retryDelayMs(attempt, result, options.retry);
        await record({ ...entry, outcome: 'failed', nextRetryAt: new Date(at.getTime() + delayMs).toISOString() });
        throw new RetryLaterError(result.error ?? `endpoint answered ${result.status}`, delayMs);
      }
    }
  };

  const worker = new Worker<DeliveryJob, string>(DELIVERY_QUEUE, process, {
    connection: options.connection,
    concurrency: options.concurrency,
    settings: {
      backoffStrategy: (_attemptsMade, _type, error) => (error instanceof RetryLaterError ? error.delayMs : options.retry.baseMs),
    },
  });
  worker.on('error', (error) => options.onError?.(error));

  return {
    worker,
    close: () => worker.close(),
  };
};
export type DeliveryWorker = ReturnType<typeof createDeliveryWorker>;

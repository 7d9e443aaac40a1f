import type { AttemptResult } from './deliver.js';

export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
  /** The longest `Retry-After` honoured (longer than WEBHOOK_DISABLE_AFTER would only delay the disable). */
  retryAfterCapMs: number;
  /** 0..1; the default draws from Math.random. */
  random?: () => number;
}

/**
 * What an attempt's result means:
 * - `delivered`: 2xx;
 * - `gone`: 410, the endpoint asks us to stop: the subscription is disabled at once;
 * - `rejected`: any other 4xx except 408 and 429: the endpoint refuses this message; retrying cannot help;
 * - `retry`: 408, 429, 5xx, other statuses, timeouts, connection errors and refused addresses.
 */
export const classify = (result: AttemptResult): 'delivered' | 'gone' | 'rejected' | 'retry' => {
  const { status } = result;
  if (status === undefined) return 'retry';
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 410) return 'gone';
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) return 'rejected';
  return 'retry';
};

/**
 * The wait before retry `attempt + 1`: exponential from `baseMs`, capped at `maxMs`, with "equal jitter" (half
 * fixed, half random) so endpoints that fail together are not retried in lockstep. A `Retry-After` from the
 * endpoint is honoured: never sooner than it asks, up to `retryAfterCapMs`.
 */
export const retryDelayMs = (attempt: number, result: AttemptResult, policy: RetryPolicy): number => {
  const random = policy.random ?? Math.random;
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt - 1, 40));
  const jittered = Math.round(exponential / 2 + (exponential / 2) * random());
  return Math.max(jittered, Math.min(result.retryAfterMs ?? 0, policy.retryAfterCapMs));
};

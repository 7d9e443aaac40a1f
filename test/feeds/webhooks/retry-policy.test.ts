import t from 'tap';
import { classify, retryDelayMs } from '../../../src/feeds/webhooks/retry-policy.js';

t.test('what each answer means', async (t) => {
  t.equal(classify({ status: 200, latencyMs: 1 }), 'delivered');
  t.equal(classify({ status: 204, latencyMs: 1 }), 'delivered');
  t.equal(classify({ status: 410, latencyMs: 1 }), 'gone');
  for (const status of [400, 401, 403, 404, 413, 422]) t.equal(classify({ status, latencyMs: 1 }), 'rejected', `${status} is not retried`);
  for (const status of [408, 429, 500, 502, 503, 504, 301, 302]) t.equal(classify({ status, latencyMs: 1 }), 'retry', `${status} is retried`);
  t.equal(classify({ error: 'timed out', latencyMs: 10_000 }), 'retry', 'a timeout is retried');
  t.equal(classify({ error: 'ECONNREFUSED', latencyMs: 1 }), 'retry', 'a connection error is retried');
});

t.test('exponential backoff with jitter, capped, honouring Retry-After', async (t) => {
  const policy = (random: number) => ({ baseMs: 1000, maxMs: 60_000, retryAfterCapMs: 3_600_000, random: () => random });
  t.equal(retryDelayMs(1, { status: 500, latencyMs: 1 }, policy(0)), 500, 'first retry: between base/2 …');
  t.equal(retryDelayMs(1, { status: 500, latencyMs: 1 }, policy(1)), 1000, '… and base');
  t.equal(retryDelayMs(4, { status: 500, latencyMs: 1 }, policy(1)), 8000, 'doubles each time');
  t.equal(retryDelayMs(30, { status: 500, latencyMs: 1 }, policy(1)), 60_000, 'capped');
  t.equal(retryDelayMs(1000, { status: 500, latencyMs: 1 }, policy(0.5)), 45_000, 'no overflow for late attempts');
  t.equal(retryDelayMs(1, { status: 429, latencyMs: 1, retryAfterMs: 30_000 }, policy(0)), 30_000, 'Retry-After asks for longer: honoured');
  t.equal(retryDelayMs(1, { status: 429, latencyMs: 1, retryAfterMs: 600_000 }, policy(0)), 600_000, 'even beyond the backoff cap');
  t.equal(retryDelayMs(1, { status: 503, latencyMs: 1, retryAfterMs: 7_200_000 }, policy(0)), 3_600_000, 'but not beyond the Retry-After cap');
  const draws = new Set(Array.from({ length: 50 }, () => retryDelayMs(3, { status: 500, latencyMs: 1 }, { baseMs: 1000, maxMs: 60_000, retryAfterCapMs: 0 })));
  t.ok(draws.size > 10, 'jitter spreads retries');
  t.ok([...draws].every((d) => d >= 2000 && d <= 4000));
});

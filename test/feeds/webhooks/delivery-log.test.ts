import { Redis } from 'ioredis';
import t from 'tap';
import { createDeliveryLog, type DeliveryAttempt } from '../../../src/feeds/webhooks/delivery-log.js';
import { startRedis } from '../../helpers/redis.js';

const SUB = '0b7c54f0-3f5e-4a0e-9b8e-6c1f3f1f0a01';
const attempt = (seq: number, eventId: string, outcome: DeliveryAttempt['outcome'] = 'delivered'): DeliveryAttempt => ({
  webhookId: `msg_${SUB}_${eventId}`,
  seq,
  eventId,
  attempt: 1,
  at: '2026-12-03T12:00:00.000Z',
  outcome,
  statusCode: outcome === 'delivered' ? 200 : 503,
  latencyMs: 3,
});

t.test('where delivery stopped: the lowest seq not yet settled; a checkpoint settles no event', async (t) => {
  const server = await startRedis(t);
  if (!server) return;
  const redis = new Redis(server.url);
  t.teardown(() => redis.disconnect());
  const log = createDeliveryLog(redis);

  t.equal(await log.stoppedAt(SUB, 41), 41, 'nothing outstanding: the fallback');
  await log.outstanding(new Map([[SUB, [42, 43, 44]]]));
  t.equal(await log.stoppedAt(SUB, 99), 41, 'stopped before the lowest outstanding seq');

  await log.record(SUB, attempt(42, 'checkpoint-43'), { outstanding: false });
  t.equal(await log.stoppedAt(SUB, 99), 41, 'the checkpoint of size 43 carries seq 42 and was delivered: event 42 is still outstanding');

  await log.record(SUB, attempt(42, 'e42', 'failed'));
  t.equal(await log.stoppedAt(SUB, 99), 41, 'a failed attempt settles nothing');
  await log.record(SUB, attempt(42, 'e42'));
  t.equal(await log.stoppedAt(SUB, 99), 42, 'delivered: settled');
  await log.record(SUB, attempt(44, 'e44'));
  await log.record(SUB, attempt(43, 'e43', 'rejected'));
  t.equal(await log.stoppedAt(SUB, 99), 99, 'a refusal settles too; nothing outstanding');

  const logged = await log.attempts(SUB, 10);
  t.same(
    logged.map((a) => [a.eventId, a.outcome]),
    [
      ['e43', 'rejected'],
      ['e44', 'delivered'],
      ['e42', 'delivered'],
      ['e42', 'failed'],
      ['checkpoint-43', 'delivered'],
    ],
    'every attempt is in the log, newest first',
  );
});

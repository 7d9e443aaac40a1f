import t from 'tap';
import { createCommandHandler } from '../../src/commands/command-handler.js';
import { createStateCache } from '../../src/commands/state-cache.js';
import { initiativeDecider, initiativeStream } from '../../src/domain/initiative/decider.js';
import type { SequencedEvent } from '../../src/follower/consumer.js';
import { api } from '../helpers/api.js';
import { startService } from '../helpers/service.js';

const eventOf = (stream: string, revision: number) => ({ stream, revision }) as SequencedEvent;

t.test('given kept states, events of their streams newer than them drop them; as new or older ones keep them', async (t) => {
  const cache = createStateCache();
  cache.set('initiative-a', { partners: 1 }, 2);
  cache.set('initiative-b', { partners: 1 }, 2);
  cache.set('initiative-c', {}, null);
  cache.consumer.apply([eventOf('initiative-a', 2), eventOf('initiative-a', 1), eventOf('initiative-b', 3), eventOf('initiative-c', 0), eventOf('elsewhere', 9)]);
  t.ok(cache.get('initiative-a'), 'this process\'s own write: the state is already at its revision');
  t.equal(cache.get('initiative-b'), undefined, 'another writer moved past it');
  t.equal(cache.get('initiative-c'), undefined, 'a stream kept as empty that another writer started');
});

t.test('a partner that left through another instance can do nothing new here either', async (t) => {
  const service = await startService(t);
  const c = api(service.app);
  const initiative = await c.launch();
  const partner = await c.partner(initiative, 'River Trust');
  const goal = await c.goal(initiative);
  const indicator = await c.indicator(initiative, goal);
  const reading = (start: string) => c.post(`/indicators/${indicator}/readings`, { partnerId: partner, period: { start, end: start }, value: 1 });
  t.equal((await reading('2026-01-01')).status, 201, 'this instance keeps the initiative\'s state from here on');

  // Another instance: its own command handler (and state cache) over the same store, its write followed here.
  const other = createCommandHandler({ store: service.store, follower: service.follower, applyTimeoutMs: 5_000 });
  const departed = await other({
    decider: initiativeDecider,
    stream: initiativeStream(initiative),
    resourceId: partner,
    command: { type: 'RecordPartnerDeparture', initiativeId: initiative, partnerId: partner, reason: 'project ended' },
    context: { actor: { keyId: 'admin', role: 'admin' }, correlationId: 'other-instance' },
  });
  t.type(departed.seq, 'number', 'followed here');

  const refused = await reading('2026-01-02');
  t.equal(refused.status, 409, 'the reading is judged on the initiative as the log has it');
  t.match(refused.body.detail, /left/);
});

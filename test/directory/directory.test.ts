import t from 'tap';
import { join } from 'node:path';
import { createDirectoryConsumer } from '../../src/directory/directory-consumer.js';
import { createDirectoryStore } from '../../src/directory/directory-store.js';
import type { SequencedEvent } from '../../src/follower/consumer.js';
import { openLocalDatabase } from '../../src/follower/local-state.js';
import type { EventType } from '../../src/events/catalog.js';
import { ids, sampleMetadata, samples } from '../fixtures/events/samples.js';
import { tempDir } from '../helpers/temp-dir.js';

let seq = 0;
const event = <T extends EventType>(type: T, stream: string, extra: Record<string, unknown> = {}, metadata = {}): SequencedEvent => ({
  id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
  type,
  stream,
  revision: 0,
  data: { ...samples[type], ...extra },
  metadata: { ...sampleMetadata(), ...metadata },
  position: String(seq + 1) as SequencedEvent['position'],
  seq: seq++,
});

t.test('given events, the directory routes ids to streams and initiatives', async (t) => {
  const db = openLocalDatabase(join(tempDir(t), 'local.sqlite'));
  t.teardown(() => db.close());
  const directory = createDirectoryStore(db);
  const changed: string[] = [];
  const consumer = createDirectoryConsumer(directory, { onKeyChange: (id) => changed.push(id) });
  const decisionStream = `decision-${ids.decision}`;
  consumer.apply([
    event('InitiativeLaunched', `initiative-${ids.initiative}`),
    event('IndicatorDefined', `indicator-${ids.indicator}`),
    event('ReadingRecorded', `indicator-${ids.indicator}`, {}, { idempotencyKey: 'retry-me' }),
    event('DecisionProposed', decisionStream),
    event('VoteCast', decisionStream),
    event('AccessKeyIssued', `access-key-${ids.key}`),
  ]);

  t.match(directory.resource(ids.reading), { kind: 'reading', stream: `indicator-${ids.indicator}`, initiativeId: ids.initiative, partnerId: ids.partner });
  t.match(directory.resource(ids.decision), { kind: 'decision', stream: decisionStream, initiativeId: ids.initiative });
  t.equal(directory.initiativeOfStream(decisionStream), ids.initiative, 'a vote (no initiativeId in its data) inherits its stream\'s initiative');
  t.match(directory.receipt(ids.key, 'retry-me'), { id: ids.reading, kind: 'reading', seq: 2, stream: `indicator-${ids.indicator}` });
  t.equal(directory.receipt(ids.key, 'other'), undefined);
  const key = directory.keyByHash(samples.AccessKeyIssued.keyHash);
  t.match(key, { keyId: ids.key, role: samples.AccessKeyIssued.role, revoked: false });
  t.same(changed, [ids.key], 'listeners hear about issued keys');

  consumer.apply([event('AccessKeyRevoked', `access-key-${ids.key}`)]);
  t.equal(directory.keyById(ids.key)?.revoked, true, 'a revocation is applied');
  t.equal(directory.seq(), 6);
  consumer.apply([event('InitiativeLaunched', 'x').valueOf() as SequencedEvent].map((e) => ({ ...e, seq: 3 })));
  t.equal(directory.seq(), 6, 'a replayed older batch never moves the checkpoint back');
});

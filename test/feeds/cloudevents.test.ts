import t from 'tap';
import { eventTypes } from '../../src/events/catalog.js';
import { checkpointCloudEvent, cloudEventType, toCloudEvent } from '../../src/feeds/cloudevents.js';
import { ids, sampleEvent } from '../fixtures/events/samples.js';

t.test('every event type maps to a documented CloudEvents type: kind, then what happened', async (t) => {
  t.equal(cloudEventType('ReadingRecorded'), 'org.impact-ledger.reading.recorded');
  t.equal(cloudEventType('VoteCast'), 'org.impact-ledger.decision.vote-cast');
  t.equal(cloudEventType('AccessKeyIssued'), 'org.impact-ledger.access-key.issued');
  t.equal(cloudEventType('IndicatorTargetRevised'), 'org.impact-ledger.indicator.target-revised');
  const all = eventTypes.map(cloudEventType);
  t.equal(new Set(all).size, all.length, 'no two event types share a CloudEvents type');
  t.ok(all.every((type) => /^org\.impact-ledger\.[a-z-]+\.[a-z-]+$/.test(type)));
});

t.test('a stored event becomes a CloudEvents 1.0 structured JSON object with seq', async (t) => {
  const event = { ...sampleEvent('ReadingRecorded'), position: '1' as never, seq: 41 };
  const ce = toCloudEvent(event, ids.initiative, 'https://ledger.example.org');
  t.same(ce, {
    specversion: '1.0',
    id: event.id,
    source: `https://ledger.example.org/initiatives/${ids.initiative}`,
    type: 'org.impact-ledger.reading.recorded',
    time: event.metadata.recordedAt,
    subject: `readings/${ids.reading}`,
    datacontenttype: 'application/json',
    data: event.data,
    seq: 41,
  });
  const checkpoint = checkpointCloudEvent({ size: 42, note: 'note\n', createdAt: '2026-01-01T00:00:00.000Z' }, 'ledger.example.org', 'https://ledger.example.org');
  t.match(checkpoint, { type: 'org.impact-ledger.checkpoint.signed', source: 'https://ledger.example.org/audit', seq: 41, data: { treeSize: 42, origin: 'ledger.example.org' } });
});

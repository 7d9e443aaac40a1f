import t from 'tap';
import { createEventStoreDbStore } from '../../src/store/eventstoredb/index.js';
import { runConformance } from './event-store.conformance.js';

const url = process.env.EVENTSTORE_URL;
if (!url) {
  t.comment('EventStoreDB conformance SKIPPED: EVENTSTORE_URL is not set.');
  t.comment('Run it with: docker compose up -d eventstoredb && EVENTSTORE_URL="esdb://localhost:2113?tls=false" npm test');
  t.pass('skipped: no EVENTSTORE_URL', { skip: 'EVENTSTORE_URL is not set (no EventStoreDB server to test against)' });
} else {
  runConformance(t, 'eventstoredb', async () => createEventStoreDbStore({ connectionString: url }));
}

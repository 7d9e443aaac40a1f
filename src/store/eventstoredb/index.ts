export { createEventStoreDbStore, type EventStoreDbStoreOptions } from './eventstoredb-event-store.js';

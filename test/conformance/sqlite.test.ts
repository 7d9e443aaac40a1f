import t from 'tap';
import { join } from 'node:path';
import { createSqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';
import { tempDir } from '../helpers/temp-dir.js';
import { runConformance } from './event-store.conformance.js';

const dir = tempDir(t);
runConformance(t, 'sqlite', async () => createSqliteEventStore({ file: join(dir, 'events.sqlite') }));

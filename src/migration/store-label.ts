import { join } from 'node:path';
import type { Config } from '../config.js';

/** How a CLI names the store it works on: the sqlite file, or the EventStoreDB URL without its credentials. */
export const describeStore = (config: Pick<Config, 'eventStoreUrl' | 'dataDir'>): string => {
  if (!config.eventStoreUrl) return `the sqlite store ${join(config.dataDir, 'events.sqlite')}`;
  return `EventStoreDB ${config.eventStoreUrl.replace(/\/\/[^@/]*@/, '//')}`;
};

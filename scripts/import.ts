/**
 * npm run import -- --in file [--to-eventstore <url> | --to-data-dir <dir>]
 *
 * Imports an export (npm run export) into an empty store: the configured one by default (EVENTSTORE_URL, else
 * DATA_DIR/events.sqlite, as the service), or EventStoreDB at `url`, or the sqlite store in `dir`. The file is
 * checked completely before anything is written; afterwards the store is read back and must have the file's root.
 * This is also the migration from the embedded store to EventStoreDB:
 *   npm run export -- --out log.ndjson && npm run import -- --in log.ndjson --to-eventstore 'esdb://host:2113?tls=false'
 * Prints the summary (count, last seq, root hash) to stdout, progress to stderr when it is a terminal. Exit code 0
 * on success, 1 when the file or the import is refused, 2 on bad arguments or configuration.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../src/config.js';
import { ImportError, importLog } from '../src/migration/import-log.js';
import { readLines } from '../src/migration/lines.js';
import { LogLineError } from '../src/migration/log-line.js';
import { createProgressLine } from '../src/migration/progress.js';
import { describeStore } from '../src/migration/store-label.js';
import { summaryLines } from '../src/migration/summary-lines.js';
import { openStore } from '../src/service.js';

const USAGE = 'usage: npm run import -- --in file [--to-eventstore <esdb-url> | --to-data-dir <dir>]';

class UsageError extends Error {}

const PHASES = { check: 'checking the file', write: 'importing', verify: 'reading the store back' } as const;

const parse = (): { file: string; target: Pick<Config, 'eventStoreUrl' | 'dataDir'> } => {
  let values;
  try {
    ({ values } = parseArgs({
      options: { in: { type: 'string', short: 'i' }, 'to-eventstore': { type: 'string' }, 'to-data-dir': { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (!values.in) throw new UsageError('--in is required');
  const url = values['to-eventstore'];
  const dir = values['to-data-dir'];
  if (url !== undefined && dir !== undefined) throw new UsageError('give --to-eventstore or --to-data-dir, not both');
  if (url !== undefined) return { file: values.in, target: { eventStoreUrl: loadConfig({ EVENTSTORE_URL: url }).eventStoreUrl, dataDir: '' } };
  if (dir !== undefined) return { file: values.in, target: { eventStoreUrl: undefined, dataDir: dir } };
  return { file: values.in, target: loadConfig() };
};

const main = async (): Promise<number> => {
  let file: string;
  let target: Pick<Config, 'eventStoreUrl' | 'dataDir'>;
  try {
    ({ file, target } = parse());
  } catch (error) {
    if (error instanceof UsageError) process.stderr.write(`${error.message}\n${USAGE}\n`);
    else if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
    else throw error;
    return 2;
  }
  if (!existsSync(file)) {
    process.stderr.write(`no such file: ${file}\n`);
    return 2;
  }

  const store = openStore(target);
  const progress = createProgressLine(process.stderr);
  try {
    const summary = await importLog(store, () => readLines(file), {
      onProgress: ({ phase, done, total }) => progress.update(PHASES[phase], done, total),
    });
    progress.clear();
    process.stdout.write(`imported ${file} into ${describeStore(target)}\n${summaryLines(summary.store)}`);
    const local = join(target.dataDir, 'local.sqlite');
    if (!target.eventStoreUrl && existsSync(local)) {
      process.stderr.write(`note: ${local} is the follower state of the store that was there before; delete it before starting the service (it is rebuilt from the store)\n`);
    }
    return 0;
  } catch (error) {
    progress.clear();
    const nothingWritten = error instanceof LogLineError || (error instanceof ImportError && error.committed === 0 && error.stray === 0);
    process.stderr.write(`${nothingWritten ? 'import refused, nothing was written' : 'import failed'}: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await store.close();
  }
};

process.exitCode = await main();

/**
 * npm run export -- [--out file]
 *
 * Writes the whole log of the configured store (EVENTSTORE_URL, else the sqlite store in DATA_DIR — the same
 * environment as the service) as NDJSON, one `{ seq, id, stream, revision, type, data, metadata }` per line in
 * global order, to `file` (written as `file.partial`, renamed when complete) or to stdout. The summary (count,
 * last seq, root hash) goes to stderr, progress too when stderr is a terminal. For stdout, run `npm run --silent
 * export > file` so that npm's own banner stays out of the file. Exit code 0 on success, 1 on failure, 2 on
 * bad arguments or configuration.
 */
import { once } from 'node:events';
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../src/config.js';
import { exportLog } from '../src/migration/export-log.js';
import { createProgressLine } from '../src/migration/progress.js';
import { describeStore } from '../src/migration/store-label.js';
import { summaryLines } from '../src/migration/summary-lines.js';
import { openStore } from '../src/service.js';

const USAGE = 'usage: npm run export -- [--out file]   (source: EVENTSTORE_URL, else DATA_DIR/events.sqlite)';

/** A `write` that honours back-pressure and turns a stream error (EPIPE, disk full) into a rejection. */
const writerFor = (output: Writable) => {
  let failed: Error | undefined;
  output.on('error', (error) => (failed ??= error));
  return async (chunk: string): Promise<void> => {
    if (failed) throw failed;
    if (!output.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          output.off('drain', done);
          output.off('error', done);
          resolve();
        };
        output.on('drain', done);
        output.on('error', done);
      });
    }
    if (failed) throw failed;
  };
};

const main = async (): Promise<number> => {
  let out: string | undefined;
  try {
    const { values } = parseArgs({ options: { out: { type: 'string', short: 'o' } }, strict: true, allowPositionals: false });
    out = values.out;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }

  const store = openStore(config);
  const partial = out === undefined ? undefined : `${out}.partial`;
  const output: Writable = partial === undefined ? process.stdout : createWriteStream(partial);
  const progress = createProgressLine(process.stderr);
  try {
    const summary = await exportLog(store, writerFor(output), { onProgress: ({ done }) => progress.update('exporting', done) });
    if (partial !== undefined && out !== undefined) {
      output.end();
      await once(output, 'finish');
      renameSync(partial, out);
    }
    progress.clear();
    process.stderr.write(`exported ${describeStore(config)} to ${out ?? 'stdout'}\n${summaryLines(summary)}`);
    return 0;
  } catch (error) {
    progress.clear();
    if (partial !== undefined) {
      output.destroy();
      rmSync(partial, { force: true });
    }
    process.stderr.write(`export failed: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await store.close();
  }
};

process.exitCode = await main();

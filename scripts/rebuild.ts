/**
 * npm run rebuild — rebuilds every projection from the log, on demand (issue 4): drops their snapshots in
 * DATA_DIR/local.sqlite, replays the whole log through them with a progress bar, and saves fresh snapshots.
 * Run it with the service stopped; it uses the same configuration (EVENTSTORE_URL or DATA_DIR).
 */
import { join } from 'node:path';
import { allProjections } from '../projections/index.js';
import { loadConfig } from '../src/config.js';
import { createFollower } from '../src/follower/follower.js';
import { createSeqIndex, openLocalDatabase } from '../src/follower/local-state.js';
import { openStore } from '../src/service.js';
import { createSnapshotStore } from '../src/views/snapshot-store.js';
import { createViews } from '../src/views/views.js';

const config = loadConfig();
const store = openStore(config);
const db = openLocalDatabase(join(config.dataDir, 'local.sqlite'));
createSnapshotStore(db).clear();
const seqIndex = createSeqIndex(db);
const views = createViews({ db, store, seqIndex, projections: allProjections, snapshotEvery: config.snapshotEvery });
const follower = createFollower({ store, localDb: db, consumers: [views.consumer] });

/** Events after `seq` in the store (at most one is read: is there more?). */
const moreAfter = async (seq: number): Promise<boolean> => {
  const position = seq >= 0 ? seqIndex.get(seq)?.position : undefined;
  if (seq >= 0 && position === undefined) return true; // not numbered yet: the follower has more to do
  return (await store.readAll({ ...(position === undefined ? {} : { after: position }), maxCount: 1 })).length > 0;
};

/**
 * The progress bar's total: the events the service's follower numbered (its seq index, kept in the same file) — not a
 * read of the whole log before the work starts, which took a third as long as the rebuild itself. Events appended
 * since are found at the end (`moreAfter`) and replayed too.
 */
let total = (seqIndex.last()?.seq ?? -1) + 1;
if (total === 0) {
  for (let page = await store.readAll({ maxCount: 5000 }); page.length > 0; page = await store.readAll({ after: page[page.length - 1]!.position, maxCount: 5000 })) {
    total += page.length;
  }
}

const started = Date.now();
const draw = () => {
  const done = views.head() + 1;
  total = Math.max(total, done); // the log had more than the index knew of
  const width = 30;
  const filled = total === 0 ? width : Math.round((done / total) * width);
  const rate = Math.round(done / Math.max((Date.now() - started) / 1000, 0.001));
  const line = `rebuild [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} events, ${rate}/s`;
  if (process.stderr.isTTY) process.stderr.write(`\r${line}`);
  return line;
};
const timer = setInterval(draw, process.stderr.isTTY ? 200 : 5000);
await follower.start();
for (;;) {
  while (views.head() + 1 < total) await new Promise((resolve) => setTimeout(resolve, 50));
  if (!(await moreAfter(views.head()))) break;
  // More than the index knew of: at least the events the follower has numbered (it numbers a batch before the views
  // apply it) and one beyond what the views applied — never more than the log holds, or this would wait forever.
  total = Math.max(total, follower.head() + 1, views.head() + 2);
}
clearInterval(timer);
await follower.stop();
views.snapshotNow();
const summary = draw();
process.stderr.write(process.stderr.isTTY ? '\n' : `${summary}\n`);
console.log(`rebuilt ${allProjections.map((p) => `${p.name}@${p.version}`).join(', ')} over ${views.head() + 1} events in ${((Date.now() - started) / 1000).toFixed(1)} s`);
db.close();
await store.close();

/**
 * A child process for the multi-process and crash tests: `writers` concurrent appenders, each to its
 * own stream, print `ACK <id> <stream> <revision>` once an append has resolved (so, was durable),
 * optionally with a follower numbering events into a local file. Runs until `count` appends or killed.
 *   node --import @tapjs/typescript/import test/helpers/append-loop.ts <events.sqlite> <count> <writers> [local.sqlite]
 */
import { createFollower } from '../../src/follower/follower.js';
import { openLocalDatabase } from '../../src/follower/local-state.js';
import { createSqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';
import { testEvent } from '../conformance/event-store.conformance.js';

const [file, countArg, writersArg, localFile] = process.argv.slice(2);
if (!file) throw new Error('usage: append-loop.ts <events.sqlite> <count> <writers> [local.sqlite]');
const count = Number(countArg ?? 'Infinity');
const writers = Number(writersArg ?? '1');
const store = createSqliteEventStore({ file });
const follower = localFile ? createFollower({ store, localDb: openLocalDatabase(localFile) }) : undefined;
await follower?.start();

let appended = 0;
const writer = async (w: number) => {
  const stream = `loop-${process.pid}-${w}`;
  let revision = -1;
  while (appended < count) {
    appended += 1;
    const event = testEvent('LoopTicked', { w, text: 'ünïcødé ✓', pad: 'x'.repeat(200) });
    const result = await store.append(stream, [event], { expectedRevision: revision < 0 ? 'no_stream' : revision });
    revision = result.nextRevision;
    process.stdout.write(`ACK ${event.id} ${stream} ${revision}\n`);
  }
};
await Promise.all(Array.from({ length: writers }, (_, w) => writer(w)));
await follower?.stop();
await store.close();

import t, { type Test } from 'tap';
import { join } from 'node:path';
import { createDirectoryConsumer } from '../../src/directory/directory-consumer.js';
import { createDirectoryStore } from '../../src/directory/directory-store.js';
import type { SequencedEvent } from '../../src/follower/consumer.js';
import { openLocalDatabase } from '../../src/follower/local-state.js';
import type { EventType } from '../../src/events/catalog.js';
import { ids, sampleMetadata, samples } from '../fixtures/events/samples.js';
import { tempDir } from '../helpers/temp-dir.js';

const OTHER_READING = '5a2d1b6f-7c8e-4fa0-9b12-c2d3e4f50699';
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

t.test('given a key issued then revoked, the directory keeps when each happened and lists keys by issue time', async (t) => {
  const db = openLocalDatabase(join(tempDir(t), 'local.sqlite'));
  t.teardown(() => db.close());
  const directory = createDirectoryStore(db);
  t.equal(directory.rebuilding, false, 'a new file needs no rebuild');
  const consumer = createDirectoryConsumer(directory);
  const other = '0b7c1f3e-8d2a-4c55-9e61-2f4a8b9c0d1e';
  const hash = (c: string) => c.repeat(64);
  consumer.apply([
    event('AccessKeyIssued', `access-key-${ids.key}`, {}, { recordedAt: '2026-01-02T10:00:00.000Z' }),
    event('AccessKeyIssued', `access-key-${other}`, { keyId: other, keyHash: hash('b'), role: 'auditor', initiativeId: undefined, partnerId: undefined }, { recordedAt: '2026-01-01T09:00:00.000Z' }),
  ]);
  consumer.apply([event('AccessKeyRevoked', `access-key-${ids.key}`, {}, { recordedAt: '2026-01-03T11:00:00.000Z' })]);

  t.match(directory.keyById(ids.key), { revoked: true, issuedAt: '2026-01-02T10:00:00.000Z', revokedAt: '2026-01-03T11:00:00.000Z' });
  t.match(directory.keyById(other), { revoked: false, issuedAt: '2026-01-01T09:00:00.000Z', revokedAt: null, initiativeId: null });
  t.same(directory.keys().map((k) => k.keyId), [other, ids.key], 'by issue time, then id');
  t.same(directory.keys(ids.initiative).map((k) => k.keyId), [ids.key], 'or only one initiative\'s');
});

/** A local file whose access_keys table and directory checkpoint are as the first release made them. */
const firstReleaseDirectory = (t: Test, checkpointSeq: number) => {
  const file = join(tempDir(t), 'local.sqlite');
  const old = openLocalDatabase(file);
  old.exec(`
    CREATE TABLE access_keys (key_id TEXT PRIMARY KEY, key_hash TEXT NOT NULL UNIQUE, role TEXT NOT NULL, initiative_id TEXT,
      partner_id TEXT, label TEXT NOT NULL, revoked INTEGER NOT NULL DEFAULT 0) STRICT;
    CREATE TABLE directory_state (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL) STRICT;
  `);
  old.prepare('INSERT INTO directory_state (id, seq) VALUES (1, ?)').run(checkpointSeq);
  return { file, old };
};

t.test('given a directory made before keys had times, opening it adds the columns and replays the log to fill them', async (t) => {
  // With one key applied at seq 41.
  const { file, old } = firstReleaseDirectory(t, 41);
  old.prepare('INSERT INTO access_keys (key_id, key_hash, role, initiative_id, partner_id, label, revoked) VALUES (?, ?, ?, ?, NULL, ?, 1)').run(
    ids.key,
    samples.AccessKeyIssued.keyHash,
    samples.AccessKeyIssued.role,
    ids.initiative,
    'old',
  );
  old.close();

  const db = openLocalDatabase(file);
  t.teardown(() => db.close());
  const directory = createDirectoryStore(db);
  t.equal(directory.rebuilding, true, 'it holds keys without times: it is rebuilt');
  t.equal(directory.seq(), -1, 'its checkpoint goes back to the start, so the follower replays the whole log to it');
  t.match(directory.keyById(ids.key), { revoked: true, issuedAt: null, revokedAt: null }, 'the key stays (and stays revoked) while the log is replayed');

  const consumer = createDirectoryConsumer(directory);
  consumer.apply([
    { ...event('AccessKeyIssued', `access-key-${ids.key}`, {}, { recordedAt: '2025-06-01T08:00:00.000Z' }), seq: 0 },
    { ...event('AccessKeyRevoked', `access-key-${ids.key}`, {}, { recordedAt: '2025-07-01T08:00:00.000Z' }), seq: 1 },
  ]);
  t.match(directory.keyById(ids.key), { revoked: true, issuedAt: '2025-06-01T08:00:00.000Z', revokedAt: '2025-07-01T08:00:00.000Z' }, 'the replay fills the times');
  t.equal(createDirectoryStore(db).rebuilding, false, 'the migration runs once');
  t.equal(directory.seq(), 1, 'and opening it again leaves its checkpoint alone');
});

t.test('given an old directory with no keys yet, the columns are added without a rebuild', async (t) => {
  const { file, old } = firstReleaseDirectory(t, 7);
  old.close();
  const db = openLocalDatabase(file);
  t.teardown(() => db.close());
  const directory = createDirectoryStore(db);
  t.equal(directory.rebuilding, false);
  t.equal(directory.seq(), 7);
  t.same(
    (db.pragma('table_info(access_keys)') as Array<{ name: string }>).map((c) => c.name).filter((name) => name.endsWith('_at')),
    ['issued_at', 'revoked_at'],
  );
});

t.test('given a directory from before the reading index, opening it replays the log once to index every reading\'s events', async (t) => {
  const file = join(tempDir(t), 'local.sqlite');
  const before = openLocalDatabase(file);
  createDirectoryStore(before).setSeq(12);
  before.exec('ALTER TABLE directory_resources DROP COLUMN revisions');
  before.close();

  const db = openLocalDatabase(file);
  t.teardown(() => db.close());
  const directory = createDirectoryStore(db);
  t.equal(directory.rebuilding, true);
  t.equal(directory.seq(), -1, 'its checkpoint goes back to the start');
  const stream = `indicator-${ids.indicator}`;
  t.same(directory.readingRevisions(ids.reading), [], 'nothing indexed before the replay');
  const consumer = createDirectoryConsumer(directory);
  consumer.apply([
    { ...event('ReadingRecorded', stream), revision: 4 },
    { ...event('ReadingRecorded', stream, { readingId: OTHER_READING }), revision: 5 },
    { ...event('ReadingCorrected', stream), revision: 7 },
    { ...event('ReadingApproved', stream), revision: 9 },
  ]);
  t.same(directory.readingRevisions(ids.reading), [4, 7, 9], 'a reading\'s events, by revision in its indicator stream');
  t.same(directory.readingRevisions(OTHER_READING), [5]);
  t.same(directory.readingRevisions(ids.partner), [], 'nothing for an id that is no reading');
  directory.transaction(() => directory.putReadingEvent(ids.reading, 7));
  t.same(directory.readingRevisions(ids.reading), [4, 7, 9], 'an event indexed again (a replay) is not listed twice');
  t.equal(createDirectoryStore(db).rebuilding, false, 'the migration runs once');
});

t.test('given a batch whose transaction failed, the streams it named are written again when it is replayed', async (t) => {
  const db = openLocalDatabase(join(tempDir(t), 'local.sqlite'));
  t.teardown(() => db.close());
  const directory = createDirectoryStore(db);
  const consumer = createDirectoryConsumer(directory);
  const stream = `decision-${ids.decision}`;
  const batch = [event('DecisionProposed', stream)];
  // A real failure inside the batch's transaction, after the stream's row was written: the file refuses the checkpoint.
  db.exec("CREATE TRIGGER refuse_seq BEFORE UPDATE ON directory_state BEGIN SELECT RAISE(ABORT, 'disk says no'); END");
  db.exec("CREATE TRIGGER refuse_seq_insert BEFORE INSERT ON directory_state BEGIN SELECT RAISE(ABORT, 'disk says no'); END");
  t.throws(() => consumer.apply(batch), /disk says no/);
  t.equal(directory.initiativeOfStream(stream), undefined, 'the stream row was rolled back');
  db.exec('DROP TRIGGER refuse_seq; DROP TRIGGER refuse_seq_insert');
  consumer.apply(batch);
  t.equal(directory.initiativeOfStream(stream), ids.initiative, 'and written again on the replay');
  t.match(directory.resource(ids.decision), { kind: 'decision', stream });
});

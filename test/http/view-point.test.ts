import t from 'tap';
import { createSeqIndex, openLocalDatabase } from '../../src/follower/local-state.js';
import { ProblemError } from '../../src/errors.js';
import { resolveViewPoint } from '../../src/http/routes/view-point.js';
import { api } from '../helpers/api.js';
import { admin, startService } from '../helpers/service.js';

/**
 * The point a view is read at (design §5, issue #4: "overdue is judged at the view's asOf time, not the wall clock"):
 * given a seq index and a wall clock far from the log's dates, `asOf` decides the seq and the date a view is judged
 * at; only the current view is judged today.
 */

const db = openLocalDatabase(':memory:');
const index = createSeqIndex(db);
index.append([
  { seq: 0, position: '1' as never, eventId: 'e0', recordedAt: '2025-01-10T09:00:00.000Z' },
  { seq: 1, position: '2' as never, eventId: 'e1', recordedAt: '2025-03-31T23:59:59.000Z' },
  { seq: 2, position: '3' as never, eventId: 'e2', recordedAt: '2025-06-01T12:00:00.000Z' },
]);
const wallClock = () => new Date('2031-12-24T08:00:00.000Z');
const at = (asOf: string | undefined, head = 2) => resolveViewPoint(asOf, head, index, wallClock);

t.test('given no asOf, the current view: the head, judged today', async (t) => {
  t.same(at(undefined), { seq: 2, recordedAt: '2025-06-01T12:00:00.000Z', date: '2031-12-24' });
});

t.test('given asOf=<seq>, the view as it stood then, judged at that event\'s recorded date, not the wall clock', async (t) => {
  t.same(at('1'), { seq: 1, recordedAt: '2025-03-31T23:59:59.000Z', date: '2025-03-31' });
  t.same(at('0'), { seq: 0, recordedAt: '2025-01-10T09:00:00.000Z', date: '2025-01-10' });
});

t.test('given asOf=<time>, the last event recorded at or before it, judged at that time\'s date', async (t) => {
  t.same(at('2025-04-15T00:00:00Z'), { seq: 1, recordedAt: '2025-03-31T23:59:59.000Z', date: '2025-04-15' });
  t.same(at('2025-03-31T23:59:59Z'), { seq: 1, recordedAt: '2025-03-31T23:59:59.000Z', date: '2025-03-31' }, 'at exactly its time');
  t.same(at('2025-04-01T01:00:00+02:00'), { seq: 0, recordedAt: '2025-01-10T09:00:00.000Z', date: '2025-03-31' }, 'an offset is read in UTC (23:00Z, before seq 1)');
  t.same(at('2025-04-01T02:00:00+02:00'), { seq: 1, recordedAt: '2025-03-31T23:59:59.000Z', date: '2025-04-01' });
  t.same(at('2024-12-31T00:00:00Z'), { seq: -1, recordedAt: null, date: '2024-12-31' }, 'before the first event: nothing yet');
  t.same(at('2030-01-01T00:00:00Z', 1), { seq: 1, recordedAt: '2025-03-31T23:59:59.000Z', date: '2030-01-01' }, 'never past what the view applied');
});

t.test('given a time at either end of what ISO strings compare in, the first or the last point', async (t) => {
  t.same(at('9999-12-31T23:30:00-01:00'), { seq: 2, recordedAt: '2025-06-01T12:00:00.000Z', date: '9999-12-31' }, 'year 10000 in UTC: the head');
  t.same(at('0000-01-01T00:30:00+01:00'), { seq: -1, recordedAt: null, date: '0000-01-01' }, 'before year 0 in UTC: nothing yet');
});

t.test('given a seq beyond the view\'s head, a 404 problem', async (t) => {
  let thrown: unknown;
  try {
    at('3');
  } catch (error) {
    thrown = error;
  }
  t.ok(thrown instanceof ProblemError && thrown.status === 404, 'seq 3 is beyond head 2');
});

t.test('over HTTP: the ledger judges overdue at the asOf time — the same log, overdue at a later point, not today', async (t) => {
  const service = await startService(t);
  const c = api(service.app);
  const I = await c.launch();
  const P = await c.partner(I, 'River Trust');
  const G = await c.goal(I);
  const pledge = await c.commitment(I, P, G, { dueDate: '2099-06-30' });
  const ledger = async (query: string) => (await service.app.inject({ method: 'GET', url: `/initiatives/${I}/ledger${query}`, headers: admin })).json();
  t.same((await ledger('')).view.overdue, [], 'today: due in 2099, not overdue');
  const later = await ledger(`?asOf=${encodeURIComponent('2100-01-01T00:00:00Z')}`);
  t.equal(later.asOf.seq, service.follower.head(), 'the same events');
  t.same(later.view.overdue, [pledge], 'as of 2100: overdue');
  t.same((await ledger(`?asOf=${service.follower.head()}`)).view.overdue, [], 'as of the last seq: judged at its recorded date, today');
});

t.test('over HTTP: a time that is not a real date and time of day is a 400 naming asOf, on every route that takes it', async (t) => {
  const service = await startService(t);
  const c = api(service.app);
  const I = await c.launch();
  const P = await c.partner(I, 'River Trust');
  const G = await c.goal(I);
  const pledge = await c.commitment(I, P, G);
  const routes = [`/initiatives/${I}/measurement`, `/initiatives/${I}/ledger`, `/initiatives/${I}/readings.csv`, `/commitments/${pledge}`];
  const unreal = ['2024-13-01T00:00:00Z', '2024-02-30T00:00:00Z', '2023-02-29T12:00:00Z', '2024-06-01T24:00:00Z', '2024-06-01T12:60:00Z', '2024-06-01T12:00:60Z', '2024-06-01T12:00:00+24:00', '2024-00-10T00:00:00Z'];
  for (const url of routes) {
    for (const asOf of unreal) {
      const res = await service.app.inject({ method: 'GET', url: `${url}?asOf=${encodeURIComponent(asOf)}`, headers: admin });
      t.equal(res.statusCode, 400, `${url} asOf=${asOf}`);
      t.match(res.json(), { errors: [{ path: 'querystring.asOf', message: /real date and time/ }] });
    }
    const leapDay = await service.app.inject({ method: 'GET', url: `${url}?asOf=${encodeURIComponent('2096-02-29T23:59:59.5+05:30')}`, headers: admin });
    t.equal(leapDay.statusCode, 200, `${url}: a leap day with an offset is a real time`);
  }
});

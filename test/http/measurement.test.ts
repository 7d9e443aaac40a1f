import t, { type Test } from 'tap';
import { randomUUID } from 'node:crypto';
import { admin, startService } from '../helpers/service.js';
import { api, indicatorBody } from '../helpers/api.js';

/** An initiative with a goal, two partners with partner keys, and a backbone key. */
const setup = async (t: Test) => {
  const service = await startService(t);
  const c = api(service.app);
  const initiativeId = await c.launch();
  const goalId = await c.goal(initiativeId);
  const partnerId = await c.partner(initiativeId, 'River Trust');
  const otherPartnerId = await c.partner(initiativeId, 'Farmers Union', 'business');
  const backbone = await c.key({ role: 'backbone', initiativeId });
  const partner = await c.key({ role: 'partner', initiativeId, partnerId });
  const otherPartner = await c.key({ role: 'partner', initiativeId, partnerId: otherPartnerId });
  return { ...service, c, initiativeId, goalId, partnerId, otherPartnerId, backbone, partner, otherPartner };
};

t.test('an indicator is defined with its defaults; body rules of the event are 400s naming body fields', async (t) => {
  const { c, store, initiativeId, goalId, backbone } = await setup(t);
  const res = await c.post(`/initiatives/${initiativeId}/indicators`, indicatorBody(goalId), backbone.headers);
  t.equal(res.status, 201);
  const id = res.body.id as string;
  t.equal(res.headers.location, `/indicators/${id}`);
  t.match(res.body, { stream: `indicator-${id}`, revision: 0, seq: Number });
  const [event] = await store.readStream(`indicator-${id}`);
  t.match(event, { type: 'IndicatorDefined', data: { indicatorId: id, initiativeId, goalId, cumulative: false, disaggregations: [], requiresApproval: false } });

  const currency = await c.post(`/initiatives/${initiativeId}/indicators`, { ...indicatorBody(goalId), measure: 'currency', unit: 'euros' }, backbone.headers);
  t.equal(currency.status, 400);
  t.match(currency.body.errors, [{ path: 'body.unit', message: /ISO 4217/ }]);
  const early = await c.post(`/initiatives/${initiativeId}/indicators`, { ...indicatorBody(goalId), targets: [{ periodEnd: '2025-06-30', value: 1 }] }, backbone.headers);
  t.match(early.body, { status: 400, errors: [{ path: 'body.targets.0.periodEnd', message: 'must be after the baseline date' }] });
  const both = await c.post(`/initiatives/${initiativeId}/indicators`, { ...indicatorBody(goalId), baseline: { value: 1, narrative: 'x', date: '2025-12-31' }, secret: 1 }, backbone.headers);
  t.same(
    both.body.errors.map((e: { path: string; message: string }) => `${e.path}: ${e.message}`).sort(),
    ['body.baseline.narrative: a count indicator takes a numeric value', 'body.baseline.narrative: give either value or narrative, not both', 'body.secret: unknown field'],
    'each problem once, the event\'s own rules included',
  );

  const strangeGoal = await c.post(`/initiatives/${initiativeId}/indicators`, indicatorBody(randomUUID()), backbone.headers);
  t.equal(strangeGoal.status, 409, 'a goal of no initiative is a rule violation');
  t.match(strangeGoal.body, { type: '/problems/rule-violation', detail: /not a goal/ });
  t.equal((await c.post(`/initiatives/${randomUUID()}/indicators`, indicatorBody(goalId))).status, 404, 'an unknown initiative is 404');
});

t.test('readings: recorded by the partner, duplicates point to the correction route, corrected and retracted', async (t) => {
  const { c, store, initiativeId, goalId, partnerId, otherPartnerId, partner, otherPartner } = await setup(t);
  const indicatorId = await c.indicator(initiativeId, goalId);

  const res = await c.post(
    `/indicators/${indicatorId}/readings`,
    { partnerId, period: { start: '2026-01-01', end: '2026-03-31' }, value: 1310, source: 'utility survey', occurredAt: '2026-04-02T09:00:00Z' },
    partner.headers,
  );
  t.equal(res.status, 201);
  const readingId = res.body.id as string;
  t.not(readingId, indicatorId, 'the reading is a resource of its own');
  t.equal(res.headers.location, `/readings/${readingId}`);
  t.match(res.body, { stream: `indicator-${indicatorId}`, revision: 1 });
  const recorded = (await store.readStream(`indicator-${indicatorId}`))[1];
  t.match(recorded, { type: 'ReadingRecorded', data: { readingId, partnerId, value: 1310, status: 'accepted', disaggregation: {} } });
  t.equal(recorded?.metadata.occurredAt, '2026-04-02T09:00:00Z', 'occurredAt is business time in the metadata');
  t.notOk('occurredAt' in (recorded?.data as object), 'not in the data');

  const duplicate = await c.post(`/indicators/${indicatorId}/readings`, { partnerId, period: { start: '2026-01-01', end: '2026-03-31' }, value: 1400 }, partner.headers);
  t.equal(duplicate.status, 409);
  t.match(duplicate.headers['content-type'], /^application\/problem\+json/);
  t.match(duplicate.body, {
    type: '/problems/rule-violation',
    status: 409,
    detail: /correct that reading instead/,
    existingReadingId: readingId,
    correctWith: `/readings/${readingId}/corrections`,
  });

  const forOther = await c.post(`/indicators/${indicatorId}/readings`, { partnerId: otherPartnerId, period: { start: '2026-01-01', end: '2026-03-31' }, value: 7 }, partner.headers);
  t.equal(forOther.status, 403, 'a partner key reports only for its own partner');
  t.match(forOther.body, { type: '/problems/forbidden' });
  const both = await c.post(`/indicators/${indicatorId}/readings`, { partnerId, period: { start: '2026-04-01', end: '2026-06-30' }, value: 1, narrative: 'x' }, partner.headers);
  t.match(both.body, { status: 400, errors: [{ path: 'body.narrative' }] });
  const backwards = await c.post(`/indicators/${indicatorId}/readings`, { partnerId, period: { start: '2026-06-30', end: '2026-04-01' }, value: 1 }, partner.headers);
  t.match(backwards.body, { status: 400, errors: [{ path: 'body.period.end', message: 'must not be before start' }] });
  const undeclared = await c.post(`/indicators/${indicatorId}/readings`, { partnerId, period: { start: '2026-04-01', end: '2026-06-30' }, value: 1, disaggregation: { district: 'north' } }, partner.headers);
  t.match(undeclared.body, { status: 409, detail: /not a disaggregation/ });

  const correctedByOther = await c.post(`/readings/${readingId}/corrections`, { value: 1, reason: 'not mine' }, otherPartner.headers);
  t.equal(correctedByOther.status, 403, 'another partner does not correct my reading');
  const corrected = await c.post(`/readings/${readingId}/corrections`, { value: 1301, reason: 'typo in the survey total' }, partner.headers);
  t.equal(corrected.status, 201);
  t.match(corrected.body, { id: readingId, stream: `indicator-${indicatorId}`, revision: 2 });
  t.notOk(corrected.headers.location, 'a change creates no resource');
  t.match((await store.readStream(`indicator-${indicatorId}`))[2], { type: 'ReadingCorrected', data: { readingId, indicatorId, value: 1301, reason: 'typo in the survey total' } });

  t.equal((await c.post(`/readings/${readingId}/retraction`, { reason: 'wrong district surveyed' }, partner.headers)).status, 201);
  const again = await c.post(`/readings/${readingId}/retraction`, { reason: 'twice' }, partner.headers);
  t.match(again.body, { status: 409, detail: /already retracted/ });
  t.match((await c.post(`/readings/${readingId}/corrections`, { value: 2, reason: 'too late' }, partner.headers)).body, { status: 409, detail: /retracted/ });
  const reReported = await c.post(`/indicators/${indicatorId}/readings`, { partnerId, period: { start: '2026-01-01', end: '2026-03-31' }, value: 1299 }, partner.headers);
  t.equal(reReported.status, 201, 'a retracted reading no longer blocks the period');
});

t.test('review: the backbone approves or returns submitted readings; a partner never reviews', async (t) => {
  const { c, initiativeId, goalId, partnerId, partner, backbone } = await setup(t);
  const indicatorId = await c.indicator(initiativeId, goalId, { requiresApproval: true });
  const first = await c.reading(indicatorId, partnerId, {}, partner.headers);
  const second = await c.reading(indicatorId, partnerId, { period: { start: '2026-04-01', end: '2026-06-30' } }, partner.headers);

  const byPartner = await c.post(`/readings/${first}/review`, { outcome: 'approve' }, partner.headers);
  t.equal(byPartner.status, 403);
  const noComment = await c.post(`/readings/${first}/review`, { outcome: 'return' }, backbone.headers);
  t.match(noComment.body, { status: 400, errors: [{ path: 'body.comment' }] });
  t.equal((await c.post(`/readings/${first}/review`, { outcome: 'approve', comment: 'matches the survey' }, backbone.headers)).status, 201);
  t.match((await c.post(`/readings/${first}/review`, { outcome: 'approve' }, backbone.headers)).body, { status: 409, detail: /only a submitted reading/ });
  const returned = await c.post(`/readings/${second}/review`, { outcome: 'return', comment: 'split by district please' }, backbone.headers);
  t.equal(returned.status, 201);
  t.match(returned.body, { id: second });
  t.match((await c.post(`/readings/${second}/review`, { outcome: 'maybe' }, backbone.headers)).body, { status: 400, errors: [{ path: 'body.outcome' }] });
});

t.test('targets are revised with a reason; If-Match guards against a stale view (412)', async (t) => {
  const { c, store, initiativeId, goalId, partner, backbone } = await setup(t);
  const indicatorId = await c.indicator(initiativeId, goalId);
  const revision = { periodEnd: '2026-12-31', value: 2200, reason: 'new funding from the county' };
  t.equal((await c.post(`/indicators/${indicatorId}/targets`, revision, partner.headers)).status, 403, 'partners do not set targets');
  const stale = await c.post(`/indicators/${indicatorId}/targets`, revision, { ...backbone.headers, 'if-match': '5' });
  t.equal(stale.status, 412);
  t.match(stale.body, { type: '/problems/precondition-failed', currentRevision: 0 });
  const current = await c.post(`/indicators/${indicatorId}/targets`, revision, { ...backbone.headers, 'if-match': '0' });
  t.equal(current.status, 201);
  t.equal(current.body.revision, 1);
  t.match((await store.readStream(`indicator-${indicatorId}`))[1], { type: 'IndicatorTargetRevised', data: { initiativeId, indicatorId, periodEnd: '2026-12-31', value: 2200 } });
  t.equal((await c.post(`/indicators/${indicatorId}/targets`, revision, { ...backbone.headers, 'if-match': '0' })).status, 412, 'the same If-Match again is stale');
  t.match((await c.post(`/indicators/${indicatorId}/targets`, { periodEnd: '2025-01-01', value: 1, reason: 'x' }, backbone.headers)).body, { status: 409, detail: /after the baseline/ });
  t.match((await c.post(`/indicators/${indicatorId}/targets`, { periodEnd: '2026-12-31', value: 1 }, backbone.headers)).body, { status: 400, errors: [{ path: 'body.reason', message: 'is required' }] });
});

t.test('unknown ids are 404; an id of another kind is not found either; another initiative is 403', async (t) => {
  const { c, initiativeId, goalId, partnerId, partner } = await setup(t);
  const indicatorId = await c.indicator(initiativeId, goalId);
  const readingId = await c.reading(indicatorId, partnerId, {}, partner.headers);
  for (const [url, body] of [
    [`/indicators/${randomUUID()}/readings`, { partnerId, period: { start: '2026-01-01', end: '2026-03-31' }, value: 1 }],
    [`/indicators/${randomUUID()}/targets`, { periodEnd: '2026-12-31', value: 1, reason: 'r' }],
    [`/readings/${randomUUID()}/corrections`, { value: 1, reason: 'r' }],
    [`/readings/${randomUUID()}/review`, { outcome: 'approve' }],
    [`/readings/${randomUUID()}/retraction`, { reason: 'r' }],
    [`/indicators/${readingId}/targets`, { periodEnd: '2026-12-31', value: 1, reason: 'r' }],
    [`/readings/${indicatorId}/retraction`, { reason: 'r' }],
  ] as const) {
    const res = await c.post(url, body);
    t.equal(res.status, 404, url);
    t.match(res.body, { type: '/problems/not-found' });
  }
  t.equal((await c.post('/indicators/not-a-uuid/targets', { periodEnd: '2026-12-31', value: 1, reason: 'r' })).status, 400);

  const elsewhere = await c.launch('Elsewhere');
  const foreignBackbone = await c.key({ role: 'backbone', initiativeId: elsewhere });
  t.equal((await c.post(`/readings/${readingId}/retraction`, { reason: 'r' }, foreignBackbone.headers)).status, 403);
  t.equal((await c.post(`/initiatives/${initiativeId}/indicators`, indicatorBody(goalId), foreignBackbone.headers)).status, 403);
});

t.test('an Idempotency-Key retry of a reading replays the receipt and records one reading', async (t) => {
  const { c, store, initiativeId, goalId, partnerId, partner } = await setup(t);
  const indicatorId = await c.indicator(initiativeId, goalId);
  const headers = { ...partner.headers, 'idempotency-key': 'q1-2026-river-trust' };
  const body = { partnerId, period: { start: '2026-01-01', end: '2026-03-31' }, value: 5 };
  const first = await c.post(`/indicators/${indicatorId}/readings`, body, headers);
  const retry = await c.post(`/indicators/${indicatorId}/readings`, body, headers);
  t.equal(first.status, 201);
  t.equal(retry.status, 201, 'not a 409 duplicate: the same write');
  t.same(retry.body, first.body);
  t.equal(retry.headers.location, first.headers.location);
  t.equal((await store.readStream(`indicator-${indicatorId}`)).length, 2);
  t.equal((await c.post(`/indicators/${indicatorId}/readings`, body, admin)).status, 409, 'without the key it is a duplicate');
});

t.test('concurrent writers to one indicator queue in-process: none fails with a conflict, rules hold inside a burst', async (t) => {
  const { c, app, store, initiativeId, goalId, partnerId, otherPartnerId, partner, otherPartner } = await setup(t);
  const indicatorId = await c.indicator(initiativeId, goalId);
  const day = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);
  const post = (headers: Record<string, string>, body: object) =>
    app.inject({ method: 'POST', url: `/indicators/${indicatorId}/readings`, headers, payload: body });

  const burst = await Promise.all(
    Array.from({ length: 60 }, (_, n) =>
      n % 2 === 0
        ? post(partner.headers, { partnerId, period: { start: day(n), end: day(n) }, value: n })
        : post(otherPartner.headers, { partnerId: otherPartnerId, period: { start: day(n), end: day(n) }, value: n }),
    ),
  );
  t.same(burst.map((r) => r.statusCode), Array(60).fill(201), '60 concurrent readings, 60 × 201');
  const revisions = burst.map((r) => r.json().revision as number).sort((a, b) => a - b);
  t.same(revisions, Array.from({ length: 60 }, (_, i) => i + 1), 'each has its own revision of the stream');
  t.ok(burst.every((r) => typeof r.json().seq === 'number'), 'every receipt carries its seq');
  t.equal((await store.readStream(`indicator-${indicatorId}`)).length, 61);

  const twice = { partnerId, period: { start: '2030-01-01', end: '2030-03-31' }, value: 1 };
  const [first, second, stale, other] = await Promise.all([
    post(partner.headers, twice),
    post(partner.headers, twice),
    post({ ...partner.headers, 'if-match': '3' }, { partnerId, period: { start: '2030-04-01', end: '2030-06-30' }, value: 1 }),
    post(partner.headers, { partnerId, period: { start: '2030-07-01', end: '2030-09-30' }, value: 1 }),
  ]);
  t.same([first?.statusCode, second?.statusCode].sort(), [201, 409], 'the same reading twice in one burst: one recorded, one refused');
  const [recorded, refused] = first?.statusCode === 201 ? [first, second] : [second, first];
  t.match(refused?.json(), { existingReadingId: recorded?.json().id, correctWith: `/readings/${recorded?.json().id}/corrections` });
  t.equal(stale?.statusCode, 412, 'a stale If-Match in a burst fails alone');
  t.equal(other?.statusCode, 201, 'its neighbours in the burst are recorded');
  const current = (await store.readStream(`indicator-${indicatorId}`)).length - 1;
  t.equal(current, 62);
  const fresh = await post({ ...partner.headers, 'if-match': String(current) }, { partnerId, period: { start: '2030-10-01', end: '2030-12-31' }, value: 1 });
  t.equal(fresh.statusCode, 201, 'an If-Match naming the current revision is accepted');
});

t.test('values beyond a quadrillion either way are 400s naming the field; the largest allowed still sum to finite figures', async (t) => {
  const { c, app, initiativeId, goalId, partnerId, otherPartnerId, backbone } = await setup(t);
  const indicator = (await c.post(`/initiatives/${initiativeId}/indicators`, indicatorBody(goalId), backbone.headers)).body.id as string;
  const period = { start: '2026-01-01', end: '2026-03-31' };
  for (const value of [1e308, -1e16, 1e15 + 2]) {
    const res = await c.post(`/indicators/${indicator}/readings`, { partnerId, period, value }, backbone.headers);
    t.equal(res.status, 400, `${value}`);
    t.match(res.body.errors, [{ path: 'body.value' }]);
  }
  const target = await c.post(`/indicators/${indicator}/targets`, { periodEnd: '2030-12-31', value: 1e16, reason: 'ambition' }, backbone.headers);
  t.match(target.body.errors, [{ path: 'body.value' }], 'targets too');
  for (const id of [partnerId, otherPartnerId]) t.equal((await c.post(`/indicators/${indicator}/readings`, { partnerId: id, period, value: 1e15 }, backbone.headers)).status, 201);
  const view = await app.inject({ method: 'GET', url: `/initiatives/${initiativeId}/measurement`, headers: admin });
  t.equal(view.statusCode, 200);
  const measured = view.json().view.indicators[0];
  t.equal(measured.latest.value, 2e15, 'two of the largest readings sum exactly');
  t.equal((await app.inject({ method: 'GET', url: `/indicators/${indicator}`, headers: admin })).statusCode, 200);
});

t.test('If-Match: * asks only that the aggregate exists: a write to an existing one passes, a creation is a 412', async (t) => {
  const { c, store, initiativeId, goalId, backbone } = await setup(t);
  const indicatorId = await c.indicator(initiativeId, goalId);
  const revision = { periodEnd: '2026-12-31', value: 2200, reason: 'new funding from the county' };
  const any = { ...backbone.headers, 'if-match': '*' };
  t.equal((await c.post(`/indicators/${indicatorId}/targets`, revision, any)).status, 201, 'the indicator exists');
  t.equal((await c.post(`/indicators/${indicatorId}/targets`, { ...revision, periodEnd: '2027-12-31' }, { ...backbone.headers, 'if-match': ' * ' })).status, 201, 'at any revision');
  const before = (await store.readAll({ maxCount: 1000 })).length;
  const created = await c.post(`/initiatives/${initiativeId}/indicators`, indicatorBody(goalId), any);
  t.equal(created.status, 412, 'a new indicator does not exist yet');
  t.match(created.body, { type: '/problems/precondition-failed', detail: /does not exist yet/ });
  t.equal((await store.readAll({ maxCount: 1000 })).length, before, 'nothing recorded');
  const bad = await c.post(`/indicators/${indicatorId}/targets`, revision, { ...backbone.headers, 'if-match': '"a", *' });
  t.match(bad.body, { status: 400, errors: [{ path: 'headers.if-match', message: /revision number, or \*/ }] });
});

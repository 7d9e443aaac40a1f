import t from 'tap';
import {
  catalog,
  definitionOf,
  type DomainEvent,
  type EventType,
  eventTypes,
  validateEnvelope,
  validateEventData,
} from '../../src/events/catalog.js';
import { accessKeyIssuedSchema } from '../../src/events/access.js';
import { subscriptionCreatedSchema } from '../../src/events/feeds.js';
import { fieldErrorsFromZod, parseOrThrow } from '../../src/events/field-errors.js';
import { moneySchema } from '../../src/events/common.js';
import { ValidationError, type FieldError } from '../../src/errors.js';
import { ids, sampleEvent, samples } from '../fixtures/events/samples.js';

type Data = Record<string, unknown>;
const clone = <T extends EventType>(type: T): Data => structuredClone(samples[type]) as Data;

/** Runs `fn`, expects a ValidationError, returns its field errors. */
const errorsOf = (fn: () => unknown): FieldError[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err.errors ?? [];
    throw err;
  }
  throw new Error('expected a ValidationError');
};
const pathsOf = (fn: () => unknown): string[] => errorsOf(fn).map((e) => e.path);

/** One invalid mutation per type, with the path the error must name. */
const invalid: { [T in EventType]: { change: (d: Data) => void; path: string | string[] } } = {
  InitiativeLaunched: { change: (d) => { d.name = ''; }, path: 'data.name' },
  PartnerJoined: { change: (d) => { d.sector = 'church'; }, path: 'data.sector' },
  PartnerLeft: { change: (d) => { d.partnerId = 'not-a-uuid'; }, path: 'data.partnerId' },
  GoalAdopted: { change: (d) => { d.title = 'x'.repeat(301); }, path: 'data.title' },
  GoalRevised: { change: (d) => { delete d.title; }, path: 'data.title' },
  StrategyAdopted: { change: (d) => { delete d.goalId; }, path: 'data.goalId' },
  ResponsibilityAssigned: { change: (d) => { d.role = 'X'; }, path: 'data.role' },
  ActivityLogged: { change: (d) => { d.partnerIds = [ids.partner, ids.partner]; }, path: 'data.partnerIds.1' },
  RiskRaised: { change: (d) => { d.likelihood = 7; }, path: 'data.likelihood' },
  RiskReviewed: { change: (d) => { d.impact = 'huge'; }, path: 'data.impact' },
  RiskClosed: { change: (d) => { d.reason = '   '; }, path: 'data.reason' },
  LessonRecorded: { change: (d) => { d.kind = 'meh'; }, path: 'data.kind' },
  IndicatorDefined: {
    change: (d) => { d.measure = 'qualitative'; },
    path: ['data.baseline.value', 'data.targets.0.value', 'data.targets.1.value'],
  },
  IndicatorTargetRevised: { change: (d) => { d.periodEnd = '2025-02-30'; }, path: 'data.periodEnd' },
  ReadingRecorded: { change: (d) => { d.narrative = 'More families enrolled'; }, path: 'data.narrative' },
  ReadingApproved: { change: (d) => { d.readingId = 42; }, path: 'data.readingId' },
  ReadingReturned: { change: (d) => { delete d.comment; }, path: 'data.comment' },
  ReadingCorrected: { change: (d) => { delete d.value; }, path: 'data.value' },
  ReadingRetracted: { change: (d) => { d.reason = 'r'.repeat(2001); }, path: 'data.reason' },
  CommitmentMade: { change: (d) => { d.money = { amount: '1e5', currency: 'USD' }; }, path: 'data.money.amount' },
  CommitmentRevised: { change: (d) => { delete d.money; }, path: 'data.reason' },
  CommitmentWithdrawn: { change: (d) => { d.commitmentId = ''; }, path: 'data.commitmentId' },
  ContributionRecorded: {
    change: (d) => { d.evidence = { url: 'https://example.org/x.pdf', sha256: 'ABC' }; },
    path: 'data.evidence.sha256',
  },
  ContributionReversed: { change: (d) => { d.reason = undefined; }, path: 'data.reason' },
  DecisionProposed: { change: (d) => { d.options = ['Only one']; }, path: 'data.options' },
  VoteCast: { change: (d) => { d.option = ''; }, path: 'data.option' },
  DecisionClosed: { change: (d) => { d.votesCast = 4; }, path: 'data.votesCast' },
  DecisionRecorded: { change: (d) => { d.chosenOption = 'Something else'; }, path: 'data.chosenOption' },
  AccessKeyIssued: { change: (d) => { d.keyHash = 'not-a-hash'; }, path: 'data.keyHash' },
  AccessKeyRevoked: { change: (d) => { d.keyId = 'k'; }, path: 'data.keyId' },
  SubscriptionCreated: { change: (d) => { d.url = 'ftp://example.org/hook'; }, path: 'data.url' },
  SubscriptionDisabled: { change: (d) => { d.lastSeq = -1; }, path: 'data.lastSeq' },
  SubscriptionEnabled: { change: (d) => { d.subscriptionId = ids.subscription.toUpperCase().slice(1); }, path: 'data.subscriptionId' },
  SubscriptionRemoved: { change: (d) => { d.reason = ''; }, path: 'data.reason' },
};

t.test('the catalog', async (t) => {
  t.same([...eventTypes].sort(), Object.keys(samples).sort(), 'a sample exists for every type, and no more');
  for (const type of eventTypes) {
    t.equal(catalog[type].type, type, `${type} is keyed by its own name`);
    t.equal(definitionOf(type).schemaVersion, 1, `${type} is at schemaVersion 1`);
    t.match(type, /^[A-Z][a-z]+(?:[A-Z][a-z]+)+$/, `${type} is PascalCase`);
  }
});

t.test('every type accepts its sample and returns it unchanged', async (t) => {
  for (const type of eventTypes) {
    const data = clone(type);
    t.same(validateEventData(type, data), samples[type], type);
  }
});

t.test('every type rejects an invalid sample, naming the field', async (t) => {
  for (const type of eventTypes) {
    const data = clone(type);
    invalid[type].change(data);
    t.same(pathsOf(() => validateEventData(type, data)), [invalid[type].path].flat(), type);
  }
});

t.test('every type rejects an unknown field and a non-object', async (t) => {
  for (const type of eventTypes) {
    const data = { ...clone(type), surprise: true };
    t.same(errorsOf(() => validateEventData(type, data)), [{ path: 'data.surprise', message: 'unknown field' }], type);
    t.same(pathsOf(() => validateEventData(type, 'hello')), ['data'], `${type}: string data`);
  }
  const nested = clone('ContributionRecorded');
  nested.evidence = { url: 'https://example.org/x.pdf', sha256: 'a'.repeat(64), size: 12 };
  t.same(pathsOf(() => validateEventData('ContributionRecorded', nested)), ['data.evidence.size'], 'nested unknown field');
});

t.test('an unknown type is rejected at path "type"', async (t) => {
  const err = errorsOf(() => validateEventData('PartnerExploded', {}));
  t.same(err.map((e) => e.path), ['type']);
  t.match(err[0]?.message, /unknown event type/);
  t.same(pathsOf(() => validateEventData('toString', {})), ['type'], 'no prototype keys');
  t.same(pathsOf(() => validateEventData('__proto__', {})), ['type']);
});

t.test('ValidationError carries status 400 and problem type validation', async (t) => {
  try {
    validateEventData('PartnerLeft', {});
    t.fail('should throw');
  } catch (err) {
    t.ok(err instanceof ValidationError);
    const e = err as ValidationError;
    t.equal(e.status, 400);
    t.equal(e.type, 'validation');
    t.same(
      e.errors?.map((x) => x.path).sort(),
      ['data.initiativeId', 'data.partnerId', 'data.reason'],
      'every missing field at once',
    );
    t.ok(e.errors?.every((x) => x.message === 'is required'), 'missing fields say "is required"');
  }
});

t.test('money', async (t) => {
  const withAmount = (amount: unknown, currency: unknown = 'USD') => {
    const d = clone('ContributionRecorded');
    d.money = { amount, currency };
    return () => validateEventData('ContributionRecorded', d);
  };
  for (const ok of ['1250.50', '0.01', '1', '123456789012345678.12345678']) {
    t.doesNotThrow(withAmount(ok), `accepts ${ok}`);
  }
  for (const bad of ['1e3', '1.2E+3', '+5', ' 5', '5 ', '01', '1.', '.5', '1,000', '12.123456789', '1234567890123456789', 'NaN', '']) {
    t.same(pathsOf(withAmount(bad)), ['data.money.amount'], `rejects "${bad}"`);
  }
  t.same(pathsOf(withAmount(1250.5)), ['data.money.amount'], 'rejects a number');
  t.same(pathsOf(withAmount('-5')), ['data.money.amount'], 'a contribution is positive');
  t.same(pathsOf(withAmount('0.00')), ['data.money.amount'], 'a contribution is not zero');
  for (const bad of ['usd', 'US', 'USDT', 'U$D', 840]) {
    t.same(pathsOf(withAmount('10', bad)), ['data.money.currency'], `rejects currency ${String(bad)}`);
  }
  t.ok(moneySchema.safeParse({ amount: '-12.5', currency: 'EUR' }).success, 'plain money may be negative');
  const d = clone('ContributionRecorded');
  d.money = { amount: '10', currency: 'USD', fx: 1 };
  t.same(pathsOf(() => validateEventData('ContributionRecorded', d)), ['data.money.fx']);
});

t.test('dates, timestamps and uuids', async (t) => {
  const commitment = (dueDate: string) => () => validateEventData('CommitmentMade', { ...clone('CommitmentMade'), dueDate });
  for (const bad of ['2023-02-29', '2024-04-31', '2024-13-01', '2024-1-01', '20240101', '2024-01-01T00:00:00Z', '']) {
    t.same(pathsOf(commitment(bad)), ['data.dueDate'], `rejects date ${bad}`);
  }
  t.doesNotThrow(commitment('2024-02-29'), 'leap day');

  const reading = clone('ReadingRecorded');
  reading.period = { start: '2024-12-31', end: '2024-01-01' };
  t.same(pathsOf(() => validateEventData('ReadingRecorded', reading)), ['data.period.end'], 'period end before start');

  const proposal = (closesAt: string) => () => validateEventData('DecisionProposed', { ...clone('DecisionProposed'), closesAt });
  for (const bad of ['2024-04-01T17:00:00', '2024-04-01', '2024-02-30T10:00:00Z', 'tomorrow']) {
    t.same(pathsOf(proposal(bad)), ['data.closesAt'], `rejects timestamp ${bad}`);
  }
  t.doesNotThrow(proposal('2024-04-01T17:00:00.123-05:00'), 'offset timestamp');

  const vote = clone('VoteCast');
  vote.partnerId = 'c19e82d0-e35f-4617-8c89-394a5b6c7d8';
  t.same(pathsOf(() => validateEventData('VoteCast', vote)), ['data.partnerId'], 'short uuid');
  const activity = clone('ActivityLogged');
  activity.partnerIds = [ids.partner, 'nope'];
  t.same(pathsOf(() => validateEventData('ActivityLogged', activity)), ['data.partnerIds.1'], 'uuid inside an array');
});

t.test('value or narrative: exactly one', async (t) => {
  const corrected = { ...clone('ReadingCorrected'), narrative: 'also this' };
  t.same(pathsOf(() => validateEventData('ReadingCorrected', corrected)), ['data.narrative'], 'both');
  const reading = clone('ReadingRecorded');
  delete reading.value;
  t.same(pathsOf(() => validateEventData('ReadingRecorded', reading)), ['data.value'], 'neither');
  reading.narrative = 'Parents report more reading at home';
  t.doesNotThrow(() => validateEventData('ReadingRecorded', reading), 'a narrative alone');
  for (const bad of [Infinity, Number.NaN, '57']) {
    t.same(pathsOf(() => validateEventData('ReadingRecorded', { ...clone('ReadingRecorded'), value: bad })), ['data.value'], `value ${String(bad)}`);
  }
  const dis = { ...clone('ReadingRecorded'), disaggregation: { District: 'North' } };
  t.same(pathsOf(() => validateEventData('ReadingRecorded', dis)), ['data.disaggregation.District'], 'bad dimension key');
});

t.test('a change to a reading carries the reading as it stood before', async (t) => {
  for (const type of ['ReadingApproved', 'ReadingReturned', 'ReadingCorrected', 'ReadingRetracted'] as const) {
    const { before: _before, ...lean } = clone(type);
    t.same(pathsOf(() => validateEventData(type, lean)), ['data.before'], `${type} requires before`);
    const both = clone(type);
    (both.before as Data).narrative = 'and a narrative';
    t.same(pathsOf(() => validateEventData(type, both)), ['data.before.narrative'], `${type}: before has a value or a narrative`);
    const retracted = clone(type);
    (retracted.before as Data).status = 'retracted';
    t.same(pathsOf(() => validateEventData(type, retracted)), ['data.before.status'], `${type}: a retracted reading is changed no more`);
  }
  const { status: _status, ...noStatus } = clone('ReadingCorrected');
  t.same(pathsOf(() => validateEventData('ReadingCorrected', noStatus)), ['data.status'], 'a correction says the status it leaves');
  const backwards = clone('ReadingRetracted');
  (backwards.before as Data).period = { start: '2024-12-31', end: '2024-01-01' };
  t.same(pathsOf(() => validateEventData('ReadingRetracted', backwards)), ['data.before.period.end'], 'before.period is a period');
});

t.test('indicator rules', async (t) => {
  const indicator = (change: (d: Data) => void) => {
    const d = clone('IndicatorDefined');
    change(d);
    return () => validateEventData('IndicatorDefined', d);
  };
  t.same(pathsOf(indicator((d) => { d.measure = 'currency'; })), ['data.unit'], 'currency unit is ISO 4217');
  t.doesNotThrow(indicator((d) => { d.measure = 'currency'; d.unit = 'EUR'; }));
  t.same(pathsOf(indicator((d) => { d.targets = [{ periodEnd: '2024-12-31', value: 1 }, { periodEnd: '2024-12-31', value: 2 }]; })), ['data.targets.1.periodEnd'], 'duplicate target period');
  t.same(pathsOf(indicator((d) => { d.targets = [{ periodEnd: '2023-06-30', value: 1 }]; })), ['data.targets.0.periodEnd'], 'target before baseline');
  t.same(pathsOf(indicator((d) => { d.disaggregations = [{ dimension: 'value', values: ['a'] }]; })), ['data.disaggregations.0.dimension'], 'reserved CSV column');
  t.same(pathsOf(indicator((d) => { d.disaggregations = [{ dimension: 'sex', values: ['a'] }, { dimension: 'sex', values: ['b'] }]; })), ['data.disaggregations.1.dimension'], 'duplicate dimension');
  t.same(pathsOf(indicator((d) => { d.disaggregations = [{ dimension: 'sex', values: [] }]; })), ['data.disaggregations.0.values'], 'dimension needs values');
  t.same(pathsOf(indicator((d) => { d.frequency = 'weekly'; })), ['data.frequency']);
  t.same(pathsOf(indicator((d) => { d.baseline = { narrative: 'low', date: '2023-12-31' }; })), ['data.baseline.narrative'], 'a numeric indicator takes numbers');
  t.same(pathsOf(indicator((d) => { d.direction = 'up'; })), ['data.direction']);
  t.doesNotThrow(
    indicator((d) => {
      d.measure = 'qualitative';
      d.baseline = { narrative: 'Few partners share data', date: '2023-12-31' };
      d.targets = [{ periodEnd: '2024-12-31', narrative: 'All partners share data quarterly' }];
    }),
    'a qualitative indicator in narratives',
  );
});

t.test('commitment and contribution rules', async (t) => {
  const commitment = (patch: Data, drop: string[] = []) => () => {
    const d = { ...clone('CommitmentMade'), ...patch };
    for (const k of drop) delete d[k];
    return validateEventData('CommitmentMade', d);
  };
  t.same(pathsOf(commitment({}, ['money'])), ['data.money'], 'funding needs money');
  t.same(pathsOf(commitment({ kind: 'staff_time' }, ['money'])), ['data.hours'], 'staff_time needs hours');
  t.doesNotThrow(commitment({ kind: 'staff_time', hours: 120 }, ['money']));
  t.same(pathsOf(commitment({ kind: 'in_kind', estimatedValue: { amount: '500', currency: 'EUR' } }, ['money'])), ['data.description'], 'in_kind needs description');
  t.doesNotThrow(commitment({ kind: 'in_kind', description: 'Meeting rooms', estimatedValue: { amount: '500', currency: 'EUR' } }, ['money']));
  t.same(pathsOf(commitment({ kind: 'staff_time', hours: 10 })), ['data.money'], 'money only on funding');
  t.same(pathsOf(commitment({ strategyId: ids.strategy })), ['data.strategyId'], 'goal and strategy both given');
  t.same(pathsOf(commitment({}, ['goalId'])), ['data.goalId'], 'neither goal nor strategy');
  t.doesNotThrow(commitment({ strategyId: ids.strategy }, ['goalId']));
  t.same(pathsOf(commitment({ kind: 'gift' })), ['data.kind']);
  t.same(pathsOf(commitment({ hours: -3, kind: 'staff_time' }, ['money'])), ['data.hours']);

  const contribution = clone('ContributionRecorded');
  delete contribution.money;
  t.same(pathsOf(() => validateEventData('ContributionRecorded', contribution)), ['data.money'], 'needs money, hours or description');
  contribution.description = 'Volunteers staffed the fair';
  delete contribution.commitmentId;
  t.doesNotThrow(() => validateEventData('ContributionRecorded', contribution), 'unplanned in-kind contribution');
  const both = { ...clone('ContributionRecorded'), hours: 3, estimatedValue: { amount: '1', currency: 'USD' } };
  t.same(pathsOf(() => validateEventData('ContributionRecorded', both)).sort(), ['data.estimatedValue', 'data.hours'], 'money excludes hours and estimatedValue');
  const bad = { ...clone('ContributionRecorded'), evidence: { url: 'javascript:alert(1)', sha256: 'a'.repeat(64) } };
  t.same(pathsOf(() => validateEventData('ContributionRecorded', bad)), ['data.evidence.url'], 'evidence url is http(s)');
});

t.test('governance rules', async (t) => {
  const proposal = (patch: Data) => () => validateEventData('DecisionProposed', { ...clone('DecisionProposed'), ...patch });
  t.same(pathsOf(proposal({ options: ['A', 'B', 'A'] })), ['data.options.2'], 'options unique');
  t.same(pathsOf(proposal({ quorum: 0 })), ['data.quorum'], 'quorum > 0');
  t.same(pathsOf(proposal({ options: ['A', '__proto__'] })), ['data.options.1'], 'no __proto__ option');
  t.same(pathsOf(proposal({ quorum: 1.01 })), ['data.quorum'], 'quorum <= 1');
  t.doesNotThrow(proposal({ quorum: 1, rule: 'consensus' }));
  t.same(pathsOf(proposal({ rule: 'plurality' })), ['data.rule']);

  const closed = (patch: Data) => () => validateEventData('DecisionClosed', { ...clone('DecisionClosed'), ...patch });
  t.same(pathsOf(closed({ winningOption: undefined })), ['data.winningOption'], 'adopted needs a winner');
  t.same(pathsOf(closed({ outcome: 'no_quorum' })), ['data.winningOption'], 'no winner without adoption');
  t.doesNotThrow(closed({ outcome: 'no_quorum', winningOption: undefined, tally: { 'East only': 1 }, votesCast: 1 }));
  t.same(pathsOf(closed({ winningOption: 'West' })), ['data.winningOption'], 'winner was tallied');
  t.same(pathsOf(closed({ tally: { 'East only': 1.5 } })), ['data.tally.East only'], 'integer counts');
  t.same(pathsOf(closed({ eligibleVoters: 2 })), ['data.votesCast'], 'votes <= eligible');

  const recorded = (patch: Data) => () => validateEventData('DecisionRecorded', { ...clone('DecisionRecorded'), ...patch });
  t.same(pathsOf(recorded({ outcome: 'rejected' })), ['data.chosenOption'], 'rejected has no chosen option');
  t.doesNotThrow(recorded({ outcome: 'rejected', chosenOption: undefined }));
  t.same(pathsOf(recorded({ takenAt: '2024-02-01' })), ['data.takenAt']);
  t.same(pathsOf(recorded({ chosenOption: undefined })), ['data.chosenOption'], 'adopted names the chosen option');
});

t.test('no place for a secret or a plaintext key', async (t) => {
  for (const field of ['key', 'plaintextKey', 'token', 'secret']) {
    const d = { ...clone('AccessKeyIssued'), [field]: 'ilk_live_abcdef0123456789' };
    t.same(pathsOf(() => validateEventData('AccessKeyIssued', d)), [`data.${field}`], `AccessKeyIssued rejects ${field}`);
  }
  const keyFields = Object.keys(accessKeyIssuedSchema.shape).sort();
  t.same(keyFields, ['initiativeId', 'keyHash', 'keyId', 'label', 'partnerId', 'role'], 'AccessKeyIssued fields');
  const key = clone('AccessKeyIssued');
  key.keyHash = 'ilk_live_abcdef0123456789';
  t.same(pathsOf(() => validateEventData('AccessKeyIssued', key)), ['data.keyHash'], 'keyHash must be a hash');

  for (const field of ['secret', 'signingSecret', 'webhookSecret']) {
    const d = { ...clone('SubscriptionCreated'), [field]: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' };
    t.same(pathsOf(() => validateEventData('SubscriptionCreated', d)), [`data.${field}`], `SubscriptionCreated rejects ${field}`);
  }
  const subFields = Object.keys(subscriptionCreatedSchema.shape).sort();
  t.same(subFields, ['initiativeId', 'partnerId', 'subscriptionId', 'types', 'url'], 'SubscriptionCreated fields: none can hold a secret');
});

t.test('access key scope follows the role', async (t) => {
  const issued = (patch: Data) => () => validateEventData('AccessKeyIssued', { ...clone('AccessKeyIssued'), ...patch });
  t.same(pathsOf(issued({ partnerId: undefined })), ['data.partnerId'], 'partner key names its partner');
  t.same(pathsOf(issued({ role: 'backbone' })), ['data.partnerId'], 'backbone key names no partner');
  t.same(pathsOf(issued({ role: 'backbone', partnerId: undefined, initiativeId: undefined })), ['data.initiativeId']);
  t.same(pathsOf(issued({ role: 'admin', partnerId: undefined })), ['data.initiativeId'], 'admin spans the deployment');
  t.doesNotThrow(issued({ role: 'admin', partnerId: undefined, initiativeId: undefined }));
  t.doesNotThrow(issued({ role: 'auditor', partnerId: undefined }), 'scoped auditor');
  t.same(pathsOf(issued({ role: 'system', partnerId: undefined })), ['data.role'], 'no key for system');
});

t.test('validateEnvelope', async (t) => {
  for (const type of eventTypes) {
    const event = sampleEvent(type);
    t.same(validateEnvelope(structuredClone(event)), event, `${type} envelope`);
  }
  const event = (patch: Data) => () => validateEnvelope({ ...sampleEvent('VoteCast'), ...patch });
  t.same(pathsOf(event({ id: 'abc' })), ['id']);
  t.same(pathsOf(event({ revision: -1 })), ['revision']);
  t.same(pathsOf(event({ revision: 1.5 })), ['revision']);
  t.same(pathsOf(event({ stream: '' })), ['stream']);
  t.same(pathsOf(event({ type: 'Nope' })), ['type']);
  t.same(pathsOf(event({ seq: 3 })), ['seq'], 'unknown envelope field');
  t.same(pathsOf(event({ data: { ...samples.VoteCast, option: '' } })), ['data.option']);
  t.same(pathsOf(event({ metadata: { ...sampleEvent('VoteCast').metadata, schemaVersion: 2 } })), ['metadata.schemaVersion']);
  t.same(pathsOf(event({ metadata: { ...sampleEvent('VoteCast').metadata, recordedAt: 'now' } })), ['metadata.recordedAt']);
  t.same(
    pathsOf(event({ id: 'abc', data: { ...samples.VoteCast, partnerId: 'x' } })).sort(),
    ['data.partnerId', 'id'],
    'envelope and data errors together',
  );
  t.same(pathsOf(() => validateEnvelope(null)), [''], 'not an object');
  t.same(pathsOf(() => validateEnvelope({ ...sampleEvent('VoteCast'), type: 7 })), ['type'], 'a non-string type');
});

t.test('DomainEvent narrows by type', async (t) => {
  const e: DomainEvent = validateEnvelope(sampleEvent('ReadingRecorded'));
  if (e.type === 'ReadingRecorded') {
    const period: { start: string; end: string } = e.data.period;
    t.equal(period.start, '2024-01-01');
  } else {
    t.fail('wrong type');
  }
  const vote = validateEventData('VoteCast', samples.VoteCast);
  const option: string = vote.option;
  t.equal(option, 'East only');
});

t.test('parseOrThrow', async (t) => {
  t.same(parseOrThrow(moneySchema, { amount: '1', currency: 'EUR' }), { amount: '1', currency: 'EUR' });
  try {
    parseOrThrow(moneySchema, { currency: 'EUR' }, 'body', 'bad money');
    t.fail('should throw');
  } catch (err) {
    t.ok(err instanceof ValidationError);
    t.equal((err as ValidationError).detail, 'bad money');
    t.same((err as ValidationError).errors, [{ path: 'body.amount', message: 'is required' }]);
  }
});

t.test('fieldErrorsFromZod with a prefix', async (t) => {
  const r = moneySchema.safeParse({ amount: '1e3', currency: 'usd', extra: 1 });
  t.notOk(r.success);
  if (!r.success) {
    t.same(fieldErrorsFromZod(r.error, 'body.money').map((e) => e.path).sort(), [
      'body.money.amount',
      'body.money.currency',
      'body.money.extra',
    ]);
    t.same(fieldErrorsFromZod(r.error).map((e) => e.path).sort(), ['amount', 'currency', 'extra']);
  }
});

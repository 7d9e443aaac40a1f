import t from 'tap';
import { type PendingEvent, RuleViolationError } from '../../src/domain/decider.js';
import type {
  CorrectReading,
  DefineIndicator,
  IndicatorCommand,
  RecordReading,
  ReviseTarget,
} from '../../src/domain/indicator/commands.js';
import { indicatorDecider, indicatorStream } from '../../src/domain/indicator/decider.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../src/errors.js';
import type { Actor } from '../../src/events/envelope.js';
import type { IndicatorDefined, ReadingBefore, ReadingCorrected, ReadingRecorded } from '../../src/events/measurement.js';
import { sampleReadingBefore } from '../fixtures/events/samples.js';
import { spec } from './decider-spec.js';
import { actors, ctx, ids, partner3, samples, uuid } from './fixtures.js';

const given = spec(indicatorDecider).given;
const { indicator: indicatorId, initiative: initiativeId, reading: readingId } = ids;

/** Percentage, requires approval, disaggregated by district (North, South) and sex (female, male). */
const defined: PendingEvent = { type: 'IndicatorDefined', data: samples.IndicatorDefined };
const definedWith = (changes: Partial<IndicatorDefined>): PendingEvent => ({
  type: 'IndicatorDefined',
  data: { ...samples.IndicatorDefined, ...changes },
});
const openIndicator = definedWith({ requiresApproval: false });
const qualitative = definedWith({
  measure: 'qualitative',
  unit: 'narrative',
  baseline: { narrative: 'Few families know the programme', date: '2023-12-31' },
  targets: [],
});

const period = { start: '2024-01-01', end: '2024-12-31' };
const record = (changes: Partial<RecordReading> = {}): RecordReading => ({
  type: 'RecordReading',
  indicatorId,
  readingId,
  partnerId: ids.partner,
  period,
  value: 57.25,
  disaggregation: { district: 'North' },
  context: ctx(),
  ...changes,
});
const recorded = (changes: Partial<ReadingRecorded> = {}): PendingEvent => ({
  type: 'ReadingRecorded',
  data: {
    readingId,
    indicatorId,
    initiativeId,
    partnerId: ids.partner,
    period,
    value: 57.25,
    disaggregation: { district: 'North' },
    status: 'submitted',
    ...changes,
  },
});
/** The sample reading (57.25, North, submitted) as it stood before a change, with `changes`. */
const before = (changes: Partial<ReadingBefore> = {}): ReadingBefore => ({ ...sampleReadingBefore(), ...changes });
const approvedFrom = (from: ReadingBefore): PendingEvent => ({ type: 'ReadingApproved', data: { readingId, indicatorId, before: from } });
const correctedFrom = (from: ReadingBefore, changes: Partial<ReadingCorrected> = {}): PendingEvent => ({
  type: 'ReadingCorrected',
  data: { ...samples.ReadingCorrected, before: from, ...changes },
});
const retractedFrom = (from: ReadingBefore): PendingEvent => ({ type: 'ReadingRetracted', data: { ...samples.ReadingRetracted, before: from } });
const approved: PendingEvent = approvedFrom(before());
const returned: PendingEvent = { type: 'ReadingReturned', data: samples.ReadingReturned };
const corrected: PendingEvent = { type: 'ReadingCorrected', data: samples.ReadingCorrected };
const retracted: PendingEvent = { type: 'ReadingRetracted', data: samples.ReadingRetracted };

const correct = (changes: Partial<CorrectReading> = {}): CorrectReading => ({
  type: 'CorrectReading',
  indicatorId,
  readingId,
  value: 56.75,
  reason: 'Data entry error',
  context: ctx(),
  ...changes,
});
const review = (outcome: 'approve' | 'return', comment?: string, actor: Actor = actors.backbone): IndicatorCommand => ({
  type: 'ReviewReading',
  indicatorId,
  readingId,
  outcome,
  ...(comment === undefined ? {} : { comment }),
  context: ctx(actor),
});

t.test('indicatorStream names the stream', async (t) => {
  t.equal(indicatorStream(indicatorId), `indicator-${indicatorId}`);
});

t.test('DefineIndicator', async (t) => {
  const { cumulative: _c, disaggregations: _d, requiresApproval: _r, ...minimal } = samples.IndicatorDefined;
  const define = (changes: Partial<DefineIndicator> = {}): DefineIndicator => ({
    type: 'DefineIndicator',
    ...samples.IndicatorDefined,
    context: ctx(),
    ...changes,
  });
  t.test('defines an indicator with its targets and disaggregations', async () => {
    given([]).when(define()).then([defined]);
  });
  t.test('cumulative and requiresApproval default to false, disaggregations to none', async () => {
    given([])
      .when({ type: 'DefineIndicator', ...minimal, context: ctx() })
      .then([definedWith({ cumulative: false, disaggregations: [], requiresApproval: false })]);
  });
  t.test('the goal must be a goal of the initiative', async () => {
    given([]).when(define({ goalId: uuid(98) })).thenThrows(RuleViolationError, 'is not a goal');
  });
  t.test('an indicator is defined once', async () => {
    given([defined]).when(define()).thenThrows(RuleViolationError, 'already defined');
  });
  t.test('a baseline that does not fit the measure is refused by the catalog', async () => {
    given([]).when(define({ measure: 'qualitative' })).thenThrows(ValidationError);
  });
});

t.test('ReviseTarget', async (t) => {
  const revise = (changes: Partial<ReviseTarget> = {}): ReviseTarget => ({
    type: 'ReviseTarget',
    indicatorId,
    periodEnd: '2025-12-31',
    value: 65,
    reason: 'Baseline cohort smaller than expected',
    context: ctx(),
    ...changes,
  });
  t.test('records the revised target with its reason', async () => {
    given([defined]).when(revise()).then([{ type: 'IndicatorTargetRevised', data: samples.IndicatorTargetRevised }]);
  });
  t.test('a qualitative indicator takes a narrative target', async () => {
    const { value: _v, ...rest } = samples.IndicatorTargetRevised;
    given([qualitative])
      .when(revise({ value: undefined, narrative: 'Most families know it' }))
      .then([{ type: 'IndicatorTargetRevised', data: { ...rest, narrative: 'Most families know it' } }]);
  });
  t.test('the indicator must be defined', async () => {
    given([]).when(revise()).thenThrows(NotFoundError);
  });
  t.test('a numeric indicator does not take a narrative target', async () => {
    given([defined])
      .when(revise({ value: undefined, narrative: 'More' }))
      .thenThrows(RuleViolationError, 'numeric value');
  });
  t.test('value and narrative together are invalid input', async () => {
    given([defined]).when(revise({ narrative: 'More' })).thenThrows(ValidationError);
  });
  t.test('the target period ends after the baseline date', async () => {
    given([defined])
      .when(revise({ periodEnd: '2023-12-31' }))
      .thenThrows(RuleViolationError, 'after the baseline date');
  });
});

t.test('RecordReading', async (t) => {
  t.test('is submitted when the indicator requires approval', async () => {
    given([defined])
      .when(record({ source: 'District assessment 2024' }))
      .then([{ type: 'ReadingRecorded', data: samples.ReadingRecorded }]);
  });
  t.test('is accepted at once otherwise; no disaggregation is the total', async () => {
    given([openIndicator])
      .when(record({ disaggregation: undefined }))
      .then([recorded({ disaggregation: {}, status: 'accepted' })]);
  });
  t.test('the indicator must be defined', async () => {
    given([]).when(record()).thenThrows(NotFoundError);
  });

  t.test('value or narrative, as the measure says', async (t) => {
    t.test('a qualitative indicator takes a narrative', async () => {
      const { value: _v, ...data } = samples.ReadingRecorded;
      given([qualitative])
        .when(record({ value: undefined, narrative: 'Parents ask for the programme', source: data.source }))
        .then([{ type: 'ReadingRecorded', data: { ...data, narrative: 'Parents ask for the programme' } }]);
    });
    t.test('a qualitative indicator refuses a number', async () => {
      given([qualitative]).when(record()).thenThrows(RuleViolationError, 'qualitative');
    });
    t.test('a percentage refuses a narrative', async () => {
      given([defined])
        .when(record({ value: undefined, narrative: 'Better' }))
        .thenThrows(RuleViolationError, 'numeric value');
    });
    t.test('neither is invalid input', async () => {
      given([defined]).when(record({ value: undefined })).thenThrows(ValidationError);
    });
  });

  t.test('disaggregation keys and values must be declared', async (t) => {
    t.test('both dimensions, any key order', async () => {
      given([defined])
        .when(record({ disaggregation: { sex: 'female', district: 'South' } }))
        .then([recorded({ disaggregation: { sex: 'female', district: 'South' } })]);
    });
    t.test('an undeclared dimension', async () => {
      given([defined])
        .when(record({ disaggregation: { age_group: '0-5' } }))
        .thenThrows(RuleViolationError, 'not a disaggregation');
    });
    t.test('an undeclared value', async () => {
      given([defined])
        .when(record({ disaggregation: { district: 'East' } }))
        .thenThrows(RuleViolationError, 'not a declared value');
    });
  });

  t.test('the period starts no later than it ends', async () => {
    given([defined])
      .when(record({ period: { start: '2024-12-31', end: '2024-01-01' } }))
      .thenThrows(RuleViolationError, 'starts');
  });

  t.test('who reports', async (t) => {
    t.test('a partner key reports for its own partner', async () => {
      given([defined]).when(record({ context: ctx(actors.partner) })).then([recorded()]);
    });
    t.test('a partner key cannot report for another partner (403)', async () => {
      given([defined])
        .when(record({ partnerId: ids.partner2, context: ctx(actors.partner) }))
        .thenThrows(ForbiddenError);
    });
    t.test('only partners of the initiative report', async () => {
      given([defined]).when(record({ partnerId: partner3 })).thenThrows(RuleViolationError, 'is not a partner');
    });
    t.test('a partner who left reports no more', async () => {
      given([defined])
        .when(record({ context: ctx(actors.backbone, { [ids.partner]: 'left' }) }))
        .thenThrows(RuleViolationError, 'has left');
    });
  });

  t.test('one reading per partner, period and disaggregation', async (t) => {
    const second = record({ readingId: uuid(2), disaggregation: { district: 'North' } });
    t.test('a second one is refused, pointing at the correction route', async (t) => {
      const error = given([defined, recorded()]).when(second).thenThrows(RuleViolationError, 'correct that reading');
      t.same(error.extensions, { existingReadingId: readingId, correctWith: `/readings/${readingId}/corrections` });
    });
    t.test('key order does not make another disaggregation', async () => {
      const both = { district: 'North', sex: 'male' };
      given([defined, recorded({ disaggregation: both })])
        .when(record({ readingId: uuid(2), disaggregation: { sex: 'male', district: 'North' } }))
        .thenThrows(RuleViolationError);
    });
    t.test('another disaggregation, period or partner is another reading', async () => {
      const base = [defined, recorded()];
      given(base)
        .when(record({ readingId: uuid(2), disaggregation: {} }))
        .then([recorded({ readingId: uuid(2), disaggregation: {} })]);
      const q1 = { start: '2024-01-01', end: '2024-03-31' };
      given(base).when(record({ readingId: uuid(2), period: q1 })).then([recorded({ readingId: uuid(2), period: q1 })]);
      given(base)
        .when(record({ readingId: uuid(2), partnerId: ids.partner2 }))
        .then([recorded({ readingId: uuid(2), partnerId: ids.partner2 })]);
    });
    t.test('after a retraction the period can be reported again', async () => {
      given([defined, recorded(), retracted]).when(second).then([recorded({ readingId: uuid(2) })]);
    });
    t.test('a reading id is used once', async () => {
      given([defined, recorded()])
        .when(record({ period: { start: '2025-01-01', end: '2025-12-31' } }))
        .thenThrows(RuleViolationError, 'already recorded');
    });
  });
});

t.test('CorrectReading', async (t) => {
  t.test('supersedes the value, with the reason, the reading as it stood and the status it is left in', async () => {
    given([defined, recorded()]).when(correct()).then([corrected]);
  });
  t.test('an approved reading, once corrected, is submitted and reviewed again', async () => {
    given([defined, recorded(), approved])
      .when(correct())
      .then([correctedFrom(before({ status: 'approved' }), { status: 'submitted' })]);
    given([defined, recorded(), approved, correctedFrom(before({ status: 'approved' }))])
      .when(review('approve'))
      .then([approvedFrom(before({ value: 56.75, status: 'submitted' }))]);
  });
  t.test('a returned reading, once corrected, is submitted and reviewed again', async () => {
    given([defined, recorded(), returned]).when(correct()).then([correctedFrom(before({ status: 'returned' }))]);
    given([defined, recorded(), returned, correctedFrom(before({ status: 'returned' }))])
      .when(review('approve'))
      .then([approvedFrom(before({ value: 56.75 }))]);
  });
  t.test('without approval the status stays accepted', async () => {
    given([openIndicator, recorded({ status: 'accepted' })])
      .when(correct())
      .then([correctedFrom(before({ status: 'accepted' }), { status: 'accepted' })]);
  });
  t.test('a second correction names the first one\'s value as before', async () => {
    given([openIndicator, recorded({ status: 'accepted' }), correctedFrom(before({ status: 'accepted' }), { status: 'accepted' })])
      .when(correct({ value: 58, reason: 'Late returns counted' }))
      .then([correctedFrom(before({ value: 56.75, status: 'accepted' }), { value: 58, reason: 'Late returns counted', status: 'accepted' })]);
  });
  t.test('a narrative is corrected with its before, disaggregation as recorded', async () => {
    const { value: _v, ...reading } = samples.ReadingRecorded;
    const disaggregation = { sex: 'female', district: 'South' };
    const { value: _bv, ...narrativeBefore } = before({ disaggregation });
    const { value: _cv, ...correction } = samples.ReadingCorrected;
    given([qualitative, { type: 'ReadingRecorded', data: { ...reading, narrative: 'Parents ask', disaggregation } }])
      .when(correct({ value: undefined, narrative: 'Parents ask for it by name' }))
      .then([{ type: 'ReadingCorrected', data: { ...correction, narrative: 'Parents ask for it by name', before: { ...narrativeBefore, narrative: 'Parents ask' } } }]);
  });
  t.test('the reading must exist', async () => {
    given([defined]).when(correct()).thenThrows(NotFoundError, 'not a reading');
  });
  t.test('a retracted reading is not corrected', async () => {
    given([defined, recorded(), retracted]).when(correct()).thenThrows(RuleViolationError, 'retracted');
  });
  t.test('the correction fits the measure', async () => {
    given([defined, recorded()]).when(correct({ value: undefined, narrative: 'x' })).thenThrows(RuleViolationError);
  });
  t.test('a partner key corrects its own readings only', async () => {
    given([defined, recorded()]).when(correct({ context: ctx(actors.partner) })).then([corrected]);
    given([defined, recorded({ partnerId: ids.partner2 })])
      .when(correct({ context: ctx(actors.partner) }))
      .thenThrows(ForbiddenError);
  });
  t.test('a partner who left corrects nothing, the backbone still can', async () => {
    const gone = { [ids.partner]: 'left' } as const;
    given([defined, recorded()])
      .when(correct({ context: ctx(actors.partner, gone) }))
      .thenThrows(RuleViolationError, 'has left');
    given([defined, recorded()]).when(correct({ context: ctx(actors.backbone, gone) })).then([corrected]);
  });
});

t.test('RetractReading', async (t) => {
  const retract = (actor: Actor = actors.backbone): IndicatorCommand => ({
    type: 'RetractReading',
    indicatorId,
    readingId,
    reason: 'Duplicate of another reading',
    context: ctx(actor),
  });
  t.test('retracts a reading, naming it as it stood', async () => {
    given([defined, recorded()]).when(retract()).then([retracted]);
    given([defined, recorded(), approved]).when(retract()).then([retractedFrom(before({ status: 'approved' }))]);
    given([defined, recorded(), correctedFrom(before())]).when(retract()).then([retractedFrom(before({ value: 56.75 }))]);
  });
  t.test('a partner who left does not retract, the backbone still can', async () => {
    const gone = { [ids.partner]: 'left' } as const;
    given([defined, recorded()]).when(retract(actors.partner)).then([retracted]);
    given([defined, recorded()])
      .when({ ...retract(actors.partner), context: ctx(actors.partner, gone) })
      .thenThrows(RuleViolationError, 'has left');
    given([defined, recorded()]).when({ ...retract(), context: ctx(actors.backbone, gone) }).then([retracted]);
  });
  t.test('once', async () => {
    given([defined, recorded(), retracted]).when(retract()).thenThrows(RuleViolationError, 'already retracted');
  });
  t.test('the reading must exist', async () => {
    given([defined]).when(retract()).thenThrows(NotFoundError);
  });
  t.test("a partner key does not retract another partner's reading", async () => {
    given([defined, recorded({ partnerId: ids.partner2 })]).when(retract(actors.partner)).thenThrows(ForbiddenError);
  });
});

t.test('ReviewReading', async (t) => {
  t.test('approves a submitted reading', async () => {
    given([defined, recorded()]).when(review('approve')).then([approved]);
  });
  t.test('approves with a comment', async () => {
    given([defined, recorded()])
      .when(review('approve', 'Thanks'))
      .then([{ type: 'ReadingApproved', data: { readingId, indicatorId, comment: 'Thanks', before: before() } }]);
  });
  t.test('returns a submitted reading with what to fix', async () => {
    given([defined, recorded()]).when(review('return', 'Please split by sex.')).then([returned]);
  });
  t.test('a return needs a comment', async () => {
    given([defined, recorded()]).when(review('return')).thenThrows(ValidationError, 'comment');
  });
  t.test('only submitted readings are reviewed', async () => {
    given([openIndicator, recorded({ status: 'accepted' })])
      .when(review('approve'))
      .thenThrows(RuleViolationError, 'is accepted');
    given([defined, recorded(), approved]).when(review('return', 'no')).thenThrows(RuleViolationError, 'is approved');
    given([defined, recorded(), returned]).when(review('approve')).thenThrows(RuleViolationError, 'is returned');
    given([defined, recorded(), retracted]).when(review('approve')).thenThrows(RuleViolationError, 'is retracted');
  });
  t.test('a partner key never reviews', async () => {
    given([defined, recorded()]).when(review('approve', undefined, actors.partner)).thenThrows(ForbiddenError);
  });
  t.test('the reading must exist', async () => {
    given([defined]).when(review('approve')).thenThrows(NotFoundError);
  });
});

t.test('caller bugs are errors, never rule violations', async (t) => {
  t.test("facts of another initiative than the indicator's", async (t) => {
    const otherFacts = { ...ctx().initiative, initiativeId: uuid(55) };
    const error = given([defined])
      .when(record({ context: { actor: actors.backbone, initiative: otherFacts } }))
      .thenThrows(Error, 'facts of initiative');
    t.notOk(error instanceof RuleViolationError);
  });
  t.test('a command sent to the stream of another indicator', async () => {
    given([defined]).when(record({ indicatorId: uuid(56) })).thenThrows(Error, 'was sent to the stream of');
  });
});

t.test('state is persistent: a new state shares structure and never changes its predecessor', async (t) => {
  const first = [openIndicator, recorded({ status: 'accepted' })].reduce(indicatorDecider.evolve, indicatorDecider.initialState());
  const second = indicatorDecider.evolve(first, retractedFrom(before({ status: 'accepted' })));
  t.equal(first.readings.get(readingId)?.status, 'accepted', 'the predecessor still sees the reading accepted');
  t.equal(first.live.get([...first.live.keys()][0]!), readingId);
  t.equal(second.readings.get(readingId)?.status, 'retracted');
  t.equal(second.live.size, 0, 'a retracted reading no longer holds its key');
  t.same(second.readings.get(readingId), {
    partnerId: ids.partner,
    period,
    disaggregation: { district: 'North' },
    value: 57.25,
    status: 'retracted',
    key: [...first.live.keys()][0],
  });
  t.equal(indicatorDecider.evolve(second, { type: 'GoalAdopted', data: samples.GoalAdopted }), second, 'another event leaves it as it is');
});

/** An indicator without approval holding `count` accepted readings (one per partner id). */
const foldReadings = (count: number) => {
  let state = indicatorDecider.evolve(indicatorDecider.initialState(), openIndicator);
  for (let i = 0; i < count; i++) {
    state = indicatorDecider.evolve(state, recorded({ readingId: uuid(100_000 + i), partnerId: uuid(200_000 + i), status: 'accepted' }));
  }
  return state;
};

t.test('folding is linear in the number of readings', async (t) => {
  const started = performance.now();
  const state = foldReadings(20_000);
  indicatorDecider.decide(record({ readingId: uuid(1), partnerId: ids.partner2 }), state);
  t.equal(state.readings.size, 20_000);
  t.ok(performance.now() - started < 2_000, 'folds 20,000 readings and decides in well under 2 s');
});

t.test('a decision does not grow with the number of readings', async (t) => {
  const context = ctx();
  /** 1,000 decisions that look readings up: record a new one (duplicate check), correct and retract existing ones. */
  const decisions = (state: ReturnType<typeof foldReadings>, readings: number): number => {
    const started = performance.now();
    for (let i = 0; i < 1_000; i++) {
      const existing = uuid(100_000 + ((i * 7919) % readings));
      indicatorDecider.decide(record({ readingId: uuid(900_000 + i), partnerId: ids.partner2, period: { start: '2025-01-01', end: '2025-12-31' }, context }), state);
      indicatorDecider.decide(correct({ readingId: existing, value: i, context }), state);
      indicatorDecider.decide({ type: 'RetractReading', indicatorId, readingId: existing, reason: 'duplicate', context }, state);
    }
    return performance.now() - started;
  };
  const small = foldReadings(1_000);
  const large = foldReadings(20_000);
  decisions(small, 1_000); // warm up
  decisions(large, 20_000);
  const best = (state: ReturnType<typeof foldReadings>, readings: number) => Math.min(...[0, 1, 2].map(() => decisions(state, readings)));
  const atSmall = best(small, 1_000);
  const atLarge = best(large, 20_000);
  t.ok(atLarge / atSmall < 5, `1,000 decisions at 20,000 readings take ${atLarge.toFixed(1)} ms, at 1,000 readings ${atSmall.toFixed(1)} ms (ratio < 5, not 20)`);
});

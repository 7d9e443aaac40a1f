import t from 'tap';
import type { ContributionCommand, RecordUnplannedContribution } from '../../src/domain/contribution/commands.js';
import { contributionDecider, contributionStream } from '../../src/domain/contribution/decider.js';
import { type PendingEvent, RuleViolationError } from '../../src/domain/decider.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../src/errors.js';
import type { Actor } from '../../src/events/envelope.js';
import { spec } from './decider-spec.js';
import { actors, ctx, ids, partner3, samples } from './fixtures.js';

const given = spec(contributionDecider).given;
const gone = { [ids.partner]: 'left' } as const;

/** The sample contribution, unplanned: no commitment. */
const { commitmentId: _c, ...unplanned } = samples.ContributionRecorded;
const recorded: PendingEvent = { type: 'ContributionRecorded', data: unplanned };
const reversed: PendingEvent = { type: 'ContributionReversed', data: { contributionId: ids.contribution, reason: 'Payment bounced' } };

const record = (changes: Partial<RecordUnplannedContribution> = {}): RecordUnplannedContribution => ({
  type: 'RecordUnplannedContribution',
  ...unplanned,
  context: ctx(),
  ...changes,
});
const reverse = (actor: Actor = actors.backbone, partners = {}): ContributionCommand => ({
  type: 'ReverseUnplannedContribution',
  contributionId: ids.contribution,
  reason: 'Payment bounced',
  context: ctx(actor, partners),
});

t.test('contributionStream names the stream', async (t) => {
  t.equal(contributionStream(ids.contribution), `contribution-${ids.contribution}`);
});

t.test('RecordUnplannedContribution', async (t) => {
  t.test('records a contribution without a commitment', async () => {
    given([]).when(record()).then([recorded]);
  });
  t.test('a partner key records for its own partner only', async () => {
    given([]).when(record({ context: ctx(actors.partner) })).then([recorded]);
    given([]).when(record({ partnerId: ids.partner2, context: ctx(actors.partner) })).thenThrows(ForbiddenError);
  });
  t.test('only active partners of the initiative contribute', async () => {
    given([]).when(record({ partnerId: partner3 })).thenThrows(RuleViolationError, 'is not a partner');
    given([]).when(record({ context: ctx(actors.backbone, gone) })).thenThrows(RuleViolationError, 'has left');
  });
  t.test('once', async () => {
    given([recorded]).when(record()).thenThrows(RuleViolationError, 'already recorded');
  });
  t.test('money and hours together are refused by the catalog', async () => {
    given([]).when(record({ hours: 3 })).thenThrows(ValidationError);
  });
});

t.test('ReverseUnplannedContribution', async (t) => {
  t.test('reverses it', async () => {
    given([recorded]).when(reverse()).then([reversed]);
  });
  t.test('once', async () => {
    given([recorded, reversed]).when(reverse()).thenThrows(RuleViolationError, 'already reversed');
  });
  t.test('it must be recorded', async () => {
    given([]).when(reverse()).thenThrows(NotFoundError);
  });
  t.test("a partner key reverses its own partner's contributions while active; the backbone always", async () => {
    given([recorded]).when(reverse(actors.partner)).then([reversed]);
    given([{ type: 'ContributionRecorded', data: { ...unplanned, partnerId: ids.partner2 } }])
      .when(reverse(actors.partner))
      .thenThrows(ForbiddenError);
    given([recorded]).when(reverse(actors.partner, gone)).thenThrows(RuleViolationError, 'has left');
    given([recorded]).when(reverse(actors.backbone, gone)).then([reversed]);
  });
});

import t from 'tap';
import { type PendingEvent, RuleViolationError } from '../../src/domain/decider.js';
import type { RaiseRisk, ReviewRisk, RiskCommand } from '../../src/domain/risk/commands.js';
import { riskDecider, riskStream } from '../../src/domain/risk/decider.js';
import { NotFoundError } from '../../src/errors.js';
import { spec } from './decider-spec.js';
import { actors, ctx, ids, partner3, samples } from './fixtures.js';

const given = spec(riskDecider).given;
const gone = { [ids.partner]: 'left' } as const;

const raised: PendingEvent = { type: 'RiskRaised', data: samples.RiskRaised };
const reviewed: PendingEvent = { type: 'RiskReviewed', data: samples.RiskReviewed };
const closed: PendingEvent = { type: 'RiskClosed', data: samples.RiskClosed };

const raise = (changes: Partial<RaiseRisk> = {}): RaiseRisk => ({ type: 'RaiseRisk', ...samples.RiskRaised, context: ctx(), ...changes });
const { initiativeId: _i, ...reviewData } = samples.RiskReviewed;
const review = (changes: Partial<ReviewRisk> = {}): ReviewRisk => ({ type: 'ReviewRisk', ...reviewData, context: ctx(), ...changes });
const { initiativeId: _j, ...closeData } = samples.RiskClosed;
const close: RiskCommand = { type: 'CloseRisk', ...closeData, context: ctx() };

t.test('riskStream names the stream', async (t) => {
  t.equal(riskStream(ids.risk), `risk-${ids.risk}`);
});

t.test('RaiseRisk', async (t) => {
  t.test('raises a risk owned by a partner', async () => {
    given([]).when(raise()).then([raised]);
  });
  t.test('the owner is an active partner of the initiative', async () => {
    given([]).when(raise({ ownerPartnerId: partner3 })).thenThrows(RuleViolationError, 'is not a partner');
    given([]).when(raise({ context: ctx(actors.backbone, gone) })).thenThrows(RuleViolationError, 'has left');
  });
  t.test('once', async () => {
    given([raised]).when(raise()).thenThrows(RuleViolationError, 'already raised');
  });
});

t.test('ReviewRisk', async (t) => {
  t.test('restates the assessment', async () => {
    given([raised]).when(review()).then([reviewed]);
  });
  t.test('again and again', async () => {
    given([raised, reviewed]).when(review()).then([reviewed]);
  });
  t.test('hands it to another active partner', async () => {
    given([raised])
      .when(review({ ownerPartnerId: ids.partner2 }))
      .then([{ type: 'RiskReviewed', data: { ...samples.RiskReviewed, ownerPartnerId: ids.partner2 } }]);
    given([raised])
      .when(review({ ownerPartnerId: ids.partner, context: ctx(actors.backbone, gone) }))
      .thenThrows(RuleViolationError, 'has left');
  });
  t.test('the risk must be raised', async () => {
    given([]).when(review()).thenThrows(NotFoundError);
  });
  t.test('no review after close', async () => {
    given([raised, closed]).when(review()).thenThrows(RuleViolationError, 'is closed');
  });
});

t.test('CloseRisk', async (t) => {
  t.test('closes with a resolution', async () => {
    given([raised, reviewed]).when(close).then([closed]);
  });
  t.test('once', async () => {
    given([raised, closed]).when(close).thenThrows(RuleViolationError, 'is closed');
  });
  t.test('the risk must be raised', async () => {
    given([]).when(close).thenThrows(NotFoundError);
  });
});

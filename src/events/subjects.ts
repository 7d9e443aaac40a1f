import type { EventData, EventType } from './catalog.js';

/**
 * The resource each event is about (its subject): the receipt's `id`, the CloudEvents `subject`, and the key of
 * the resource directory that routes `/readings/:id/…`-style writes and scopes reads by initiative.
 */
export type ResourceKind =
  | 'initiative'
  | 'partner'
  | 'goal'
  | 'strategy'
  | 'responsibility'
  | 'activity'
  | 'risk'
  | 'lesson'
  | 'indicator'
  | 'reading'
  | 'commitment'
  | 'contribution'
  | 'decision'
  | 'access-key'
  | 'subscription';

type SubjectField<T extends EventType> = { [K in keyof EventData<T>]-?: EventData<T>[K] extends string ? K : never }[keyof EventData<T>];

const subject = <T extends EventType>(kind: ResourceKind, field: SubjectField<T>) => ({ kind, field: field as string });

export const subjects: { [T in EventType]: { kind: ResourceKind; field: string } } = {
  InitiativeLaunched: subject<'InitiativeLaunched'>('initiative', 'initiativeId'),
  PartnerJoined: subject<'PartnerJoined'>('partner', 'partnerId'),
  PartnerLeft: subject<'PartnerLeft'>('partner', 'partnerId'),
  GoalAdopted: subject<'GoalAdopted'>('goal', 'goalId'),
  GoalRevised: subject<'GoalRevised'>('goal', 'goalId'),
  StrategyAdopted: subject<'StrategyAdopted'>('strategy', 'strategyId'),
  ResponsibilityAssigned: subject<'ResponsibilityAssigned'>('strategy', 'strategyId'),
  ActivityLogged: subject<'ActivityLogged'>('activity', 'activityId'),
  RiskRaised: subject<'RiskRaised'>('risk', 'riskId'),
  RiskReviewed: subject<'RiskReviewed'>('risk', 'riskId'),
  RiskClosed: subject<'RiskClosed'>('risk', 'riskId'),
  LessonRecorded: subject<'LessonRecorded'>('lesson', 'lessonId'),
  IndicatorDefined: subject<'IndicatorDefined'>('indicator', 'indicatorId'),
  IndicatorTargetRevised: subject<'IndicatorTargetRevised'>('indicator', 'indicatorId'),
  ReadingRecorded: subject<'ReadingRecorded'>('reading', 'readingId'),
  ReadingApproved: subject<'ReadingApproved'>('reading', 'readingId'),
  ReadingReturned: subject<'ReadingReturned'>('reading', 'readingId'),
  ReadingCorrected: subject<'ReadingCorrected'>('reading', 'readingId'),
  ReadingRetracted: subject<'ReadingRetracted'>('reading', 'readingId'),
  CommitmentMade: subject<'CommitmentMade'>('commitment', 'commitmentId'),
  CommitmentRevised: subject<'CommitmentRevised'>('commitment', 'commitmentId'),
  CommitmentWithdrawn: subject<'CommitmentWithdrawn'>('commitment', 'commitmentId'),
  ContributionRecorded: subject<'ContributionRecorded'>('contribution', 'contributionId'),
  ContributionReversed: subject<'ContributionReversed'>('contribution', 'contributionId'),
  DecisionProposed: subject<'DecisionProposed'>('decision', 'decisionId'),
  VoteCast: subject<'VoteCast'>('decision', 'decisionId'),
  DecisionClosed: subject<'DecisionClosed'>('decision', 'decisionId'),
  DecisionRecorded: subject<'DecisionRecorded'>('decision', 'decisionId'),
  AccessKeyIssued: subject<'AccessKeyIssued'>('access-key', 'keyId'),
  AccessKeyRevoked: subject<'AccessKeyRevoked'>('access-key', 'keyId'),
  SubscriptionCreated: subject<'SubscriptionCreated'>('subscription', 'subscriptionId'),
  SubscriptionDisabled: subject<'SubscriptionDisabled'>('subscription', 'subscriptionId'),
  SubscriptionEnabled: subject<'SubscriptionEnabled'>('subscription', 'subscriptionId'),
  SubscriptionRemoved: subject<'SubscriptionRemoved'>('subscription', 'subscriptionId'),
};

/** The subject of a stored event, or undefined for a type outside the catalog. */
export const subjectOf = (type: string, data: unknown): { kind: ResourceKind; id: string } | undefined => {
  const entry = (subjects as Record<string, { kind: ResourceKind; field: string } | undefined>)[type];
  const id = entry && (data as Record<string, unknown> | null)?.[entry.field];
  return entry && typeof id === 'string' ? { kind: entry.kind, id } : undefined;
};

/** `data.initiativeId` where the event carries it. */
export const initiativeIdOf = (data: unknown): string | undefined => {
  const id = (data as Record<string, unknown> | null)?.initiativeId;
  return typeof id === 'string' ? id : undefined;
};

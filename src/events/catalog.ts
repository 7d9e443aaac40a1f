import { z } from 'zod';
import type { FieldError } from '../errors.js';
import { ValidationError } from '../errors.js';
import { defineEvent, type EventDefinition, type EventEnvelope, eventMetadataSchema } from './envelope.js';
import { idSchema } from './common.js';
import { parseFields } from './field-errors.js';
import * as initiative from './initiative.js';
import * as measurement from './measurement.js';
import * as resources from './resources.js';
import * as governance from './governance.js';
import * as access from './access.js';
import * as feeds from './feeds.js';

/**
 * The event catalog (design §2): type → definition (data schema + schemaVersion). Types are past-tense
 * PascalCase and are never renamed once shipped; a changed shape gets a new schemaVersion.
 */
export const catalog = {
  InitiativeLaunched: defineEvent('InitiativeLaunched', 1, initiative.initiativeLaunchedSchema),
  PartnerJoined: defineEvent('PartnerJoined', 1, initiative.partnerJoinedSchema),
  PartnerLeft: defineEvent('PartnerLeft', 1, initiative.partnerLeftSchema),
  GoalAdopted: defineEvent('GoalAdopted', 1, initiative.goalAdoptedSchema),
  GoalRevised: defineEvent('GoalRevised', 1, initiative.goalRevisedSchema),
  StrategyAdopted: defineEvent('StrategyAdopted', 1, initiative.strategyAdoptedSchema),
  ResponsibilityAssigned: defineEvent('ResponsibilityAssigned', 1, initiative.responsibilityAssignedSchema),
  ActivityLogged: defineEvent('ActivityLogged', 1, initiative.activityLoggedSchema),
  RiskRaised: defineEvent('RiskRaised', 1, initiative.riskRaisedSchema),
  RiskReviewed: defineEvent('RiskReviewed', 1, initiative.riskReviewedSchema),
  RiskClosed: defineEvent('RiskClosed', 1, initiative.riskClosedSchema),
  LessonRecorded: defineEvent('LessonRecorded', 1, initiative.lessonRecordedSchema),

  IndicatorDefined: defineEvent('IndicatorDefined', 1, measurement.indicatorDefinedSchema),
  IndicatorTargetRevised: defineEvent('IndicatorTargetRevised', 1, measurement.indicatorTargetRevisedSchema),
  ReadingRecorded: defineEvent('ReadingRecorded', 1, measurement.readingRecordedSchema),
  ReadingApproved: defineEvent('ReadingApproved', 1, measurement.readingApprovedSchema),
  ReadingReturned: defineEvent('ReadingReturned', 1, measurement.readingReturnedSchema),
  ReadingCorrected: defineEvent('ReadingCorrected', 1, measurement.readingCorrectedSchema),
  ReadingRetracted: defineEvent('ReadingRetracted', 1, measurement.readingRetractedSchema),

  CommitmentMade: defineEvent('CommitmentMade', 1, resources.commitmentMadeSchema),
  CommitmentRevised: defineEvent('CommitmentRevised', 1, resources.commitmentRevisedSchema),
  CommitmentWithdrawn: defineEvent('CommitmentWithdrawn', 1, resources.commitmentWithdrawnSchema),
  ContributionRecorded: defineEvent('ContributionRecorded', 1, resources.contributionRecordedSchema),
  ContributionReversed: defineEvent('ContributionReversed', 1, resources.contributionReversedSchema),

  DecisionProposed: defineEvent('DecisionProposed', 1, governance.decisionProposedSchema),
  VoteCast: defineEvent('VoteCast', 1, governance.voteCastSchema),
  DecisionClosed: defineEvent('DecisionClosed', 1, governance.decisionClosedSchema),
  DecisionRecorded: defineEvent('DecisionRecorded', 1, governance.decisionRecordedSchema),

  AccessKeyIssued: defineEvent('AccessKeyIssued', 1, access.accessKeyIssuedSchema),
  AccessKeyRevoked: defineEvent('AccessKeyRevoked', 1, access.accessKeyRevokedSchema),

  SubscriptionCreated: defineEvent('SubscriptionCreated', 1, feeds.subscriptionCreatedSchema),
  SubscriptionDisabled: defineEvent('SubscriptionDisabled', 1, feeds.subscriptionDisabledSchema),
  SubscriptionEnabled: defineEvent('SubscriptionEnabled', 1, feeds.subscriptionEnabledSchema),
  SubscriptionRemoved: defineEvent('SubscriptionRemoved', 1, feeds.subscriptionRemovedSchema),
} as const satisfies Record<string, EventDefinition>;

export type Catalog = typeof catalog;
/** Compile-time check that every key names its own definition (`Foo: defineEvent('Foo', …)`). */
type MismatchedKey = { [K in keyof Catalog]: Catalog[K]['type'] extends K ? never : K }[keyof Catalog];
const keysMatchTypes: [MismatchedKey] extends [never] ? true : MismatchedKey = true;
void keysMatchTypes;
export type EventType = keyof Catalog;
/** The parsed `data` of one event type. */
export type EventData<T extends EventType> = z.output<Catalog[T]['data']>;
/** A stored event of one type, its data typed. */
export type TypedEvent<T extends EventType> = EventEnvelope<T, EventData<T>>;
/** Every domain event, discriminated by `type`: `switch (e.type) { case 'VoteCast': e.data.option … }`. */
export type DomainEvent = { [T in EventType]: TypedEvent<T> }[EventType];

export const eventTypes = Object.keys(catalog) as EventType[];

export const isEventType = (type: unknown): type is EventType =>
  typeof type === 'string' && Object.hasOwn(catalog, type);

export const definitionOf = <T extends EventType>(type: T): Catalog[T] => catalog[type];

const unknownType = (type: unknown): FieldError => ({
  path: 'type',
  message: `unknown event type${typeof type === 'string' ? ` "${type.slice(0, 64)}"` : ''}`,
});

/**
 * Validates `data` against the schema of `type` and returns the parsed data. Throws `ValidationError` whose
 * errors name fields as `data.<path>` (e.g. `data.money.amount`), or `type` for an unknown type.
 */
export function validateEventData<T extends EventType>(type: T, data: unknown): EventData<T>;
export function validateEventData(type: string, data: unknown): DomainEvent['data'];
export function validateEventData(type: string, data: unknown): DomainEvent['data'] {
  if (!isEventType(type)) throw new ValidationError('unknown event type', [unknownType(type)]);
  const result = parseFields(catalog[type].data, data, 'data');
  if (!result.success) throw new ValidationError(`invalid ${type} data`, result.errors);
  return result.data as DomainEvent['data'];
}

/** A stream name: `initiative-<uuid>`, `decision-<uuid>`, … (letters, digits, `.`, `_`, `:`, `-`). */
export const streamNameSchema = z
  .string()
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'must be a stream name like initiative-<id>');

const envelopeShape = z.strictObject({
  id: idSchema,
  type: z.string().max(64),
  stream: streamNameSchema,
  revision: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  data: z.unknown(),
  metadata: eventMetadataSchema,
});

/**
 * Validates a whole stored event: envelope fields, `data` by type, and that `metadata.schemaVersion` is the
 * catalog's version for the type. Reports every problem at once; throws `ValidationError`.
 */
export function validateEnvelope(e: unknown): DomainEvent {
  const shape = parseFields(envelopeShape, e);
  if (!shape.success) {
    // Also check data when the type is known, so a caller sees all of its mistakes in one answer.
    const raw = typeof e === 'object' && e !== null ? (e as Record<string, unknown>) : {};
    const dataErrors = isEventType(raw.type) && 'data' in raw ? dataFieldErrors(raw.type, raw.data) : [];
    throw new ValidationError('invalid event', [...shape.errors, ...dataErrors]);
  }
  const { type } = shape.data;
  if (!isEventType(type)) throw new ValidationError('invalid event', [unknownType(type)]);
  const def = catalog[type];
  const errors: FieldError[] = [];
  const data = parseFields(def.data, shape.data.data, 'data');
  if (!data.success) errors.push(...data.errors);
  if (shape.data.metadata.schemaVersion !== def.schemaVersion) {
    errors.push({
      path: 'metadata.schemaVersion',
      message: `${type} is at schemaVersion ${def.schemaVersion}, got ${shape.data.metadata.schemaVersion}`,
    });
  }
  if (errors.length > 0 || !data.success) throw new ValidationError(`invalid ${type} event`, errors);
  return { ...shape.data, type, data: data.data } as DomainEvent;
}

const dataFieldErrors = (type: EventType, data: unknown): FieldError[] => {
  const result = parseFields(catalog[type].data, data, 'data');
  return result.success ? [] : result.errors;
};

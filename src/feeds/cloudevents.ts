import { subjects } from '../events/subjects.js';
import type { SequencedEvent } from '../follower/consumer.js';

/** A feed item: CloudEvents 1.0 structured JSON, with the global `seq` as an extension attribute. */
export interface CloudEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time: string;
  subject?: string;
  datacontenttype: 'application/json';
  data: unknown;
  seq: number;
}

export const CLOUDEVENT_TYPE_PREFIX = 'org.impact-ledger.';
/** The CloudEvents type of a signed checkpoint of the transparency log. */
export const CHECKPOINT_CLOUDEVENT_TYPE = `${CLOUDEVENT_TYPE_PREFIX}checkpoint.signed`;

const kebab = (pascal: string) => pascal.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

/**
 * `ReadingRecorded` → `org.impact-ledger.reading.recorded`; `VoteCast` → `org.impact-ledger.decision.vote-cast`:
 * the resource kind the event is about, then what happened to it.
 */
export const cloudEventType = (eventType: string): string => {
  const subject = (subjects as Record<string, { kind: string } | undefined>)[eventType];
  const words = kebab(eventType);
  if (!subject) return `${CLOUDEVENT_TYPE_PREFIX}${words}`;
  const happened = words.startsWith(`${subject.kind}-`) ? words.slice(subject.kind.length + 1) : words;
  return `${CLOUDEVENT_TYPE_PREFIX}${subject.kind}.${happened}`;
};

/**
 * An event of initiative `initiativeId` as a CloudEvent (`subject` is `<kind>s/<id>`). `source` is the initiative's
 * absolute URL under the deployment's `PUBLIC_URL` (design §9), so a consumer of several deployments tells them apart.
 */
export const toCloudEvent = (event: SequencedEvent, initiativeId: string, publicUrl: string): CloudEvent => {
  const entry = (subjects as Record<string, { kind: string; field: string } | undefined>)[event.type];
  const subjectId = entry && (event.data as Record<string, unknown>)[entry.field];
  return {
    specversion: '1.0',
    id: event.id,
    source: `${publicUrl}/initiatives/${initiativeId}`,
    type: cloudEventType(event.type),
    time: event.metadata.recordedAt,
    ...(entry && typeof subjectId === 'string' ? { subject: `${entry.kind}s/${subjectId}` } : {}),
    datacontenttype: 'application/json',
    data: event.data,
    seq: event.seq,
  };
};

/** A signed checkpoint of the transparency log as a feed item, so partners can witness it. */
export const checkpointCloudEvent = (checkpoint: { size: number; note: string; createdAt: string }, origin: string, publicUrl: string): CloudEvent => ({
  specversion: '1.0',
  id: `checkpoint-${checkpoint.size}`,
  source: `${publicUrl}/audit`,
  type: CHECKPOINT_CLOUDEVENT_TYPE,
  time: checkpoint.createdAt,
  subject: `checkpoints/${checkpoint.size}`,
  datacontenttype: 'application/json',
  data: { origin, treeSize: checkpoint.size, note: checkpoint.note },
  seq: checkpoint.size - 1,
});

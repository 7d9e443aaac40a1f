import type { Consumer, SequencedEvent } from '../follower/consumer.js';
import { subjectOf } from '../events/subjects.js';
import type { DirectoryStore } from './directory-store.js';

const partnerIdOf = (data: unknown): string | null => {
  const id = (data as Record<string, unknown> | null)?.partnerId;
  return typeof id === 'string' ? id : null;
};

/**
 * Keeps the directory in step with the log, one local transaction per batch together with its own
 * checkpoint, so a crash never leaves it half-applied.
 */
export const createDirectoryConsumer = (directory: DirectoryStore, options: { onKeyChange?: (keyId: string) => void } = {}): Consumer => {
  const applyOne = (event: SequencedEvent, changedKeys: string[]) => {
    const subject = subjectOf(event.type, event.data);
    const initiativeId = directory.initiativeOfEvent(event) ?? null;
    directory.putStream(event.stream, initiativeId);
    // Every event about a reading names it (ReadingRecorded, …Approved, …Returned, …Corrected, …Retracted): GET
    // /readings/:id then reads those few events instead of folding the whole indicator stream.
    const readingId = event.type.startsWith('Reading') ? (event.data as { readingId?: unknown } | null)?.readingId : undefined;
    let revisionRecorded = false;
    if (subject) {
      const ofTheReading = subject.id === readingId; // its row, if new, starts the list with this event
      const created = directory.putResource(
        { id: subject.id, kind: subject.kind, stream: event.stream, initiativeId, partnerId: partnerIdOf(event.data) },
        ofTheReading ? event.revision : undefined,
      );
      revisionRecorded = created && ofTheReading;
      const idemKey = event.metadata.idempotencyKey;
      if (idemKey) {
        directory.putReceipt(event.metadata.actor.keyId, idemKey, {
          id: subject.id,
          kind: subject.kind,
          eventId: event.id,
          stream: event.stream,
          revision: event.revision,
          seq: event.seq,
        });
      }
    }
    if (typeof readingId === 'string' && !revisionRecorded) directory.putReadingEvent(readingId, event.revision);
    if (event.type === 'AccessKeyIssued') {
      const data = event.data as { keyId: string; keyHash: string; role: 'admin' | 'backbone' | 'partner' | 'auditor' | 'viewer'; initiativeId?: string; partnerId?: string; label: string };
      directory.putKey({
        keyId: data.keyId,
        keyHash: data.keyHash,
        role: data.role,
        initiativeId: data.initiativeId ?? null,
        partnerId: data.partnerId ?? null,
        label: data.label,
        issuedAt: event.metadata.recordedAt,
      });
      changedKeys.push(data.keyId);
    } else if (event.type === 'AccessKeyRevoked') {
      const { keyId } = event.data as { keyId: string };
      directory.revokeKey(keyId, event.metadata.recordedAt);
      changedKeys.push(keyId);
    }
  };

  return {
    name: 'directory',
    resumeAfter: () => directory.seq(),
    apply(events) {
      const changedKeys: string[] = [];
      const from = directory.seq();
      directory.transaction(() => {
        for (const event of events) if (event.seq > from) applyOne(event, changedKeys);
        directory.setSeq(Math.max(from, events[events.length - 1]!.seq));
      });
      for (const keyId of changedKeys) options.onKeyChange?.(keyId);
    },
  };
};

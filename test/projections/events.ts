import type { EventData, EventType } from '../../src/events/catalog.js';
import type { ProjectedEvent } from '../../projections/projection.js';
import type { Projection } from '../../projections/projection.js';

/** A tiny builder of events for given-events / expect-view projection tests. */
export const history = () => {
  const events: ProjectedEvent[] = [];
  const add = <T extends EventType>(type: T, data: EventData<T>, options: { stream?: string; at?: string; partnerId?: string } = {}) => {
    const seq = events.length;
    events.push({
      seq,
      id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
      type,
      stream: options.stream ?? 'test',
      data,
      metadata: {
        recordedAt: options.at ?? `2026-01-01T00:00:${String(seq % 60).padStart(2, '0')}.000Z`,
        actor: { keyId: 'test', role: options.partnerId ? 'partner' : 'backbone', ...(options.partnerId ? { partnerId: options.partnerId } : {}) },
      },
    });
    return add;
  };
  return { add, events };
};

export const replay = <S>(projection: Projection<S>, events: readonly ProjectedEvent[]): S =>
  events.reduce((state, event) => projection.apply(state, structuredClone(event)), projection.init());

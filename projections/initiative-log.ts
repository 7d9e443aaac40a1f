import type { EventData } from '../src/events/catalog.js';
import { defineProjection, viewsByInitiative, type ProjectedEvent } from './projection.js';

/**
 * initiative-log: what the backbone logs beside the agenda — activities, the risk register (with every review)
 * and lessons learned — per initiative, in the order they were recorded.
 */
type Activity = Omit<EventData<'ActivityLogged'>, 'initiativeId'> & { recordedAt: string };
type Lesson = Omit<EventData<'LessonRecorded'>, 'initiativeId'> & { recordedAt: string };
type RiskReview = Omit<EventData<'RiskReviewed'>, 'initiativeId' | 'riskId'> & { reviewedAt: string };
interface Risk {
  riskId: string;
  title: string;
  description?: string;
  category: string;
  likelihood: string;
  impact: string;
  ownerPartnerId: string;
  mitigation?: string;
  status: 'open' | 'closed';
  raisedAt: string;
  reviews: RiskReview[];
  closure?: { resolution: string; reason: string; closedAt: string };
}

export interface InitiativeLogView {
  activities: Activity[];
  risks: Risk[];
  lessons: Lesson[];
}

export interface InitiativeLogState {
  views: Record<string, InitiativeLogView>;
}

const without = <T extends object, K extends keyof T>(value: T, ...keys: K[]): Omit<T, K> => {
  const copy = { ...value };
  for (const key of keys) delete copy[key];
  return copy;
};

export const initiativeLog = defineProjection<InitiativeLogState>({
  name: 'initiative-log',
  version: 1,
  init: () => ({ views: {} }),
  ...viewsByInitiative,

  apply(state, event: ProjectedEvent) {
    const view = (initiativeId: string) => (state.views[initiativeId] ??= { activities: [], risks: [], lessons: [] });
    const at = event.metadata.recordedAt;
    switch (event.type) {
      case 'ActivityLogged': {
        const d = event.data as EventData<'ActivityLogged'>;
        view(d.initiativeId).activities.push({ ...without(d, 'initiativeId'), recordedAt: at });
        break;
      }
      case 'LessonRecorded': {
        const d = event.data as EventData<'LessonRecorded'>;
        view(d.initiativeId).lessons.push({ ...without(d, 'initiativeId'), recordedAt: at });
        break;
      }
      case 'RiskRaised': {
        const d = event.data as EventData<'RiskRaised'>;
        view(d.initiativeId).risks.push({ ...without(d, 'initiativeId'), status: 'open', raisedAt: at, reviews: [] });
        break;
      }
      case 'RiskReviewed': {
        const d = event.data as EventData<'RiskReviewed'>;
        const risk = view(d.initiativeId).risks.find((r) => r.riskId === d.riskId);
        if (!risk) break;
        risk.reviews.push({ ...without(d, 'initiativeId', 'riskId'), reviewedAt: at });
        risk.likelihood = d.likelihood;
        risk.impact = d.impact;
        if (d.ownerPartnerId) risk.ownerPartnerId = d.ownerPartnerId;
        if (d.mitigation) risk.mitigation = d.mitigation;
        break;
      }
      case 'RiskClosed': {
        const d = event.data as EventData<'RiskClosed'>;
        const risk = view(d.initiativeId).risks.find((r) => r.riskId === d.riskId);
        if (!risk) break;
        risk.status = 'closed';
        risk.closure = { resolution: d.resolution, reason: d.reason, closedAt: at };
        break;
      }
    }
    return state;
  },
});

/**
 * `GET /activities/:id`, `/risks/:id`, `/lessons/:id`: one entry of the log as the initiative's list shows it,
 * with its id as `id` (the list's `activityId`, `riskId`, `lessonId`); `undefined` if the log does not hold it.
 * A risk comes as it now stands, with every review and its closure.
 */
export const activityQuery = (view: InitiativeLogView, activityId: string) => {
  const entry = view.activities.find((a) => a.activityId === activityId);
  if (!entry) return undefined;
  const { activityId: id, ...activity } = structuredClone(entry);
  return { id, ...activity };
};

export const riskQuery = (view: InitiativeLogView, riskId: string) => {
  const entry = view.risks.find((r) => r.riskId === riskId);
  if (!entry) return undefined;
  const { riskId: id, ...risk } = structuredClone(entry);
  return { id, ...risk };
};

export const lessonQuery = (view: InitiativeLogView, lessonId: string) => {
  const entry = view.lessons.find((l) => l.lessonId === lessonId);
  if (!entry) return undefined;
  const { lessonId: id, ...lesson } = structuredClone(entry);
  return { id, ...lesson };
};

import type { EventData } from '../src/events/catalog.js';
import { defineProjection, viewsByInitiative, type ProjectedEvent } from './projection.js';

/**
 * common-agenda (design §5): per initiative, its problem, partners by sector, goals with their strategies and
 * indicators (targets with every revision that stood), the RACI matrix and the alignment table (partner →
 * primary interests → goals it commits to).
 */
export interface TargetEntry {
  periodEnd: string;
  value?: number;
  narrative?: string;
  /** Why it changed; absent for targets set when the indicator was defined. */
  reason?: string;
  seq: number;
  recordedAt: string;
}

export interface AgendaView {
  initiative: { id: string; name: string; problemStatement: string; geography?: string; launchedAt: string };
  partners: Record<string, { name: string; sector: string; primaryInterests: string[]; isBackbone: boolean; status: 'active' | 'left'; joinedAt: string; leftAt?: string }>;
  /** Adoption order (the view lists goals as they were adopted). */
  goalOrder: string[];
  goals: Record<string, { title: string; description?: string; strategyIds: string[]; indicatorIds: string[]; revisions: number }>;
  strategies: Record<string, { goalId: string; title: string; description?: string; raci: Record<string, 'R' | 'A' | 'C' | 'I'> }>;
  indicators: Record<string, { goalId: string; name: string; measure: string; unit: string; direction: string; cumulative: boolean; frequency: string; targets: TargetEntry[]; targetHistory: TargetEntry[] }>;
  /** partner → goals it has made commitments toward (directly or through a strategy), in first-commitment order. */
  alignment: Record<string, string[]>;
}

export interface AgendaState {
  views: Record<string, AgendaView>;
  /** Where the events that do not name their initiative belong (indicator and commitment ids). */
  owners: Record<string, string>;
}

const pushUnique = (list: string[], item: string) => {
  if (!list.includes(item)) list.push(item);
};

const at = (e: ProjectedEvent) => e.metadata.recordedAt;

export const commonAgenda = defineProjection<AgendaState>({
  name: 'common-agenda',
  version: 1,
  init: () => ({ views: {}, owners: {} }),
  ...viewsByInitiative,

  apply(state, event) {
    const view = (id: string | undefined) => (id === undefined ? undefined : state.views[id]);
    switch (event.type) {
      case 'InitiativeLaunched': {
        const d = event.data as EventData<'InitiativeLaunched'>;
        state.views[d.initiativeId] = {
          initiative: { id: d.initiativeId, name: d.name, problemStatement: d.problemStatement, ...(d.geography ? { geography: d.geography } : {}), launchedAt: at(event) },
          partners: {},
          goalOrder: [],
          goals: {},
          strategies: {},
          indicators: {},
          alignment: {},
        };
        break;
      }
      case 'PartnerJoined': {
        const d = event.data as EventData<'PartnerJoined'>;
        const v = view(d.initiativeId);
        if (v) v.partners[d.partnerId] = { name: d.name, sector: d.sector, primaryInterests: [...d.primaryInterests], isBackbone: d.isBackbone, status: 'active', joinedAt: at(event) };
        break;
      }
      case 'PartnerLeft': {
        const d = event.data as EventData<'PartnerLeft'>;
        const partner = view(d.initiativeId)?.partners[d.partnerId];
        if (partner) Object.assign(partner, { status: 'left', leftAt: at(event) });
        break;
      }
      case 'GoalAdopted': {
        const d = event.data as EventData<'GoalAdopted'>;
        const v = view(d.initiativeId);
        if (!v) break;
        v.goals[d.goalId] = { title: d.title, ...(d.description ? { description: d.description } : {}), strategyIds: [], indicatorIds: [], revisions: 0 };
        v.goalOrder.push(d.goalId);
        break;
      }
      case 'GoalRevised': {
        const d = event.data as EventData<'GoalRevised'>;
        const goal = view(d.initiativeId)?.goals[d.goalId];
        if (!goal) break;
        if (d.title !== undefined) goal.title = d.title;
        if (d.description !== undefined) goal.description = d.description;
        goal.revisions += 1;
        break;
      }
      case 'StrategyAdopted': {
        const d = event.data as EventData<'StrategyAdopted'>;
        const v = view(d.initiativeId);
        if (!v) break;
        v.strategies[d.strategyId] = { goalId: d.goalId, title: d.title, ...(d.description ? { description: d.description } : {}), raci: {} };
        v.goals[d.goalId]?.strategyIds.push(d.strategyId);
        break;
      }
      case 'ResponsibilityAssigned': {
        const d = event.data as EventData<'ResponsibilityAssigned'>;
        const strategy = view(d.initiativeId)?.strategies[d.strategyId];
        if (strategy) strategy.raci[d.partnerId] = d.role;
        break;
      }
      case 'IndicatorDefined': {
        const d = event.data as EventData<'IndicatorDefined'>;
        const v = view(d.initiativeId);
        if (!v) break;
        state.owners[d.indicatorId] = d.initiativeId;
        const targets = d.targets.map((t): TargetEntry => ({ ...t, seq: event.seq, recordedAt: at(event) }));
        v.indicators[d.indicatorId] = {
          goalId: d.goalId,
          name: d.name,
          measure: d.measure,
          unit: d.unit,
          direction: d.direction,
          cumulative: d.cumulative,
          frequency: d.frequency,
          targets: targets.map((t) => ({ ...t })),
          targetHistory: targets,
        };
        v.goals[d.goalId]?.indicatorIds.push(d.indicatorId);
        break;
      }
      case 'IndicatorTargetRevised': {
        const d = event.data as EventData<'IndicatorTargetRevised'>;
        const indicator = view(d.initiativeId)?.indicators[d.indicatorId];
        if (!indicator) break;
        const entry: TargetEntry = {
          periodEnd: d.periodEnd,
          ...(d.value !== undefined ? { value: d.value } : {}),
          ...(d.narrative !== undefined ? { narrative: d.narrative } : {}),
          reason: d.reason,
          seq: event.seq,
          recordedAt: at(event),
        };
        indicator.targetHistory.push(entry);
        indicator.targets = [...indicator.targets.filter((t) => t.periodEnd !== d.periodEnd), { ...entry }].sort((a, b) => a.periodEnd.localeCompare(b.periodEnd));
        break;
      }
      case 'CommitmentMade': {
        const d = event.data as EventData<'CommitmentMade'>;
        const v = view(d.initiativeId);
        if (!v) break;
        const goalId = d.goalId ?? (d.strategyId ? v.strategies[d.strategyId]?.goalId : undefined);
        if (goalId) pushUnique((v.alignment[d.partnerId] ??= []), goalId);
        break;
      }
    }
    return state;
  },
});

/** The API shape of the agenda: lists in adoption order, partners grouped by sector. */
export const agendaQuery = (view: AgendaView) => {
  const partners = Object.entries(view.partners).map(([id, p]) => ({ id, ...p }));
  const bySector: Record<string, string[]> = {};
  for (const p of partners) (bySector[p.sector] ??= []).push(p.id);
  return {
    initiative: view.initiative,
    partners,
    partnersBySector: bySector,
    goals: view.goalOrder.map((goalId) => {
      const goal = view.goals[goalId]!;
      return {
        id: goalId,
        title: goal.title,
        ...(goal.description ? { description: goal.description } : {}),
        strategies: goal.strategyIds.map((id) => ({ id, ...view.strategies[id]! })),
        indicators: goal.indicatorIds.map((id) => ({ id, ...view.indicators[id]! })),
      };
    }),
    raci: Object.entries(view.strategies).flatMap(([strategyId, s]) => Object.entries(s.raci).map(([partnerId, role]) => ({ strategyId, partnerId, role }))),
    alignment: partners.map((p) => ({ partnerId: p.id, primaryInterests: p.primaryInterests, goalIds: view.alignment[p.id] ?? [] })),
  };
};

/**
 * `GET /partners/:id`: one partner as the agenda lists it, with its row of the alignment table (the goals it has
 * committed toward) and its RACI roles (strategy by strategy, in adoption order); `undefined` if unknown.
 */
export const partnerQuery = (view: AgendaView, partnerId: string) => {
  const partner = view.partners[partnerId];
  if (!partner) return undefined;
  return {
    id: partnerId,
    ...partner,
    primaryInterests: [...partner.primaryInterests],
    goalIds: [...(view.alignment[partnerId] ?? [])],
    responsibilities: Object.entries(view.strategies).flatMap(([strategyId, s]) => {
      const role = s.raci[partnerId];
      return role === undefined ? [] : [{ strategyId, role }];
    }),
  };
};

/**
 * `GET /goals/:id`: one goal — title, description, how often it was revised — and the ids of its strategies and
 * indicators (each readable by id), in adoption and definition order; `undefined` if unknown.
 */
export const goalQuery = (view: AgendaView, goalId: string) => {
  const goal = view.goals[goalId];
  if (!goal) return undefined;
  return {
    id: goalId,
    title: goal.title,
    ...(goal.description !== undefined ? { description: goal.description } : {}),
    revisions: goal.revisions,
    strategyIds: [...goal.strategyIds],
    indicatorIds: [...goal.indicatorIds],
  };
};

/**
 * `GET /strategies/:id`: one strategy as the agenda lists it under its goal, with its RACI responsibilities
 * (partner → role, in the order they were first assigned); `undefined` if unknown.
 */
export const strategyQuery = (view: AgendaView, strategyId: string) => {
  const strategy = view.strategies[strategyId];
  if (!strategy) return undefined;
  return { id: strategyId, ...strategy, raci: { ...strategy.raci } };
};

import type { RaciRole } from '../../events/common.js';
import type { PartnerStatus } from '../context.js';
import type { PendingEvent } from '../decider.js';

export interface PartnerEntry {
  name: string;
  status: PartnerStatus;
  isBackbone: boolean;
}

/** What the initiative's rules need to remember; activities and lessons are not referenced, so not kept. */
export interface InitiativeState {
  launched: boolean;
  initiativeId?: string;
  name?: string;
  partners: ReadonlyMap<string, PartnerEntry>;
  goalIds: ReadonlySet<string>;
  /** strategyId → the goal it serves. */
  strategies: ReadonlyMap<string, string>;
  /** RACI cells: strategyId → partnerId → role. A cell holds one letter; the latest assignment stands. */
  raci: ReadonlyMap<string, ReadonlyMap<string, RaciRole>>;
}

export const initialState = (): InitiativeState => ({
  launched: false,
  partners: new Map(),
  goalIds: new Set(),
  strategies: new Map(),
  raci: new Map(),
});

const withEntry = <K, V>(map: ReadonlyMap<K, V>, key: K, value: V): ReadonlyMap<K, V> => new Map(map).set(key, value);

export const evolve = (state: InitiativeState, event: PendingEvent): InitiativeState => {
  switch (event.type) {
    case 'InitiativeLaunched':
      return { ...state, launched: true, initiativeId: event.data.initiativeId, name: event.data.name };
    case 'PartnerJoined': {
      const { partnerId, name, isBackbone } = event.data;
      return { ...state, partners: withEntry(state.partners, partnerId, { name, isBackbone, status: 'active' }) };
    }
    case 'PartnerLeft': {
      const partner = state.partners.get(event.data.partnerId);
      if (!partner) return state;
      return { ...state, partners: withEntry(state.partners, event.data.partnerId, { ...partner, status: 'left' }) };
    }
    case 'GoalAdopted':
      return { ...state, goalIds: new Set(state.goalIds).add(event.data.goalId) };
    case 'StrategyAdopted':
      return { ...state, strategies: withEntry(state.strategies, event.data.strategyId, event.data.goalId) };
    case 'ResponsibilityAssigned': {
      const { strategyId, partnerId, role } = event.data;
      const cells = withEntry(state.raci.get(strategyId) ?? new Map<string, RaciRole>(), partnerId, role);
      return { ...state, raci: withEntry(state.raci, strategyId, cells) };
    }
    default:
      return state;
  }
};

import type { EventData } from '../src/events/catalog.js';
import { addDecimal, percentOf, toUnits } from './decimal.js';
import { defineProjection, viewsByInitiative, type ProjectedEvent } from './projection.js';

/**
 * resource-ledger (design §5): commitments against contributions per partner, per sector and per goal;
 * fulfilment %, overdue commitments, staff hours and in-kind value beside money. Different currencies are
 * never summed together: every money figure is keyed by currency.
 */
type Money = { amount: string; currency: string };

export interface CommitmentEntry {
  id: string;
  partnerId: string;
  goalId?: string;
  strategyId?: string;
  kind: 'funding' | 'staff_time' | 'in_kind' | 'data' | 'other';
  money?: Money;
  hours?: number;
  description?: string;
  estimatedValue?: Money;
  dueDate: string;
  status: 'active' | 'withdrawn';
  revisions: number;
  contributionIds: string[];
}

export interface ContributionEntry {
  id: string;
  partnerId: string;
  commitmentId?: string;
  money?: Money;
  hours?: number;
  description?: string;
  estimatedValue?: Money;
  date: string;
  evidence?: { url: string; sha256: string };
  reversed: boolean;
  recordedAt: string;
}

export interface LedgerView {
  partners: Record<string, { sector: string; name: string }>;
  strategyGoals: Record<string, string>;
  commitmentOrder: string[];
  commitments: Record<string, CommitmentEntry>;
  contributionOrder: string[];
  contributions: Record<string, ContributionEntry>;
}

export interface LedgerState {
  views: Record<string, LedgerView>;
  /** commitment or contribution id → initiative, for events that do not name their initiative. */
  owners: Record<string, string>;
}

const optional = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : ({ [key]: value } as { [P in K]: V }));

export const resourceLedger = defineProjection<LedgerState>({
  name: 'resource-ledger',
  version: 1,
  init: () => ({ views: {}, owners: {} }),
  ...viewsByInitiative,

  apply(state, event: ProjectedEvent) {
    const view = (initiativeId: string) =>
      (state.views[initiativeId] ??= { partners: {}, strategyGoals: {}, commitmentOrder: [], commitments: {}, contributionOrder: [], contributions: {} });
    const owned = (id: string | undefined) => (id === undefined || state.owners[id] === undefined ? undefined : state.views[state.owners[id]]);
    switch (event.type) {
      case 'PartnerJoined': {
        const d = event.data as EventData<'PartnerJoined'>;
        view(d.initiativeId).partners[d.partnerId] = { sector: d.sector, name: d.name };
        break;
      }
      case 'StrategyAdopted': {
        const d = event.data as EventData<'StrategyAdopted'>;
        view(d.initiativeId).strategyGoals[d.strategyId] = d.goalId;
        break;
      }
      case 'CommitmentMade': {
        const d = event.data as EventData<'CommitmentMade'>;
        const v = view(d.initiativeId);
        state.owners[d.commitmentId] = d.initiativeId;
        v.commitments[d.commitmentId] = {
          id: d.commitmentId,
          partnerId: d.partnerId,
          ...optional('goalId', d.goalId),
          ...optional('strategyId', d.strategyId),
          kind: d.kind,
          ...optional('money', d.money && { ...d.money }),
          ...optional('hours', d.hours),
          ...optional('description', d.description),
          ...optional('estimatedValue', d.estimatedValue && { ...d.estimatedValue }),
          dueDate: d.dueDate,
          status: 'active',
          revisions: 0,
          contributionIds: [],
        };
        v.commitmentOrder.push(d.commitmentId);
        break;
      }
      case 'CommitmentRevised': {
        const d = event.data as EventData<'CommitmentRevised'>;
        const commitment = owned(d.commitmentId)?.commitments[d.commitmentId];
        if (!commitment) break;
        if (d.money) commitment.money = { ...d.money };
        if (d.hours !== undefined) commitment.hours = d.hours;
        if (d.description !== undefined) commitment.description = d.description;
        if (d.estimatedValue) commitment.estimatedValue = { ...d.estimatedValue };
        if (d.dueDate !== undefined) commitment.dueDate = d.dueDate;
        commitment.revisions += 1;
        break;
      }
      case 'CommitmentWithdrawn': {
        const d = event.data as EventData<'CommitmentWithdrawn'>;
        const commitment = owned(d.commitmentId)?.commitments[d.commitmentId];
        if (commitment) commitment.status = 'withdrawn';
        break;
      }
      case 'ContributionRecorded': {
        const d = event.data as EventData<'ContributionRecorded'>;
        const v = view(d.initiativeId);
        state.owners[d.contributionId] = d.initiativeId;
        v.contributions[d.contributionId] = {
          id: d.contributionId,
          partnerId: d.partnerId,
          ...optional('commitmentId', d.commitmentId),
          ...optional('money', d.money && { ...d.money }),
          ...optional('hours', d.hours),
          ...optional('description', d.description),
          ...optional('estimatedValue', d.estimatedValue && { ...d.estimatedValue }),
          date: d.date,
          ...optional('evidence', d.evidence && { ...d.evidence }),
          reversed: false,
          recordedAt: event.metadata.recordedAt,
        };
        v.contributionOrder.push(d.contributionId);
        if (d.commitmentId) v.commitments[d.commitmentId]?.contributionIds.push(d.contributionId);
        break;
      }
      case 'ContributionReversed': {
        const d = event.data as EventData<'ContributionReversed'>;
        const contribution = owned(d.contributionId)?.contributions[d.contributionId];
        if (contribution) contribution.reversed = true;
        break;
      }
    }
    return state;
  },
});

/** Money per currency, hours, and in-kind estimated value per currency: never summed across currencies. */
export interface Totals {
  money: Record<string, string>;
  hours: number;
  estimatedValue: Record<string, string>;
}

const emptyTotals = (): Totals => ({ money: {}, hours: 0, estimatedValue: {} });
const addTo = (totals: Totals, item: { money?: Money; hours?: number; estimatedValue?: Money }) => {
  if (item.money) totals.money[item.money.currency] = addDecimal(totals.money[item.money.currency] ?? '0', item.money.amount);
  if (item.hours !== undefined) totals.hours += item.hours;
  if (item.estimatedValue) {
    const { currency, amount } = item.estimatedValue;
    totals.estimatedValue[currency] = addDecimal(totals.estimatedValue[currency] ?? '0', amount);
  }
};

/** Fulfilment of one commitment: delivered against pledged, in the commitment's own terms, cut (not rounded) to 0.1 %. */
const fulfilment = (commitment: CommitmentEntry, delivered: Totals): number | null => {
  if (commitment.money) return percentOf(delivered.money[commitment.money.currency] ?? '0', commitment.money.amount);
  if (commitment.hours !== undefined) return commitment.hours === 0 ? null : Math.floor((delivered.hours / commitment.hours) * 1000 + 1e-9) / 10;
  if (commitment.estimatedValue) return percentOf(delivered.estimatedValue[commitment.estimatedValue.currency] ?? '0', commitment.estimatedValue.amount);
  return null;
};

/**
 * Whether a commitment is delivered in full, judged on the exact amounts (a percent shown as 100 may be 99.96 %):
 * money or estimated value in its currency, hours (within float rounding of their sum); a commitment with no
 * measure (data, other, in kind without a value) once anything was delivered for it.
 */
const deliveredInFull = (commitment: CommitmentEntry, delivered: Totals, contributions: number): boolean => {
  const atLeast = (have: string | undefined, pledged: string) => toUnits(have ?? '0') >= toUnits(pledged);
  if (commitment.money) return atLeast(delivered.money[commitment.money.currency], commitment.money.amount);
  if (commitment.hours !== undefined) return delivered.hours >= commitment.hours * (1 - 1e-12);
  if (commitment.estimatedValue) return atLeast(delivered.estimatedValue[commitment.estimatedValue.currency], commitment.estimatedValue.amount);
  return contributions > 0;
};

/** A commitment as the ledger shows it on `asOfDate`: what was delivered (its live contributions), fulfilment, overdue. */
const standing = (commitment: CommitmentEntry, live: readonly ContributionEntry[], asOfDate: string) => {
  const delivered = emptyTotals();
  for (const c of live) addTo(delivered, c);
  const overdue = commitment.status === 'active' && commitment.dueDate < asOfDate && !deliveredInFull(commitment, delivered, live.length);
  return { ...commitment, delivered, fulfilmentPercent: fulfilment(commitment, delivered), overdue };
};

/**
 * The ledger as of a date (`asOfDate`, `YYYY-MM-DD`, from the view's `asOf` point — never the wall clock, so
 * history stays reproducible): per commitment its delivery, fulfilment and whether it is overdue; totals per
 * partner, sector and goal, committed beside contributed.
 */
export const ledgerQuery = (view: LedgerView, asOfDate: string) => {
  const live = view.contributionOrder.map((id) => view.contributions[id]!).filter((c) => !c.reversed);
  const liveFor = new Map<string, ContributionEntry[]>();
  for (const c of live) if (c.commitmentId) (liveFor.get(c.commitmentId) ?? liveFor.set(c.commitmentId, []).get(c.commitmentId)!).push(c);
  const commitments = view.commitmentOrder.map((id) => standing(view.commitments[id]!, liveFor.get(id) ?? [], asOfDate));
  const groups = { byPartner: {} as Record<string, { committed: Totals; contributed: Totals }>, bySector: {} as Record<string, { committed: Totals; contributed: Totals }>, byGoal: {} as Record<string, { committed: Totals; contributed: Totals }> };
  const bucket = (group: Record<string, { committed: Totals; contributed: Totals }>, key: string) => (group[key] ??= { committed: emptyTotals(), contributed: emptyTotals() });
  const goalOf = (c: { goalId?: string; strategyId?: string }) => c.goalId ?? (c.strategyId ? view.strategyGoals[c.strategyId] : undefined);
  for (const c of commitments) {
    if (c.status === 'withdrawn') continue;
    addTo(bucket(groups.byPartner, c.partnerId).committed, c);
    addTo(bucket(groups.bySector, view.partners[c.partnerId]?.sector ?? 'unknown').committed, c);
    const goal = goalOf(c);
    if (goal) addTo(bucket(groups.byGoal, goal).committed, c);
  }
  for (const c of live) {
    addTo(bucket(groups.byPartner, c.partnerId).contributed, c);
    addTo(bucket(groups.bySector, view.partners[c.partnerId]?.sector ?? 'unknown').contributed, c);
    const commitment = c.commitmentId ? view.commitments[c.commitmentId] : undefined;
    const goal = commitment ? goalOf(commitment) : undefined;
    if (goal) addTo(bucket(groups.byGoal, goal).contributed, c);
  }
  return {
    commitments,
    contributions: view.contributionOrder.map((id) => view.contributions[id]!),
    overdue: commitments.filter((c) => c.overdue).map((c) => c.id),
    ...groups,
  };
};

/**
 * `GET /commitments/:id`: one commitment as the ledger shows it on `asOfDate` (its delivery, fulfilment and
 * whether it is overdue), with its contributions (reversed ones included, marked); `undefined` if unknown.
 */
export const commitmentQuery = (view: LedgerView, commitmentId: string, asOfDate: string) => {
  const commitment = view.commitments[commitmentId];
  if (!commitment) return undefined;
  const contributions = commitment.contributionIds.map((id) => view.contributions[id]).filter((c): c is ContributionEntry => c !== undefined);
  return { ...standing(commitment, contributions.filter((c) => !c.reversed), asOfDate), contributions };
};

/**
 * `GET /contributions/:id`: one contribution as the ledger lists it (reversed ones included, marked);
 * `undefined` if unknown.
 */
export const contributionQuery = (view: LedgerView, contributionId: string) => {
  const contribution = view.contributions[contributionId];
  return contribution === undefined ? undefined : structuredClone(contribution);
};

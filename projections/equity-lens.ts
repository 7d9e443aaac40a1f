import type { EventData } from '../src/events/catalog.js';
import { addDecimal, toUnits } from './decimal.js';
import { defineProjection, viewsByInitiative, type ProjectedEvent } from './projection.js';

/**
 * equity-lens (design §5): per sector, its share of the resources contributed beside its share of the votes
 * cast and of the decisions proposed, and how the community sector takes part — so power imbalances show.
 * Contributions are compared per currency and in hours, never converted.
 */
export interface SectorTally {
  partners: number;
  activePartners: number;
  /** Contributed money per currency (reversals removed). */
  money: Record<string, string>;
  hours: number;
  /** Votes that count (latest per partner per decision). */
  votes: number;
  proposals: number;
  /** Activities a partner of the sector took part in, and RACI cells it holds. */
  activityParticipations: number;
  raciRoles: number;
}

export interface EquityView {
  partners: Record<string, { sector: string; status: 'active' | 'left' }>;
  /** contribution id → what it added, so a reversal can take it back exactly. */
  contributions: Record<string, { sector: string; money?: { amount: string; currency: string }; hours?: number; reversed: boolean }>;
  /** decision → partner → its counting vote's sector. */
  votes: Record<string, Record<string, string>>;
  /**
   * Decisions put forward (proposed for a vote, or recorded as taken in a meeting) by sector: of the event's
   * `proposingPartnerId` partner, else of the key's partner; `unattributed` when neither names a partner of the initiative.
   */
  proposals: Record<string, number>;
  activityParticipations: Record<string, number>;
  /** strategy → partner → sector of the RACI cell holder. */
  raci: Record<string, Record<string, string>>;
}

export interface EquityState {
  views: Record<string, EquityView>;
  owners: Record<string, string>;
}

/** An initiative's lens before anything was recorded for it. */
export const emptyEquityView = (): EquityView => ({ partners: {}, contributions: {}, votes: {}, proposals: {}, activityParticipations: {}, raci: {} });

const SECTORS = ['government', 'business', 'nonprofit', 'academia', 'philanthropy', 'community'] as const;

export const equityLens = defineProjection<EquityState>({
  name: 'equity-lens',
  /** 2: proposals are credited to `proposingPartnerId`, and decisions recorded from meetings count as proposals. */
  version: 2,
  init: () => ({ views: {}, owners: {} }),
  ...viewsByInitiative,

  apply(state, event: ProjectedEvent) {
    const view = (initiativeId: string) =>
      (state.views[initiativeId] ??= emptyEquityView());
    const owned = (id: string) => (state.owners[id] === undefined ? undefined : state.views[state.owners[id]]);
    const sectorOf = (v: EquityView, partnerId: string | undefined) => (partnerId ? v.partners[partnerId]?.sector : undefined);
    switch (event.type) {
      case 'PartnerJoined': {
        const d = event.data as EventData<'PartnerJoined'>;
        view(d.initiativeId).partners[d.partnerId] = { sector: d.sector, status: 'active' };
        break;
      }
      case 'PartnerLeft': {
        const d = event.data as EventData<'PartnerLeft'>;
        const partner = view(d.initiativeId).partners[d.partnerId];
        if (partner) partner.status = 'left';
        break;
      }
      case 'ContributionRecorded': {
        const d = event.data as EventData<'ContributionRecorded'>;
        const v = view(d.initiativeId);
        state.owners[d.contributionId] = d.initiativeId;
        v.contributions[d.contributionId] = {
          sector: sectorOf(v, d.partnerId) ?? 'unknown',
          ...(d.money ? { money: { ...d.money } } : {}),
          ...(d.hours !== undefined ? { hours: d.hours } : {}),
          reversed: false,
        };
        break;
      }
      case 'ContributionReversed': {
        const d = event.data as EventData<'ContributionReversed'>;
        const contribution = owned(d.contributionId)?.contributions[d.contributionId];
        if (contribution) contribution.reversed = true;
        break;
      }
      case 'DecisionProposed':
      case 'DecisionRecorded': {
        // A decision enters the ledger once, proposed or recorded (its decider refuses a second).
        const d = event.data as EventData<'DecisionProposed'> | EventData<'DecisionRecorded'>;
        const v = view(d.initiativeId);
        state.owners[d.decisionId] = d.initiativeId;
        const sector = sectorOf(v, d.proposingPartnerId ?? event.metadata.actor.partnerId) ?? 'unattributed';
        v.proposals[sector] = (v.proposals[sector] ?? 0) + 1;
        break;
      }
      case 'VoteCast': {
        const d = event.data as EventData<'VoteCast'>;
        const v = owned(d.decisionId);
        const sector = v && sectorOf(v, d.partnerId);
        if (v && sector) (v.votes[d.decisionId] ??= {})[d.partnerId] = sector;
        break;
      }
      case 'ActivityLogged': {
        const d = event.data as EventData<'ActivityLogged'>;
        const v = view(d.initiativeId);
        for (const partnerId of d.partnerIds) {
          const sector = sectorOf(v, partnerId);
          if (sector) v.activityParticipations[sector] = (v.activityParticipations[sector] ?? 0) + 1;
        }
        break;
      }
      case 'ResponsibilityAssigned': {
        const d = event.data as EventData<'ResponsibilityAssigned'>;
        const v = view(d.initiativeId);
        const sector = sectorOf(v, d.partnerId);
        if (sector) (v.raci[d.strategyId] ??= {})[d.partnerId] = sector;
        break;
      }
    }
    return state;
  },
});

const share = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 1000) / 10);

/** Shares per sector (percent of the initiative's total, per currency for money) and community participation. */
export const equityQuery = (view: EquityView) => {
  const tallies: Record<string, SectorTally> = {};
  const tally = (sector: string) =>
    (tallies[sector] ??= { partners: 0, activePartners: 0, money: {}, hours: 0, votes: 0, proposals: 0, activityParticipations: 0, raciRoles: 0 });
  for (const sector of SECTORS) tally(sector);
  for (const p of Object.values(view.partners)) {
    tally(p.sector).partners += 1;
    if (p.status === 'active') tally(p.sector).activePartners += 1;
  }
  const moneyTotals: Record<string, string> = {};
  let hoursTotal = 0;
  for (const c of Object.values(view.contributions)) {
    if (c.reversed) continue;
    const t = tally(c.sector);
    if (c.money) {
      t.money[c.money.currency] = addDecimal(t.money[c.money.currency] ?? '0', c.money.amount);
      moneyTotals[c.money.currency] = addDecimal(moneyTotals[c.money.currency] ?? '0', c.money.amount);
    }
    if (c.hours !== undefined) {
      t.hours += c.hours;
      hoursTotal += c.hours;
    }
  }
  let votesTotal = 0;
  for (const byPartner of Object.values(view.votes)) {
    for (const sector of Object.values(byPartner)) {
      tally(sector).votes += 1;
      votesTotal += 1;
    }
  }
  let proposalsTotal = 0;
  for (const [sector, n] of Object.entries(view.proposals)) {
    tally(sector).proposals += n;
    proposalsTotal += n;
  }
  for (const [sector, n] of Object.entries(view.activityParticipations)) tally(sector).activityParticipations += n;
  for (const cells of Object.values(view.raci)) for (const sector of Object.values(cells)) tally(sector).raciRoles += 1;

  const sectors = Object.entries(tallies).map(([sector, t]) => ({
    sector,
    ...t,
    shareOfMoney: Object.fromEntries(
      Object.entries(moneyTotals).map(([currency, total]) => [currency, share(Number(toUnits(t.money[currency] ?? '0')), Number(toUnits(total)))]),
    ),
    shareOfHours: share(t.hours, hoursTotal),
    shareOfVotes: share(t.votes, votesTotal),
    shareOfProposals: share(t.proposals, proposalsTotal),
  }));
  const community = sectors.find((s) => s.sector === 'community')!;
  return {
    sectors,
    community: {
      activePartners: community.activePartners,
      shareOfVotes: community.shareOfVotes,
      shareOfProposals: community.shareOfProposals,
      activityParticipations: community.activityParticipations,
      raciRoles: community.raciRoles,
    },
  };
};

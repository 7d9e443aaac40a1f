import type { EventData } from '../src/events/catalog.js';
import { defineProjection, viewsByInitiative, type ProjectedEvent } from './projection.js';

/**
 * decisions-register (design §5): every proposal with its votes (who voted how, the latest vote counting and
 * every earlier one kept), and its outcome; decisions taken in meetings beside them.
 */
export interface VoteEntry {
  partnerId: string;
  option: string;
  comment?: string;
  castAt: string;
  seq: number;
}

export interface DecisionEntry {
  id: string;
  title: string;
  description?: string;
  options: string[];
  /** `recorded`: taken in a meeting, recorded after the fact. */
  status: 'open' | 'closed' | 'recorded';
  rule?: 'majority' | 'two_thirds' | 'consensus';
  quorum?: number;
  closesAt?: string;
  proposedAt: string;
  /** The key that proposed (or recorded) it. */
  proposedBy: { keyId: string; role: string; partnerId?: string };
  /** The partner that put it forward, when named (the event's `proposingPartnerId`; the key above recorded it for them). */
  proposingPartnerId?: string;
  /** The vote that counts, per partner. */
  votes: Record<string, VoteEntry>;
  /** Every vote cast, in order (a changed vote stays visible). */
  voteHistory: VoteEntry[];
  outcome?: 'adopted' | 'rejected' | 'no_quorum';
  winningOption?: string;
  tally?: Record<string, number>;
  votesCast?: number;
  eligibleVoters?: number;
  closedAt?: string;
  takenAt?: string;
}

export interface DecisionsState {
  /** initiative → its decisions in proposal order. */
  views: Record<string, { order: string[]; decisions: Record<string, DecisionEntry> }>;
  /** decision → initiative, for events that do not name their initiative. */
  owners: Record<string, string>;
}

const actorOf = (event: ProjectedEvent) => {
  const { keyId, role, partnerId } = event.metadata.actor;
  return { keyId, role, ...(partnerId ? { partnerId } : {}) };
};

export const decisionsRegister = defineProjection<DecisionsState>({
  name: 'decisions-register',
  /** 2: an entry names the partner that put it forward (`proposingPartnerId`). */
  version: 2,
  init: () => ({ views: {}, owners: {} }),
  ...viewsByInitiative,

  apply(state, event) {
    const decision = (decisionId: string) => {
      const initiativeId = state.owners[decisionId];
      return initiativeId === undefined ? undefined : state.views[initiativeId]?.decisions[decisionId];
    };
    const add = (initiativeId: string, entry: DecisionEntry) => {
      const view = (state.views[initiativeId] ??= { order: [], decisions: {} });
      view.decisions[entry.id] = entry;
      view.order.push(entry.id);
      state.owners[entry.id] = initiativeId;
    };
    switch (event.type) {
      case 'DecisionProposed': {
        const d = event.data as EventData<'DecisionProposed'>;
        add(d.initiativeId, {
          id: d.decisionId,
          title: d.title,
          ...(d.description ? { description: d.description } : {}),
          options: [...d.options],
          status: 'open',
          rule: d.rule,
          quorum: d.quorum,
          ...(d.closesAt ? { closesAt: d.closesAt } : {}),
          proposedAt: event.metadata.recordedAt,
          proposedBy: actorOf(event),
          ...(d.proposingPartnerId ? { proposingPartnerId: d.proposingPartnerId } : {}),
          votes: {},
          voteHistory: [],
        });
        break;
      }
      case 'VoteCast': {
        const d = event.data as EventData<'VoteCast'>;
        const entry = decision(d.decisionId);
        if (!entry) break;
        const vote: VoteEntry = { partnerId: d.partnerId, option: d.option, ...(d.comment ? { comment: d.comment } : {}), castAt: event.metadata.recordedAt, seq: event.seq };
        entry.votes[d.partnerId] = vote;
        entry.voteHistory.push({ ...vote });
        break;
      }
      case 'DecisionClosed': {
        const d = event.data as EventData<'DecisionClosed'>;
        const entry = decision(d.decisionId);
        if (!entry) break;
        Object.assign(entry, {
          status: 'closed',
          outcome: d.outcome,
          ...(d.winningOption !== undefined ? { winningOption: d.winningOption } : {}),
          tally: { ...d.tally },
          votesCast: d.votesCast,
          eligibleVoters: d.eligibleVoters,
          closedAt: event.metadata.recordedAt,
        });
        break;
      }
      case 'DecisionRecorded': {
        const d = event.data as EventData<'DecisionRecorded'>;
        add(d.initiativeId, {
          id: d.decisionId,
          title: d.title,
          ...(d.description ? { description: d.description } : {}),
          options: [...d.options],
          status: 'recorded',
          proposedAt: event.metadata.recordedAt,
          proposedBy: actorOf(event),
          ...(d.proposingPartnerId ? { proposingPartnerId: d.proposingPartnerId } : {}),
          votes: {},
          voteHistory: [],
          outcome: d.outcome,
          ...(d.chosenOption !== undefined ? { winningOption: d.chosenOption } : {}),
          takenAt: d.takenAt,
        });
        break;
      }
    }
    return state;
  },
});

/** The register as the API lists it: decisions in proposal order, votes as a list. */
export const decisionsQuery = (view: DecisionsState['views'][string]) =>
  view.order.map((id) => {
    const { votes, ...entry } = view.decisions[id]!;
    return { ...entry, votes: Object.values(votes) };
  });

/** `GET /decisions/:id`: one decision as the register lists it (votes as a list); `undefined` if unknown. */
export const decisionQuery = (view: DecisionsState['views'][string], decisionId: string) => {
  const decision = view.decisions[decisionId];
  if (!decision) return undefined;
  const { votes, ...entry } = decision;
  return { ...entry, votes: Object.values(votes) };
};

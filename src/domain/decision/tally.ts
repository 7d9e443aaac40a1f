import type { DecisionOutcome, DecisionRule } from '../../events/governance.js';

export interface Ballot {
  options: readonly string[];
  rule: DecisionRule;
  quorum: number;
}

export interface Result {
  outcome: DecisionOutcome;
  winningOption?: string;
  tally: Record<string, number>;
  votesCast: number;
  eligibleVoters: number;
}

/** Whether the leading option carries the vote under the rule (all counts are of votes cast). */
const carries = (rule: DecisionRule, leading: number, votesCast: number): boolean => {
  switch (rule) {
    case 'majority':
      return 2 * leading > votesCast;
    case 'two_thirds':
      return 3 * leading >= 2 * votesCast;
    case 'consensus':
      return leading === votesCast;
  }
};

/**
 * The outcome of a closed vote. `votes` holds the option of each counted voter (one per eligible partner, its
 * latest vote). Quorum is the fraction of eligible voters who voted (no eligible voter: no quorum). Then:
 * majority = more than half of the votes cast, two_thirds = at least two thirds, consensus = every vote for
 * one option; anything else, a tie for first place included, is `rejected`.
 */
export const tallyVotes = (ballot: Ballot, votes: readonly string[], eligibleVoters: number): Result => {
  const counts = new Map<string, number>(ballot.options.map((option) => [option, 0]));
  for (const option of votes) counts.set(option, (counts.get(option) ?? 0) + 1);
  const tally = Object.fromEntries(counts);
  const votesCast = votes.length;
  const base = { tally, votesCast, eligibleVoters };
  // Division, not `quorum * eligible`: 11/20 and 0.55 are the same double, 0.55 * 20 is not 11.
  if (eligibleVoters === 0 || votesCast === 0 || votesCast / eligibleVoters < ballot.quorum) {
    return { outcome: 'no_quorum', ...base };
  }
  const ranked = [...counts].sort(([, a], [, b]) => b - a);
  const [first, second] = ranked;
  if (first === undefined || (second !== undefined && second[1] === first[1])) return { outcome: 'rejected', ...base };
  return carries(ballot.rule, first[1], votesCast)
    ? { outcome: 'adopted', winningOption: first[0], ...base }
    : { outcome: 'rejected', ...base };
};

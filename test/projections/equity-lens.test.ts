import t from 'tap';
import { equityLens, equityQuery } from '../../projections/equity-lens.js';
import { history, replay } from './events.js';

const I = '11111111-1111-4111-8111-111111111111';
const GOV = '22222222-2222-4222-8222-222222222222';
const COM = '33333333-3333-4333-8333-333333333333';
const PHI = '44444444-4444-4444-8444-444444444444';
const D1 = 'd1111111-1111-4111-8111-111111111111';
const D2 = 'd2222222-2222-4222-8222-222222222222';
const K1 = 'b1111111-1111-4111-8111-111111111111';
const K2 = 'b2222222-2222-4222-8222-222222222222';
const S = '55555555-5555-4555-8555-555555555555';
const A = '66666666-6666-4666-8666-666666666666';

t.test('given money from philanthropy and votes from government, the lens shows the imbalance per sector', async (t) => {
  const h = history();
  h.add('PartnerJoined', { initiativeId: I, partnerId: GOV, name: 'City', sector: 'government', primaryInterests: [], isBackbone: true })
    ('PartnerJoined', { initiativeId: I, partnerId: COM, name: 'Residents Assoc.', sector: 'community', primaryInterests: [], isBackbone: false })
    ('PartnerJoined', { initiativeId: I, partnerId: PHI, name: 'Foundation', sector: 'philanthropy', primaryInterests: [], isBackbone: false })
    ('ContributionRecorded', { contributionId: K1, initiativeId: I, partnerId: PHI, money: { amount: '9000', currency: 'EUR' }, date: '2026-01-10' })
    ('ContributionRecorded', { contributionId: K2, initiativeId: I, partnerId: GOV, money: { amount: '1000', currency: 'EUR' }, date: '2026-01-11' })
    ('DecisionProposed', { decisionId: D1, initiativeId: I, title: 'Budget', options: ['a', 'b'], rule: 'majority', quorum: 0.5 }, { partnerId: GOV })
    ('DecisionProposed', { decisionId: D2, initiativeId: I, title: 'Venue', options: ['a', 'b'], rule: 'majority', quorum: 0.5 })
    ('VoteCast', { decisionId: D1, partnerId: GOV, option: 'a' }, { partnerId: GOV })
    ('VoteCast', { decisionId: D1, partnerId: GOV, option: 'b' }, { partnerId: GOV })
    ('VoteCast', { decisionId: D1, partnerId: COM, option: 'a' }, { partnerId: COM })
    ('VoteCast', { decisionId: D2, partnerId: GOV, option: 'a' }, { partnerId: GOV })
    ('ResponsibilityAssigned', { initiativeId: I, strategyId: S, partnerId: COM, role: 'C' })
    ('ActivityLogged', { initiativeId: I, activityId: A, title: 'Town hall', kind: 'meeting', date: '2026-01-20', partnerIds: [GOV, COM] });
  const lens = equityQuery(replay(equityLens, h.events).views[I]!);
  const sector = (name: string) => lens.sectors.find((s) => s.sector === name)!;
  t.same(sector('philanthropy').shareOfMoney, { EUR: 90 }, 'philanthropy gave 90 % of the euros');
  t.same(sector('philanthropy').shareOfVotes, 0, 'and cast none of the votes');
  t.equal(sector('government').shareOfVotes, 66.7, 'a changed vote counts once');
  t.equal(sector('government').shareOfProposals, 50);
  t.equal(sector('unattributed').proposals, 1, 'a proposal by a key without a partner is unattributed');
  t.match(lens.community, { activePartners: 1, shareOfVotes: 33.3, activityParticipations: 1, raciRoles: 1 });
  t.equal(sector('academia').partners, 0, 'every sector is listed, even without partners');
});

t.test('given decisions put forward by partners through the backbone, the lens credits their sectors', async (t) => {
  const M1 = 'd3333333-3333-4333-8333-333333333333';
  const M2 = 'd4444444-4444-4444-8444-444444444444';
  const h = history();
  h.add('PartnerJoined', { initiativeId: I, partnerId: GOV, name: 'City', sector: 'government', primaryInterests: [], isBackbone: true })
    ('PartnerJoined', { initiativeId: I, partnerId: COM, name: 'Residents Assoc.', sector: 'community', primaryInterests: [], isBackbone: false })
    ('PartnerJoined', { initiativeId: I, partnerId: PHI, name: 'Foundation', sector: 'philanthropy', primaryInterests: [], isBackbone: false })
    // The backbone key (no partner) proposes for the residents, and records a meeting's decision put forward by them.
    ('DecisionProposed', { decisionId: D1, initiativeId: I, title: 'Budget', options: ['a', 'b'], rule: 'majority', quorum: 0.5, proposingPartnerId: COM })
    ('DecisionRecorded', { decisionId: M1, initiativeId: I, title: 'Meet monthly', options: ['monthly'], outcome: 'adopted', chosenOption: 'monthly', takenAt: '2026-01-05T10:00:00Z', proposingPartnerId: COM })
    // `proposingPartnerId` wins over the key's own partner.
    ('DecisionRecorded', { decisionId: M2, initiativeId: I, title: 'Fund a survey', options: ['yes', 'no'], outcome: 'rejected', takenAt: '2026-01-06T10:00:00Z', proposingPartnerId: PHI }, { partnerId: GOV })
    // Without `proposingPartnerId`, from a backbone key: unattributed, as before.
    ('DecisionProposed', { decisionId: D2, initiativeId: I, title: 'Venue', options: ['a', 'b'], rule: 'majority', quorum: 0.5 });
  const lens = equityQuery(replay(equityLens, h.events).views[I]!);
  const sector = (name: string) => lens.sectors.find((s) => s.sector === name)!;
  t.equal(sector('community').proposals, 2, 'a proposal and a recorded decision, both of the residents');
  t.equal(sector('philanthropy').proposals, 1, 'credited to proposingPartnerId, not to the recording key\'s partner');
  t.equal(sector('government').proposals, 0);
  t.equal(sector('unattributed').proposals, 1, 'no proposingPartnerId and a key without a partner');
  t.equal(lens.community.shareOfProposals, 50);
  t.equal(sector('philanthropy').shareOfProposals, 25);
});

t.test('given a recorded decision without proposingPartnerId, it counts for the recording key\'s partner', async (t) => {
  const M1 = 'd3333333-3333-4333-8333-333333333333';
  const h = history();
  h.add('PartnerJoined', { initiativeId: I, partnerId: GOV, name: 'City', sector: 'government', primaryInterests: [], isBackbone: true })
    ('DecisionRecorded', { decisionId: M1, initiativeId: I, title: 'Meet monthly', options: ['monthly'], outcome: 'adopted', chosenOption: 'monthly', takenAt: '2026-01-05T10:00:00Z' }, { partnerId: GOV });
  const lens = equityQuery(replay(equityLens, h.events).views[I]!);
  t.equal(lens.sectors.find((s) => s.sector === 'government')!.proposals, 1);
  t.equal(lens.sectors.find((s) => s.sector === 'government')!.shareOfProposals, 100);
});

/**
 * A synthetic, deterministic history of one collective-impact initiative, written straight into an EventStore
 * (for `npm run bench:views`). Every event is a catalog event: its envelope (data and metadata) is checked with
 * `validateEnvelope` before it is appended, and the history follows the deciders' rules (a reading is unique per
 * partner, period and disaggregation; only declared dimension values; reviews of submitted readings only; `before`
 * is the reading as it stood; votes while a decision is open, its tally from the latest vote of each partner; only
 * active partners report).
 *
 * Shape at 1,000,000 events: one initiative, 50 partners (five join during the first year, two leave in the
 * third), 8 goals, 24 strategies with RACI cells, 200 indicators (count, percentage, currency, ordinal,
 * qualitative; monthly, quarterly, semiannual or annual; about two thirds of the numeric ones disaggregated by
 * sex, district, sex × age_group or district × sex; 30 % requiring approval; 36 of the 49 other partners report
 * on each), partner commitments with revisions, withdrawals, contributions and reversals, decisions with votes
 * (some changed) and tallies, activities, risks with reviews, lessons; and ≈ 97 % reading events: reports (a
 * partner's total and every cell of one period, recorded as one append, like a CSV import), approvals, returns,
 * corrections, retractions. `recordedAt` advances day by day from 2023-01-02 (07:00–21:00 UTC), for up to three
 * years: the share of reports made is set so that `events` are written a little before the three years end
 * (about November 2025 at 1,000,000), and the history stops there. Business dates (periods, contribution dates,
 * due dates) follow the same calendar.
 *
 * Events are generated day by day; each day's commands are grouped by stream (order kept within a stream) and
 * appended, one append per stream and day, all submitted in the same turn so the store's group commit writes them
 * in a few large transactions. Timestamps are given after grouping, so `recordedAt` never goes back in the global
 * order. Smaller `events` scale the history down (fewer readings per period, fewer of everything else).
 */
import { createHash } from 'node:crypto';
import { tallyVotes } from '../../src/domain/decision/tally.js';
import { validateEnvelope, type EventData, type EventType } from '../../src/events/catalog.js';
import type { Actor, EventMetadata } from '../../src/events/envelope.js';
import type { EventStore, NewEvent } from '../../src/store/event-store.js';

// ---------------------------------------------------------------------------------------------------------------
// Seeded randomness

/** mulberry32: a small, fast, seeded PRNG (32-bit state), enough for synthetic data. */
export const createRandom = (seed: number) => {
  let state = seed >>> 0;
  const next32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const hex8 = () => next32().toString(16).padStart(8, '0');
  const random = {
    next32,
    /** [0, 1) */
    float: (): number => next32() / 4294967296,
    /** Integer in [min, max]. */
    int: (min: number, max: number): number => min + Math.floor((next32() / 4294967296) * (max - min + 1)),
    chance: (p: number): boolean => next32() / 4294967296 < p,
    pick: <T>(list: readonly T[]): T => list[Math.floor((next32() / 4294967296) * list.length)]!,
    /** `count` distinct items of `list`, in a random order. */
    sample: <T>(list: readonly T[], count: number): T[] => {
      const copy = [...list];
      for (let i = copy.length - 1; i > 0; i--) {
        const j = Math.floor((next32() / 4294967296) * (i + 1));
        [copy[i], copy[j]] = [copy[j]!, copy[i]!];
      }
      return copy.slice(0, Math.min(count, copy.length));
    },
    /** A random version-4 UUID (lowercase), from this generator. */
    uuid: (): string => {
      const a = hex8();
      const b = hex8();
      const c = hex8();
      const d = hex8();
      const variant = ((parseInt(c[0]!, 16) & 0x3) | 0x8).toString(16);
      return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4, 8)}${d}`;
    },
    hex64: (): string => hex8() + hex8() + hex8() + hex8() + hex8() + hex8() + hex8() + hex8(),
  };
  return random;
};
type Random = ReturnType<typeof createRandom>;

// ---------------------------------------------------------------------------------------------------------------
// Calendar

const DAY_MS = 86_400_000;
/** Day 0 of the history (a Monday); the history spans `DAYS` days from it. */
export const HISTORY_START = Date.UTC(2023, 0, 2);
export const DAYS = 3 * 365;
const dateOf = (day: number): string => new Date(HISTORY_START + day * DAY_MS).toISOString().slice(0, 10);
const dayOfDate = (date: string): number => Math.round((Date.parse(`${date}T00:00:00Z`) - HISTORY_START) / DAY_MS);

type Frequency = 'monthly' | 'quarterly' | 'semiannual' | 'annual';
const MONTHS: Record<Frequency, number> = { monthly: 1, quarterly: 3, semiannual: 6, annual: 12 };

/** Reporting periods from January 2023, of `months` months each, that end before `lastDay`. */
const periodsOf = (frequency: Frequency, lastDay: number): Array<{ start: string; end: string; endDay: number }> => {
  const months = MONTHS[frequency];
  const periods: Array<{ start: string; end: string; endDay: number }> = [];
  for (let m = 0; ; m += months) {
    const start = new Date(Date.UTC(2023, m, 1)).toISOString().slice(0, 10);
    const end = new Date(Date.UTC(2023, m + months, 0)).toISOString().slice(0, 10);
    const endDay = dayOfDate(end);
    if (endDay >= lastDay) break;
    periods.push({ start, end, endDay });
  }
  return periods;
};

// ---------------------------------------------------------------------------------------------------------------
// The cast

const SECTORS = ['government', 'business', 'nonprofit', 'academia', 'philanthropy', 'community'] as const;
/** 50 partners: 8 government, 8 business, 14 nonprofit, 6 academia, 6 philanthropy, 8 community. */
const SECTOR_COUNTS: Record<(typeof SECTORS)[number], number> = { government: 8, business: 8, nonprofit: 14, academia: 6, philanthropy: 6, community: 8 };
const INTERESTS = ['early childhood', 'school readiness', 'maternal health', 'nutrition', 'housing', 'employment', 'water quality', 'data sharing', 'youth voice', 'literacy'];
const DISTRICTS = ['North', 'South', 'East', 'West', 'Central', 'Riverside'];
const SEXES = ['female', 'male', 'other'];
const AGE_GROUPS = ['0-4', '5-11', '12-17', '18+'];

type Dimension = { dimension: string; values: string[] };
/** Disaggregation schemes: the dimensions an indicator declares. Cells are the full combinations. */
const SCHEMES: Dimension[][] = [
  [],
  [{ dimension: 'sex', values: SEXES }],
  [{ dimension: 'district', values: DISTRICTS }],
  [{ dimension: 'sex', values: SEXES }, { dimension: 'age_group', values: AGE_GROUPS }],
  [{ dimension: 'district', values: DISTRICTS }, { dimension: 'sex', values: SEXES }],
];

/** Every full combination of the dimensions' values (`[{}]` without dimensions). */
const combinations = (dimensions: Dimension[]): Array<Record<string, string>> =>
  dimensions.reduce<Array<Record<string, string>>>(
    (cells, { dimension, values }) => cells.flatMap((cell) => values.map((value) => ({ ...cell, [dimension]: value }))),
    [{}],
  );

type Measure = 'count' | 'percentage' | 'currency' | 'ordinal' | 'qualitative';

interface IndicatorPlan {
  id: string;
  stream: string;
  goalId: string;
  measure: Measure;
  frequency: Frequency;
  requiresApproval: boolean;
  dimensions: Dimension[];
  /** The total (`{}`) and every cell: one report records all of them. */
  cells: Array<Record<string, string>>;
  reporters: number[];
  periods: Array<{ start: string; end: string; endDay: number }>;
  /** Expected events per recorded reading (the recording and the changes that follow it). */
  eventsPerReading: number;
}

interface PartnerPlan {
  id: string;
  keyId: string;
  name: string;
  sector: (typeof SECTORS)[number];
  joinDay: number;
  leaveDay: number;
  isBackbone: boolean;
}

/** A reading as it stands, for the `before` of the events that change it. */
interface LiveReading {
  readingId: string;
  indicator: IndicatorPlan;
  partner: PartnerPlan;
  before: EventData<'ReadingApproved'>['before'];
  /** The review a correction of a returned reading leads to. */
  step: 'approve' | 'return' | 'correct-then-approve' | 'correct' | 'retract' | 'late-correct';
}

/** One command's events: appended together, with one `recordedAt`, by one actor. */
interface Command {
  stream: string;
  actor: Actor;
  events: Array<{ type: EventType; data: unknown }>;
}

export interface SyntheticHistory {
  initiativeId: string;
  events: number;
  appends: number;
  firstRecordedAt: string;
  lastRecordedAt: string;
  /** The day the history stopped (it stops once `events` are written). */
  lastDate: string;
  byType: Record<string, number>;
  partners: number;
  indicators: number;
  /** Share of partner-period reports made, set so the history reaches `events`. */
  reportingRate: number;
  generateSeconds: number;
}

export interface HistoryOptions {
  store: Pick<EventStore, 'append'>;
  events: number;
  seed?: number;
  /** Called after each day with the events written so far. */
  onProgress?: (written: number) => void;
}

// ---------------------------------------------------------------------------------------------------------------

/** Generates and appends the history; resolves with what was written. */
export const writeSyntheticHistory = async (options: HistoryOptions): Promise<SyntheticHistory> => {
  const started = Date.now();
  const target = options.events;
  const seed = options.seed ?? 20230102;
  // Separate generators per family, so the shape of one does not depend on how much of another was drawn.
  const ids = createRandom(seed);
  const shape = createRandom(seed + 1);
  const reports = createRandom(seed + 2);
  const life = createRandom(seed + 3);
  const resources = createRandom(seed + 4);
  const governance = createRandom(seed + 5);
  const activity = createRandom(seed + 6);
  /** Everything but readings scales with the history's size (1 at 1,000,000 events). */
  const scale = target / 1_000_000;
  /** A per-day rate scaled with the history, drawn as a count for one day. */
  const countFor = (random: Random, perDayAtFullScale: number): number => {
    const expected = perDayAtFullScale * scale;
    let n = Math.floor(expected);
    if (random.chance(expected - n)) n += 1;
    return n;
  };

  const initiativeId = ids.uuid();
  const initiativeStream = `initiative-${initiativeId}`;

  // Partners: the backbone first; five join during the first year, two leave in the third.
  const partners: PartnerPlan[] = [];
  for (const sector of SECTORS) {
    for (let i = 0; i < SECTOR_COUNTS[sector]; i++) {
      const n = partners.length + 1;
      partners.push({
        id: ids.uuid(),
        keyId: ids.uuid(),
        name: `${sector[0]!.toUpperCase()}${sector.slice(1)} partner ${String(n).padStart(2, '0')}`,
        sector,
        joinDay: 0,
        leaveDay: Number.POSITIVE_INFINITY,
        isBackbone: false,
      });
    }
  }
  const backbone = partners.find((p) => p.sector === 'nonprofit')!;
  backbone.isBackbone = true;
  backbone.name = 'Backbone organisation';
  partners.sort((a, b) => Number(b.isBackbone) - Number(a.isBackbone));
  const lateJoiners = shape.sample(partners.filter((p) => !p.isBackbone), 7);
  lateJoiners.slice(0, 5).forEach((p, i) => (p.joinDay = 40 + i * 60));
  lateJoiners[5]!.leaveDay = 800;
  lateJoiners[6]!.leaveDay = 950;
  const activeOn = (p: PartnerPlan, day: number) => p.joinDay <= day && day < p.leaveDay;
  const backboneActor: Actor = { keyId: backbone.keyId, role: 'backbone', initiativeId, partnerId: backbone.id };
  const partnerActor = (p: PartnerPlan): Actor => (p.isBackbone ? backboneActor : { keyId: p.keyId, role: 'partner', initiativeId, partnerId: p.id });
  const adminActor: Actor = { keyId: 'admin', role: 'admin' };

  // Goals and strategies.
  const goals = Array.from({ length: 8 }, (_, i) => ({ id: ids.uuid(), title: `Goal ${i + 1}: ${INTERESTS[i]} for every child in the county` }));
  const strategies = goals.flatMap((goal, g) => Array.from({ length: 3 }, (_, s) => ({ id: ids.uuid(), goalId: goal.id, title: `Strategy ${g + 1}.${s + 1}` })));

  // Indicators.
  const lastReportDay = DAYS;
  const indicators: IndicatorPlan[] = Array.from({ length: 200 }, (_, i): IndicatorPlan => {
    const q = i % 20;
    const measure: Measure = q < 10 || q === 19 ? 'count' : q < 14 ? 'percentage' : q < 16 ? 'currency' : q < 18 ? 'ordinal' : 'qualitative';
    const frequency: Frequency = measure === 'qualitative' ? 'semiannual' : shape.pick<Frequency>(['monthly', 'monthly', 'monthly', 'monthly', 'quarterly', 'quarterly', 'quarterly', 'quarterly', 'annual', 'semiannual']);
    const dimensions = measure === 'qualitative' ? [] : SCHEMES[shape.pick([0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3, 4, 4])]!;
    const requiresApproval = shape.chance(0.3);
    const eligible = partners.filter((p) => !p.isBackbone);
    return {
      id: ids.uuid(),
      stream: '',
      goalId: goals[i % goals.length]!.id,
      measure,
      frequency,
      requiresApproval,
      dimensions,
      cells: combinations(dimensions).length > 1 ? [{}, ...combinations(dimensions)] : [{}],
      reporters: shape.sample(eligible, 36).map((p) => partners.indexOf(p)),
      periods: periodsOf(frequency, lastReportDay),
      // Recording + approval (0.955) + return/correct/approve (3 × 0.06) + correct/approve (2 × 0.03) + late
      // correction (2 × 0.01) + retraction (0.015); without approval: correction (0.04) + retraction (0.015).
      eventsPerReading: requiresApproval ? 1 + 0.89 + 0.18 + 0.06 + 0.02 + 0.015 : 1 + 0.04 + 0.015,
    };
  });
  for (const indicator of indicators) indicator.stream = `indicator-${indicator.id}`;

  // Reports: a partner's report of one period (its total and every cell), made 1–30 days after the period
  // ends. The share of reports made is set so the history reaches `target` events (with 8 % to spare: the
  // history stops as soon as `target` events are written).
  const otherEventsEstimate = 600 + 0.03 * target;
  let capacity = 0;
  for (const indicator of indicators) {
    // A report is due 1–30 days after its period ends; those due after the history's end are never made.
    const due = indicator.periods.reduce((sum, period) => sum + Math.min(1, Math.max(0, (DAYS - 1 - period.endDay) / 30)), 0);
    capacity += indicator.reporters.length * due * indicator.cells.length * indicator.eventsPerReading;
  }
  const reportingRate = ((target - otherEventsEstimate) / capacity) * 1.08;
  if (reportingRate > 1) throw new Error(`a history of ${target} events needs more reporting capacity than this shape has (rate ${reportingRate.toFixed(2)})`);
  /** day → reports due that day: [indicator index, period index, partner index]. */
  const reportsDue: Array<Array<[number, number, number]>> = Array.from({ length: DAYS + 1 }, () => []);
  indicators.forEach((indicator, i) => {
    indicator.periods.forEach((period, p) => {
      for (const partnerIndex of indicator.reporters) {
        if (!reports.chance(reportingRate)) continue;
        const day = period.endDay + reports.int(1, 30);
        if (day < DAYS) reportsDue[day]!.push([i, p, partnerIndex]);
      }
    });
  });

  // Scheduled follow-ups: day → things to do that day.
  const readingSteps = new Map<number, LiveReading[]>();
  const later = <T>(map: Map<number, T[]>, day: number, item: T) => {
    const list = map.get(day);
    if (list) list.push(item);
    else map.set(day, [item]);
  };

  const valueFor = (indicator: IndicatorPlan, cell: Record<string, string>, random: Random): { value: number } | { narrative: string } => {
    const share = Object.keys(cell).length === 0 ? 1 : 1 / (indicator.cells.length - 1);
    switch (indicator.measure) {
      case 'count':
        return { value: Math.round(random.int(200, 2000) * share) };
      case 'percentage':
        return { value: random.int(100, 1000) / 10 };
      case 'currency':
        return { value: Math.round(random.int(1000, 500_000) * share * 100) / 100 };
      case 'ordinal':
        return { value: random.int(1, 5) };
      case 'qualitative':
        return { narrative: `Families in ${random.pick(DISTRICTS)} report ${random.pick(['better', 'easier', 'earlier'])} access to ${random.pick(INTERESTS)} services; waiting lists shortened after the outreach in week ${random.int(1, 26)}.` };
    }
  };

  // Resources and governance in flight.
  interface CommitmentPlan {
    id: string;
    stream: string;
    partner: PartnerPlan;
    kind: 'funding' | 'staff_time' | 'in_kind' | 'data';
    currency: string;
    dueDay: number;
    withdrawn: boolean;
    contributions: Array<{ id: string; reversed: boolean }>;
  }
  const commitments: CommitmentPlan[] = [];
  const unplanned: Array<{ id: string; stream: string; partner: PartnerPlan; reversed: boolean }> = [];
  interface DecisionPlan {
    id: string;
    stream: string;
    options: string[];
    rule: 'majority' | 'two_thirds' | 'consensus';
    quorum: number;
    closeDay: number;
    votes: Map<string, string>;
  }
  const openDecisions: DecisionPlan[] = [];
  const voteSteps = new Map<number, Array<{ decision: DecisionPlan; partner: PartnerPlan }>>();
  const risks: Array<{ id: string; stream: string; open: boolean }> = [];

  // ---------------------------------------------------------------------------------------------------------------
  // Writing

  let written = 0;
  let appends = 0;
  let firstRecordedAt = '';
  let lastRecordedAt = '';
  let lastDate = '';
  const byType: Record<string, number> = {};
  const revisions = new Map<string, number>();
  const correlation = createRandom(seed + 7);

  /** Groups the day's commands by stream, stamps them in order through the day, validates and appends them. */
  const writeDay = async (day: number, commands: Command[]): Promise<void> => {
    let room = target - written;
    const kept: Command[] = [];
    for (const command of commands) {
      if (room <= 0) break;
      if (command.events.length > room) command.events = command.events.slice(0, room);
      room -= command.events.length;
      kept.push(command);
    }
    if (kept.length === 0) return;
    const byStream = new Map<string, Command[]>();
    for (const command of kept) {
      const list = byStream.get(command.stream);
      if (list) list.push(command);
      else byStream.set(command.stream, [command]);
    }
    // Commands of the day, spread between 07:00 and 21:00 in their final (grouped) order.
    const ordered = [...byStream.values()].flat();
    const dayStart = HISTORY_START + day * DAY_MS + 7 * 3_600_000;
    const step = (14 * 3_600_000) / ordered.length;
    let index = 0;
    const pending: Array<Promise<unknown>> = [];
    for (const [stream, streamCommands] of byStream) {
      const events: NewEvent[] = [];
      for (const command of streamCommands) {
        const recordedAt = new Date(Math.floor(dayStart + step * index++)).toISOString();
        const correlationId = correlation.uuid();
        let causationId = correlationId;
        for (const { type, data } of command.events) {
          const id = ids.uuid();
          const metadata: EventMetadata = { actor: command.actor, recordedAt, correlationId, causationId, schemaVersion: 1 };
          validateEnvelope({ id, type, stream, revision: 0, data, metadata });
          events.push({ id, type, data, metadata });
          causationId = id;
          byType[type] = (byType[type] ?? 0) + 1;
          if (firstRecordedAt === '') firstRecordedAt = recordedAt;
          lastRecordedAt = recordedAt;
        }
      }
      const last = revisions.get(stream);
      revisions.set(stream, (last ?? -1) + events.length);
      pending.push(options.store.append(stream, events, { expectedRevision: last === undefined ? 'no_stream' : last }));
      appends += 1;
      written += events.length;
    }
    lastDate = dateOf(day);
    await Promise.all(pending);
    options.onProgress?.(written);
  };

  // ---------------------------------------------------------------------------------------------------------------
  // Day 0: the initiative, its keys, partners, goals, strategies, RACI and indicators.

  const setup: Command[] = [];
  const emit = (commands: Command[], stream: string, actor: Actor, type: EventType, data: unknown) => commands.push({ stream, actor, events: [{ type, data }] });
  emit(setup, initiativeStream, adminActor, 'InitiativeLaunched', {
    initiativeId,
    name: 'Ready by Five County Partnership',
    problemStatement: 'Fewer than half of the county’s children start school ready to learn; services are fragmented and nobody sees the whole picture.',
    geography: 'Riverside County',
  });
  const keyIssued = (commands: Command[], p: PartnerPlan) =>
    emit(commands, `access-key-${p.keyId}`, adminActor, 'AccessKeyIssued', {
      keyId: p.keyId,
      role: p.isBackbone ? 'backbone' : 'partner',
      initiativeId,
      ...(p.isBackbone ? {} : { partnerId: p.id }),
      label: `${p.name} key`,
      keyHash: createHash('sha256').update(p.keyId).digest('hex'),
    });
  const joined = (commands: Command[], p: PartnerPlan) =>
    emit(commands, initiativeStream, backboneActor, 'PartnerJoined', {
      initiativeId,
      partnerId: p.id,
      name: p.name,
      sector: p.sector,
      primaryInterests: shape.sample(INTERESTS, shape.int(1, 3)),
      isBackbone: p.isBackbone,
    });
  for (const p of partners) {
    if (p.joinDay > 0) continue;
    joined(setup, p);
    keyIssued(setup, p);
  }
  for (const goal of goals) emit(setup, initiativeStream, backboneActor, 'GoalAdopted', { initiativeId, goalId: goal.id, title: goal.title, description: 'Adopted by the steering committee.' });
  for (const strategy of strategies) {
    emit(setup, initiativeStream, backboneActor, 'StrategyAdopted', { initiativeId, strategyId: strategy.id, goalId: strategy.goalId, title: strategy.title });
    for (const p of shape.sample(partners.filter((x) => x.joinDay === 0), 6)) {
      emit(setup, initiativeStream, backboneActor, 'ResponsibilityAssigned', { initiativeId, strategyId: strategy.id, partnerId: p.id, role: shape.pick(['R', 'A', 'C', 'I'] as const) });
    }
  }
  indicators.forEach((indicator, i) => {
    const numeric = indicator.measure !== 'qualitative';
    const base = indicator.measure === 'percentage' ? 40 : indicator.measure === 'ordinal' ? 2 : indicator.measure === 'currency' ? 100_000 : 1000;
    const direction = i % 10 === 3 ? 'decrease' : i % 10 === 7 ? 'maintain' : 'increase';
    const factor = direction === 'decrease' ? 0.8 : direction === 'maintain' ? 1 : 1.25;
    emit(setup, indicator.stream, backboneActor, 'IndicatorDefined', {
      initiativeId,
      indicatorId: indicator.id,
      goalId: indicator.goalId,
      name: `Indicator ${i + 1} (${indicator.measure})`,
      measure: indicator.measure,
      unit: { count: 'children', percentage: '%', currency: 'USD', ordinal: 'score', qualitative: 'narrative' }[indicator.measure],
      direction,
      cumulative: indicator.measure === 'count' && i % 3 === 0,
      baseline: numeric ? { value: base, date: '2022-12-31' } : { narrative: 'Services work in silos.', date: '2022-12-31' },
      targets: ['2023-12-31', '2024-12-31', '2025-12-31'].map((periodEnd, y) =>
        numeric ? { periodEnd, value: Math.round(base * (1 + (factor - 1) * ((y + 1) / 3)) * 10) / 10 } : { periodEnd, narrative: `Year ${y + 1}: shared intake in ${y + 2} districts.` },
      ),
      frequency: indicator.frequency,
      disaggregations: indicator.dimensions,
      requiresApproval: indicator.requiresApproval,
    });
  });
  await writeDay(0, setup);

  // ---------------------------------------------------------------------------------------------------------------
  // Day by day

  for (let day = 1; day < DAYS && written < target; day++) {
    const today: Command[] = [];
    const date = dateOf(day);

    // Partners joining and leaving.
    for (const p of partners) {
      if (p.joinDay === day) {
        joined(today, p);
        keyIssued(today, p);
      }
      if (p.leaveDay === day) emit(today, initiativeStream, backboneActor, 'PartnerLeft', { initiativeId, partnerId: p.id, reason: 'Merged into another member organisation.' });
    }

    // Reports due today: one append per report (the total and every cell), like a CSV import.
    for (const [i, periodIndex, partnerIndex] of reportsDue[day]!) {
      const indicator = indicators[i]!;
      const partner = partners[partnerIndex]!;
      if (!activeOn(partner, day)) continue;
      const period = indicator.periods[periodIndex]!;
      const events: Command['events'] = [];
      for (const cell of indicator.cells) {
        const readingId = life.uuid();
        const point = valueFor(indicator, cell, reports);
        const status = indicator.requiresApproval ? 'submitted' : 'accepted';
        events.push({
          type: 'ReadingRecorded',
          data: { readingId, indicatorId: indicator.id, initiativeId, partnerId: partner.id, period: { start: period.start, end: period.end }, ...point, disaggregation: cell, ...(life.chance(0.3) ? { source: 'Partner case-management export' } : {}), status },
        });
        const reading: LiveReading = { readingId, indicator, partner, before: { partnerId: partner.id, period: { start: period.start, end: period.end }, disaggregation: cell, ...point, status }, step: 'approve' };
        const roll = life.float();
        if (indicator.requiresApproval) {
          if (roll < 0.06) reading.step = 'return';
          else if (roll < 0.09) reading.step = 'correct-then-approve';
          else if (roll < 0.105) reading.step = 'retract';
          else if (roll < 0.11) continue; // never reviewed: stays submitted
          later(readingSteps, day + life.int(2, 25), reading);
        } else if (roll < 0.04) {
          reading.step = 'correct';
          later(readingSteps, day + life.int(1, 60), reading);
        } else if (roll < 0.055) {
          reading.step = 'retract';
          later(readingSteps, day + life.int(1, 60), reading);
        }
      }
      today.push({ stream: indicator.stream, actor: partnerActor(partner), events });
    }

    // Reviews, corrections and retractions of earlier readings.
    for (const reading of readingSteps.get(day) ?? []) {
      const { indicator, partner, readingId } = reading;
      const indicatorId = indicator.id;
      // A partner that left no longer changes its readings (the backbone still reviews them).
      if (!activeOn(partner, day) && reading.step !== 'approve' && reading.step !== 'return') continue;
      const before = structuredClone(reading.before);
      const correct = (status: 'submitted' | 'accepted' | 'approved' | 'returned', reason: string) => {
        const point = valueFor(indicator, before.disaggregation, life);
        today.push({ stream: indicator.stream, actor: partnerActor(partner), events: [{ type: 'ReadingCorrected', data: { readingId, indicatorId, ...point, reason, status, before } }] });
        const { value: _v, narrative: _n, ...identity } = reading.before;
        reading.before = { ...identity, ...point, status };
      };
      switch (reading.step) {
        case 'approve':
          today.push({ stream: indicator.stream, actor: backboneActor, events: [{ type: 'ReadingApproved', data: { readingId, indicatorId, before } }] });
          reading.before.status = 'approved';
          if (life.chance(0.01)) {
            reading.step = 'late-correct';
            later(readingSteps, day + life.int(10, 120), reading);
          }
          break;
        case 'return':
          today.push({ stream: indicator.stream, actor: backboneActor, events: [{ type: 'ReadingReturned', data: { readingId, indicatorId, comment: 'The total does not match the sum of the age groups; please check.', before } }] });
          reading.before.status = 'returned';
          reading.step = 'correct-then-approve';
          later(readingSteps, day + life.int(2, 15), reading);
          break;
        case 'correct-then-approve':
          correct('submitted', 'Re-counted from the case files.');
          reading.step = 'approve';
          later(readingSteps, day + life.int(2, 15), reading);
          break;
        case 'late-correct':
          correct(indicator.requiresApproval ? 'submitted' : reading.before.status, 'Late returns from one site.');
          if (indicator.requiresApproval) {
            reading.step = 'approve';
            later(readingSteps, day + life.int(2, 15), reading);
          }
          break;
        case 'correct':
          correct(reading.before.status, 'Typo in the submitted figure.');
          break;
        case 'retract':
          today.push({ stream: indicator.stream, actor: indicator.requiresApproval ? backboneActor : partnerActor(partner), events: [{ type: 'ReadingRetracted', data: { readingId, indicatorId, reason: 'Reported under the wrong indicator.', before } }] });
          break;
      }
    }
    readingSteps.delete(day);

    // Commitments (≈ 500 over three years at full scale), their revisions and withdrawals.
    const active = partners.filter((p) => activeOn(p, day));
    for (let n = countFor(resources, 0.5); n > 0; n--) {
      const partner = resources.pick(active);
      const kind = resources.pick(['funding', 'funding', 'staff_time', 'in_kind', 'data'] as const);
      const id = resources.uuid();
      const currency = resources.pick(['USD', 'USD', 'EUR']);
      const commitment: CommitmentPlan = { id, stream: `commitment-${id}`, partner, kind, currency, dueDay: day + resources.int(180, 720), withdrawn: false, contributions: [] };
      commitments.push(commitment);
      const toward = resources.chance(0.5) ? { goalId: resources.pick(goals).id } : { strategyId: resources.pick(strategies).id };
      emit(today, commitment.stream, partnerActor(partner), 'CommitmentMade', {
        commitmentId: id,
        initiativeId,
        partnerId: partner.id,
        ...toward,
        kind,
        ...(kind === 'funding' ? { money: { amount: `${resources.int(5, 500) * 1000}.00`, currency } } : {}),
        ...(kind === 'staff_time' ? { hours: resources.int(50, 2000) } : {}),
        ...(kind === 'in_kind' || kind === 'data' ? { description: kind === 'data' ? 'Quarterly extract of enrolment records' : 'Meeting rooms and a van for outreach days', estimatedValue: { amount: `${resources.int(1, 80) * 500}.00`, currency } } : {}),
        dueDate: dateOf(commitment.dueDay),
      });
    }
    for (let n = countFor(resources, 0.05); n > 0 && commitments.length > 0; n--) {
      const commitment = resources.pick(commitments);
      if (commitment.withdrawn) continue;
      commitment.dueDay += 90;
      emit(today, commitment.stream, partnerActor(commitment.partner), 'CommitmentRevised', { commitmentId: commitment.id, dueDate: dateOf(commitment.dueDay), reason: 'Board approved an extension.' });
    }
    for (let n = countFor(resources, 0.02); n > 0 && commitments.length > 0; n--) {
      const commitment = resources.pick(commitments);
      if (commitment.withdrawn) continue;
      commitment.withdrawn = true;
      emit(today, commitment.stream, partnerActor(commitment.partner), 'CommitmentWithdrawn', { commitmentId: commitment.id, reason: 'Funding cut in the partner’s own budget.' });
    }

    // Contributions (≈ 10,000 against commitments, ≈ 1,000 unplanned) and a few reversals.
    const contributionData = (kind: CommitmentPlan['kind'], currency: string) => ({
      ...(kind === 'funding' ? { money: { amount: `${resources.int(100, 20_000)}.${String(resources.int(0, 99)).padStart(2, '0')}`, currency } } : {}),
      ...(kind === 'staff_time' ? { hours: resources.int(1, 40) } : {}),
      ...(kind === 'in_kind' || kind === 'data' ? { description: 'Delivered as agreed', estimatedValue: { amount: `${resources.int(1, 40) * 25}.00`, currency } } : {}),
      date,
      ...(resources.chance(0.4) ? { evidence: { url: `https://docs.example.org/receipts/${resources.uuid()}.pdf`, sha256: resources.hex64() } } : {}),
    });
    for (let n = countFor(resources, 9.5); n > 0 && commitments.length > 0; n--) {
      const commitment = resources.pick(commitments);
      if (commitment.withdrawn || !activeOn(commitment.partner, day)) continue;
      const id = resources.uuid();
      commitment.contributions.push({ id, reversed: false });
      emit(today, commitment.stream, partnerActor(commitment.partner), 'ContributionRecorded', {
        contributionId: id,
        initiativeId,
        partnerId: commitment.partner.id,
        commitmentId: commitment.id,
        ...contributionData(commitment.kind, commitment.currency),
      });
    }
    for (let n = countFor(resources, 1); n > 0; n--) {
      const partner = resources.pick(active);
      const id = resources.uuid();
      unplanned.push({ id, stream: `contribution-${id}`, partner, reversed: false });
      emit(today, `contribution-${id}`, partnerActor(partner), 'ContributionRecorded', {
        contributionId: id,
        initiativeId,
        partnerId: partner.id,
        ...contributionData(resources.pick(['funding', 'staff_time', 'in_kind'] as const), 'USD'),
      });
    }
    for (let n = countFor(resources, 0.2); n > 0 && commitments.length > 0; n--) {
      const commitment = resources.pick(commitments);
      const contribution = commitment.contributions.find((c) => !c.reversed);
      if (!contribution) continue;
      contribution.reversed = true;
      emit(today, commitment.stream, backboneActor, 'ContributionReversed', { contributionId: contribution.id, commitmentId: commitment.id, reason: 'Recorded twice.' });
    }
    for (let n = countFor(resources, 0.02); n > 0 && unplanned.length > 0; n--) {
      const contribution = resources.pick(unplanned);
      if (contribution.reversed) continue;
      contribution.reversed = true;
      emit(today, contribution.stream, backboneActor, 'ContributionReversed', { contributionId: contribution.id, reason: 'Not a contribution to this initiative.' });
    }

    // Decisions: proposals (≈ 250) open for 15 days, votes from most active partners (some changed), the close
    // with its tally; decisions taken in meetings recorded after the fact.
    for (let n = countFor(governance, 0.23); n > 0; n--) {
      const id = governance.uuid();
      const options = governance.pick([['yes', 'no'], ['yes', 'no', 'abstain'], ['option A', 'option B', 'option C', 'defer']]);
      const decision: DecisionPlan = { id, stream: `decision-${id}`, options, rule: governance.pick(['majority', 'majority', 'two_thirds', 'consensus'] as const), quorum: 0.5, closeDay: day + 15, votes: new Map() };
      openDecisions.push(decision);
      const proposer = governance.chance(0.5) ? backbone : governance.pick(active);
      emit(today, decision.stream, partnerActor(proposer), 'DecisionProposed', {
        decisionId: id,
        initiativeId,
        title: `Proposal ${openDecisions.length}: adopt the ${governance.pick(INTERESTS)} workplan`,
        description: 'See the attached paper from the working group.',
        options,
        rule: decision.rule,
        quorum: decision.quorum,
        closesAt: new Date(HISTORY_START + decision.closeDay * DAY_MS + 17 * 3_600_000).toISOString(),
      });
      for (const voter of governance.sample(active, Math.round(active.length * governance.float() * 0.4 + active.length * 0.45))) {
        later(voteSteps, day + governance.int(0, 13), { decision, partner: voter });
        if (governance.chance(0.1)) later(voteSteps, day + governance.int(7, 14), { decision, partner: voter });
      }
    }
    for (const { decision, partner } of voteSteps.get(day) ?? []) {
      if (!activeOn(partner, day) || day >= decision.closeDay) continue;
      const option = governance.chance(0.6) ? decision.options[0]! : governance.pick(decision.options);
      decision.votes.set(partner.id, option);
      emit(today, decision.stream, partnerActor(partner), 'VoteCast', { decisionId: decision.id, partnerId: partner.id, option, ...(governance.chance(0.2) ? { comment: 'Agreed with the working group’s recommendation.' } : {}) });
    }
    voteSteps.delete(day);
    for (const decision of openDecisions.filter((d) => d.closeDay === day)) {
      const eligible = active.length;
      const votes = [...decision.votes.entries()].filter(([partnerId]) => active.some((p) => p.id === partnerId)).map(([, option]) => option);
      const result = tallyVotes({ options: decision.options, rule: decision.rule, quorum: decision.quorum }, votes, eligible);
      emit(today, decision.stream, backboneActor, 'DecisionClosed', { decisionId: decision.id, ...result });
    }
    for (let n = countFor(governance, 0.05); n > 0; n--) {
      const id = governance.uuid();
      const adopted = governance.chance(0.8);
      emit(today, `decision-${id}`, backboneActor, 'DecisionRecorded', {
        decisionId: id,
        initiativeId,
        title: 'Steering committee: schedule of the annual convening',
        options: ['March', 'April'],
        outcome: adopted ? 'adopted' : 'rejected',
        ...(adopted ? { chosenOption: 'April' } : {}),
        takenAt: new Date(HISTORY_START + (day - 1) * DAY_MS + 15 * 3_600_000).toISOString(),
      });
    }

    // Activities, risks, lessons, and now and then a revised goal or target.
    for (let n = countFor(activity, 3); n > 0; n--) {
      emit(today, initiativeStream, backboneActor, 'ActivityLogged', {
        initiativeId,
        activityId: activity.uuid(),
        ...(activity.chance(0.7) ? { strategyId: activity.pick(strategies).id } : {}),
        title: activity.pick(['Working group meeting', 'Parent outreach day', 'Data walk with partners', 'Training: trauma-informed care', 'Community listening session']),
        kind: activity.pick(['meeting', 'outreach', 'training', 'event', 'other'] as const),
        date,
        partnerIds: activity.sample(active, activity.int(2, 8)).map((p) => p.id),
        ...(activity.chance(0.5) ? { minutes: 'Reviewed the latest readings; agreed to follow up with the two districts that did not report. Next meeting in four weeks.' } : {}),
        ...(activity.chance(0.3) ? { outputs: ['Action list', 'Updated outreach calendar'] } : {}),
      });
    }
    if (activity.chance(0.04 * Math.max(scale, 0.05))) {
      const id = activity.uuid();
      risks.push({ id, stream: `risk-${id}`, open: true });
      emit(today, `risk-${id}`, backboneActor, 'RiskRaised', {
        initiativeId,
        riskId: id,
        title: activity.pick(['Funding gap in year two', 'Partner data not comparable', 'Staff turnover at the backbone', 'Privacy complaint']),
        category: activity.pick(['financial', 'operational', 'data', 'reputational'] as const),
        likelihood: activity.pick(['low', 'medium', 'high'] as const),
        impact: activity.pick(['medium', 'high', 'very_high'] as const),
        ownerPartnerId: activity.pick(active).id,
        mitigation: 'Diversify funders; monthly check-in.',
      });
    }
    for (const risk of risks) {
      if (!risk.open || !activity.chance(0.03)) continue;
      if (activity.chance(0.1)) {
        risk.open = false;
        emit(today, risk.stream, backboneActor, 'RiskClosed', { initiativeId, riskId: risk.id, resolution: activity.pick(['mitigated', 'accepted', 'no_longer_relevant'] as const), reason: 'Reviewed at the quarterly meeting.' });
      } else {
        emit(today, risk.stream, backboneActor, 'RiskReviewed', { initiativeId, riskId: risk.id, likelihood: activity.pick(['low', 'medium', 'high'] as const), impact: activity.pick(['medium', 'high'] as const), notes: 'No change in exposure this month.' });
      }
    }
    if (activity.chance(0.06 * Math.max(scale, 0.05))) {
      emit(today, initiativeStream, backboneActor, 'LessonRecorded', {
        initiativeId,
        lessonId: activity.uuid(),
        kind: activity.pick(['success', 'failure'] as const),
        title: 'Shared intake form',
        whatHappened: 'Three partners piloted one intake form for families.',
        whatWeLearned: 'Families tell their story once; partners need a data-sharing agreement first.',
        goalId: activity.pick(goals).id,
      });
    }
    if (activity.chance(0.05 * Math.max(scale, 0.05))) {
      const indicator = activity.pick(indicators.filter((x) => x.measure !== 'qualitative'));
      emit(today, indicator.stream, backboneActor, 'IndicatorTargetRevised', { initiativeId, indicatorId: indicator.id, periodEnd: '2025-12-31', value: activity.int(100, 5000), reason: 'Revised after the mid-term review.' });
    }
    if (activity.chance(0.01 * Math.max(scale, 0.05))) {
      emit(today, initiativeStream, backboneActor, 'GoalRevised', { initiativeId, goalId: activity.pick(goals).id, description: 'Narrowed to the four districts with the lowest readiness scores.', reason: 'Mid-term review.' });
    }

    await writeDay(day, today);
  }

  if (written < target) throw new Error(`the history ended at ${written} events, short of ${target}`);
  return {
    initiativeId,
    events: written,
    appends,
    firstRecordedAt,
    lastRecordedAt,
    lastDate,
    byType,
    partners: partners.length,
    indicators: indicators.length,
    reportingRate: Math.round(reportingRate * 1000) / 1000,
    generateSeconds: Math.round((Date.now() - started) / 100) / 10,
  };
};

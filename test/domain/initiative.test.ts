import t from 'tap';
import { RuleViolationError } from '../../src/domain/decider.js';
import type { InitiativeCommand } from '../../src/domain/initiative/commands.js';
import { initiativeDecider, initiativeStream } from '../../src/domain/initiative/decider.js';
import { initiativeFacts } from '../../src/domain/initiative/facts.js';
import { NotFoundError, ValidationError } from '../../src/errors.js';
import type { PendingEvent } from '../../src/domain/decider.js';
import { spec } from './decider-spec.js';
import { ids, partner3, samples, uuid } from './fixtures.js';

const given = spec(initiativeDecider).given;
const initiativeId = ids.initiative;

const launched: PendingEvent = { type: 'InitiativeLaunched', data: samples.InitiativeLaunched };
const joined = (partnerId: string, name: string): PendingEvent => ({
  type: 'PartnerJoined',
  data: { initiativeId, partnerId, name, sector: 'nonprofit', primaryInterests: [], isBackbone: false },
});
const left = (partnerId: string): PendingEvent => ({ type: 'PartnerLeft', data: { initiativeId, partnerId, reason: 'Closed' } });
const goal: PendingEvent = { type: 'GoalAdopted', data: samples.GoalAdopted };
const strategy: PendingEvent = { type: 'StrategyAdopted', data: samples.StrategyAdopted };
const assigned = (partnerId: string, role: 'R' | 'A' | 'C' | 'I'): PendingEvent => ({
  type: 'ResponsibilityAssigned',
  data: { initiativeId, strategyId: ids.strategy, partnerId, role },
});

/** Launched, two partners (Foundation, Families United), a goal and a strategy under it. */
const agenda: PendingEvent[] = [
  launched,
  joined(ids.partner, 'Riverside Community Foundation'),
  joined(ids.partner2, 'Families United'),
  goal,
  strategy,
];

t.test('initiativeStream names the stream', async (t) => {
  t.equal(initiativeStream(initiativeId), `initiative-${initiativeId}`);
});

t.test('LaunchInitiative', async (t) => {
  t.test('launches, keeping the command shape of POST /initiatives', async () => {
    given([])
      .when({ type: 'LaunchInitiative', ...samples.InitiativeLaunched })
      .then([launched]);
  });
  t.test('an absent geography is absent from the event', async () => {
    given([])
      .when({ type: 'LaunchInitiative', initiativeId, name: 'Clean River', problemStatement: 'Runoff', geography: undefined })
      .then([{ type: 'InitiativeLaunched', data: { initiativeId, name: 'Clean River', problemStatement: 'Runoff' } }]);
  });
  t.test('launching twice is a rule violation', async () => {
    given([launched])
      .when({ type: 'LaunchInitiative', ...samples.InitiativeLaunched })
      .thenThrows(RuleViolationError, 'already launched');
  });
});

t.test('every other command needs a launched initiative (404)', async (t) => {
  const commands: InitiativeCommand[] = [
    { type: 'AddPartner', initiativeId, partnerId: ids.partner, name: 'A', sector: 'business', primaryInterests: [] },
    { type: 'RecordPartnerDeparture', initiativeId, partnerId: ids.partner, reason: 'r' },
    { type: 'AdoptGoal', initiativeId, goalId: ids.goal, title: 'g' },
    { type: 'ReviseGoal', initiativeId, goalId: ids.goal, title: 'g', reason: 'r' },
    { type: 'AdoptStrategy', initiativeId, strategyId: ids.strategy, goalId: ids.goal, title: 's' },
    { type: 'AssignResponsibility', initiativeId, strategyId: ids.strategy, partnerId: ids.partner, role: 'R' },
    { type: 'LogActivity', initiativeId, activityId: ids.activity, title: 'a', kind: 'event', date: '2024-01-01', partnerIds: [] },
    { type: 'RecordLesson', initiativeId, lessonId: ids.lesson, kind: 'success', title: 't', whatHappened: 'h', whatWeLearned: 'l' },
  ];
  for (const command of commands) {
    t.test(command.type, async () => {
      given([]).when(command).thenThrows(NotFoundError, 'was not launched');
    });
  }
});

t.test('AddPartner', async (t) => {
  const add = (partnerId: string, name: string, isBackbone?: boolean): InitiativeCommand => ({
    type: 'AddPartner',
    initiativeId,
    partnerId,
    name,
    sector: 'nonprofit',
    primaryInterests: [],
    ...(isBackbone === undefined ? {} : { isBackbone }),
  });
  t.test('a partner joins; isBackbone defaults to false', async () => {
    given([launched]).when(add(ids.partner2, 'Families United')).then([joined(ids.partner2, 'Families United')]);
  });
  t.test('the backbone joins', async () => {
    given([launched])
      .when({ type: 'AddPartner', ...samples.PartnerJoined })
      .then([{ type: 'PartnerJoined', data: samples.PartnerJoined }]);
  });
  t.test('names are unique without regard to case or spacing (409 naming the partner)', async (t) => {
    const error = given(agenda)
      .when(add(partner3, '  families   UNITED '))
      .thenThrows(RuleViolationError, 'already in this initiative');
    t.same(error.extensions, { existingPartnerId: ids.partner2 });
    t.equal(error.status, 409);
  });
  t.test('a partner who left keeps its name', async () => {
    given([...agenda, left(ids.partner2)]).when(add(partner3, 'Families United')).thenThrows(RuleViolationError);
  });
  t.test('a partner id joins once', async () => {
    given(agenda).when(add(ids.partner2, 'Another name')).thenThrows(RuleViolationError, 'already joined');
  });
});

t.test('RecordPartnerDeparture', async (t) => {
  const depart: InitiativeCommand = { type: 'RecordPartnerDeparture', initiativeId, partnerId: ids.partner2, reason: 'Closed' };
  t.test('records PartnerLeft', async () => {
    given(agenda).when(depart).then([left(ids.partner2)]);
  });
  t.test('an unknown partner is not found', async () => {
    given([launched]).when(depart).thenThrows(NotFoundError);
  });
  t.test('a partner leaves once', async () => {
    given([...agenda, left(ids.partner2)]).when(depart).thenThrows(RuleViolationError, 'already left');
  });
});

t.test('goals', async (t) => {
  t.test('AdoptGoal adopts a goal', async () => {
    given([launched]).when({ type: 'AdoptGoal', ...samples.GoalAdopted }).then([goal]);
  });
  t.test('AdoptGoal refuses a goal id already used', async () => {
    given([launched, goal]).when({ type: 'AdoptGoal', ...samples.GoalAdopted }).thenThrows(RuleViolationError);
  });
  t.test('ReviseGoal revises an adopted goal', async () => {
    given([launched, goal])
      .when({ type: 'ReviseGoal', initiativeId, goalId: ids.goal, title: 'Every child ready for school', reason: 'Broadened scope', description: undefined })
      .then([{ type: 'GoalRevised', data: samples.GoalRevised }]);
  });
  t.test('ReviseGoal of an unknown goal is not found', async () => {
    given([launched]).when({ type: 'ReviseGoal', ...samples.GoalRevised }).thenThrows(NotFoundError);
  });
  t.test('a revision that changes nothing is refused by the catalog (400)', async () => {
    given([launched, goal])
      .when({ type: 'ReviseGoal', initiativeId, goalId: ids.goal, reason: 'none' })
      .thenThrows(ValidationError);
  });
});

t.test('AdoptStrategy', async (t) => {
  t.test('adopts a strategy under an adopted goal', async () => {
    given([launched, goal]).when({ type: 'AdoptStrategy', ...samples.StrategyAdopted }).then([strategy]);
  });
  t.test('the goal must exist', async () => {
    given([launched])
      .when({ type: 'AdoptStrategy', ...samples.StrategyAdopted })
      .thenThrows(RuleViolationError, 'is not a goal');
  });
  t.test('a strategy id is adopted once', async () => {
    given(agenda)
      .when({ type: 'AdoptStrategy', ...samples.StrategyAdopted })
      .thenThrows(RuleViolationError, 'already adopted');
  });
});

t.test('AssignResponsibility (RACI)', async (t) => {
  const assign = (partnerId: string, role: 'R' | 'A' | 'C' | 'I', strategyId: string = ids.strategy): InitiativeCommand => ({
    type: 'AssignResponsibility',
    initiativeId,
    strategyId,
    partnerId,
    role,
  });
  t.test('assigns a role', async () => {
    given(agenda).when(assign(ids.partner, 'A')).then([assigned(ids.partner, 'A')]);
  });
  t.test('the strategy must exist', async () => {
    given(agenda).when(assign(ids.partner, 'R', uuid(99))).thenThrows(RuleViolationError, 'is not a strategy');
  });
  t.test('the partner must exist', async () => {
    given(agenda).when(assign(partner3, 'R')).thenThrows(RuleViolationError, 'is not a partner');
  });
  t.test('the partner must be active', async () => {
    given([...agenda, left(ids.partner2)]).when(assign(ids.partner2, 'C')).thenThrows(RuleViolationError, 'has left');
  });
  t.test('a second accountable partner is refused, naming the current one', async (t) => {
    const error = given([...agenda, assigned(ids.partner, 'A')])
      .when(assign(ids.partner2, 'A'))
      .thenThrows(RuleViolationError, 'already has an accountable partner');
    t.same(error.extensions, { accountablePartnerId: ids.partner });
  });
  t.test('accountability moves once the holder has another role', async () => {
    given([...agenda, assigned(ids.partner, 'A'), assigned(ids.partner, 'R')])
      .when(assign(ids.partner2, 'A'))
      .then([assigned(ids.partner2, 'A')]);
  });
  t.test('an accountable partner who left no longer blocks a new one', async () => {
    given([...agenda, assigned(ids.partner2, 'A'), left(ids.partner2)])
      .when(assign(ids.partner, 'A'))
      .then([assigned(ids.partner, 'A')]);
  });
  t.test("a partner's own cell changes letter", async () => {
    given([...agenda, assigned(ids.partner, 'R')]).when(assign(ids.partner, 'A')).then([assigned(ids.partner, 'A')]);
  });
  t.test('assigning the role a partner already holds is refused', async () => {
    given([...agenda, assigned(ids.partner, 'C')])
      .when(assign(ids.partner, 'C'))
      .thenThrows(RuleViolationError, 'already holds');
  });
});

t.test('LogActivity', async (t) => {
  const activity = samples.ActivityLogged;
  t.test('logs an activity under a strategy with its partners', async () => {
    given(agenda).when({ type: 'LogActivity', ...activity }).then([{ type: 'ActivityLogged', data: activity }]);
  });
  t.test('without a strategy', async () => {
    const { strategyId: _s, minutes: _m, outputs: _o, ...bare } = activity;
    given(agenda)
      .when({ type: 'LogActivity', ...bare, partnerIds: [] })
      .then([{ type: 'ActivityLogged', data: { ...bare, partnerIds: [] } }]);
  });
  t.test('a strategy given must exist', async () => {
    given(agenda)
      .when({ type: 'LogActivity', ...activity, strategyId: uuid(99) })
      .thenThrows(RuleViolationError, 'is not a strategy');
  });
  t.test('every partner involved must be a partner of the initiative', async () => {
    given(agenda)
      .when({ type: 'LogActivity', ...activity, partnerIds: [ids.partner, partner3] })
      .thenThrows(RuleViolationError, partner3);
  });
  t.test('a partner who has since left may be named (the activity is history)', async () => {
    given([...agenda, left(ids.partner2)])
      .when({ type: 'LogActivity', ...activity })
      .then([{ type: 'ActivityLogged', data: activity }]);
  });
});

t.test('RecordLesson', async (t) => {
  const lesson = samples.LessonRecorded;
  t.test('records a lesson about a strategy', async () => {
    given(agenda).when({ type: 'RecordLesson', ...lesson }).then([{ type: 'LessonRecorded', data: lesson }]);
  });
  t.test('about a goal and its strategy', async () => {
    given(agenda)
      .when({ type: 'RecordLesson', ...lesson, goalId: ids.goal })
      .then([{ type: 'LessonRecorded', data: { ...lesson, goalId: ids.goal } }]);
  });
  t.test('the goal must exist', async () => {
    given(agenda)
      .when({ type: 'RecordLesson', ...lesson, strategyId: undefined, goalId: uuid(98) })
      .thenThrows(RuleViolationError, 'is not a goal');
  });
  t.test('the strategy must exist', async () => {
    given(agenda)
      .when({ type: 'RecordLesson', ...lesson, strategyId: uuid(99) })
      .thenThrows(RuleViolationError, 'is not a strategy');
  });
  t.test('a strategy named with a goal must serve that goal', async () => {
    const otherGoal: PendingEvent = { type: 'GoalAdopted', data: { initiativeId, goalId: uuid(98), title: 'Other' } };
    given([...agenda, otherGoal])
      .when({ type: 'RecordLesson', ...lesson, goalId: uuid(98) })
      .thenThrows(RuleViolationError, 'serves goal');
  });
});

t.test('initiativeFacts gives other deciders what the initiative knows', async (t) => {
  const state = [...agenda, left(ids.partner2)].reduce(initiativeDecider.evolve, initiativeDecider.initialState());
  const facts = initiativeFacts(state);
  t.equal(facts.initiativeId, initiativeId);
  t.same([...facts.partners], [[ids.partner, 'active'], [ids.partner2, 'left']]);
  t.same([...facts.goalIds], [ids.goal]);
  t.same([...facts.strategyIds], [ids.strategy]);
  t.throws(() => initiativeFacts(initiativeDecider.initialState()), NotFoundError);
});

t.test('evolve ignores events of other streams', async (t) => {
  const state = initiativeDecider.initialState();
  t.equal(initiativeDecider.evolve(state, { type: 'VoteCast', data: samples.VoteCast }), state);
});

t.test('a command for another initiative sent to this stream is a caller bug, not a rule', async () => {
  given([launched])
    .when({ type: 'AdoptGoal', initiativeId: uuid(55), goalId: ids.goal, title: 'g' })
    .thenThrows(Error, 'was sent to the stream of');
});

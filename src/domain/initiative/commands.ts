import type { Sector, RaciRole } from '../../events/common.js';
import type { ActivityKind, LessonKind } from '../../events/initiative.js';

/**
 * Commands on the initiative aggregate (stream `initiative-<id>`): the common agenda and its partners. Every
 * rule here is checked against the initiative's own stream, so these commands carry no `context`; ids are
 * made by the caller (server-made UUIDs).
 */
export interface LaunchInitiative {
  type: 'LaunchInitiative';
  initiativeId: string;
  name: string;
  problemStatement: string;
  geography?: string;
}

export interface AddPartner {
  type: 'AddPartner';
  initiativeId: string;
  partnerId: string;
  name: string;
  sector: Sector;
  primaryInterests: string[];
  isBackbone?: boolean;
}

export interface RecordPartnerDeparture {
  type: 'RecordPartnerDeparture';
  initiativeId: string;
  partnerId: string;
  reason: string;
}

export interface AdoptGoal {
  type: 'AdoptGoal';
  initiativeId: string;
  goalId: string;
  title: string;
  description?: string;
}

export interface ReviseGoal {
  type: 'ReviseGoal';
  initiativeId: string;
  goalId: string;
  title?: string;
  description?: string;
  reason: string;
}

export interface AdoptStrategy {
  type: 'AdoptStrategy';
  initiativeId: string;
  strategyId: string;
  goalId: string;
  title: string;
  description?: string;
}

export interface AssignResponsibility {
  type: 'AssignResponsibility';
  initiativeId: string;
  strategyId: string;
  partnerId: string;
  role: RaciRole;
}

export interface LogActivity {
  type: 'LogActivity';
  initiativeId: string;
  activityId: string;
  strategyId?: string;
  title: string;
  kind: ActivityKind;
  date: string;
  partnerIds: string[];
  minutes?: string;
  outputs?: string[];
}

export interface RecordLesson {
  type: 'RecordLesson';
  initiativeId: string;
  lessonId: string;
  kind: LessonKind;
  title: string;
  whatHappened: string;
  whatWeLearned: string;
  goalId?: string;
  strategyId?: string;
}

export type InitiativeCommand =
  | LaunchInitiative
  | AddPartner
  | RecordPartnerDeparture
  | AdoptGoal
  | ReviseGoal
  | AdoptStrategy
  | AssignResponsibility
  | LogActivity
  | RecordLesson;

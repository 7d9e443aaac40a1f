/** Commands on the initiative aggregate (stream `initiative-<id>`). */
export interface LaunchInitiative {
  type: 'LaunchInitiative';
  initiativeId: string;
  name: string;
  problemStatement: string;
  geography?: string;
}

export type InitiativeCommand = LaunchInitiative;

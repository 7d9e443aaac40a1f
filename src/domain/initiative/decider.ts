import type { Decider, PendingEvent } from '../decider.js';
import { RuleViolationError } from '../decider.js';
import type { InitiativeCommand } from './commands.js';

export interface InitiativeState {
  launched: boolean;
  initiativeId?: string;
  name?: string;
}

const initialState = (): InitiativeState => ({ launched: false });

const decide = (command: InitiativeCommand, state: InitiativeState): PendingEvent[] => {
  switch (command.type) {
    case 'LaunchInitiative': {
      if (state.launched) throw new RuleViolationError(`initiative ${command.initiativeId} was already launched`);
      const { type: _type, ...data } = command;
      return [{ type: 'InitiativeLaunched', data }];
    }
  }
};

const evolve = (state: InitiativeState, event: PendingEvent): InitiativeState => {
  switch (event.type) {
    case 'InitiativeLaunched':
      return { ...state, launched: true, initiativeId: event.data.initiativeId, name: event.data.name };
    default:
      return state;
  }
};

export const initiativeDecider: Decider<InitiativeState, InitiativeCommand> = { decide, evolve, initialState };

export const initiativeStream = (initiativeId: string): string => `initiative-${initiativeId}`;

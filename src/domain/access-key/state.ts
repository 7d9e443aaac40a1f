import type { KeyRole } from '../../events/access.js';
import type { PendingEvent } from '../decider.js';

export interface AccessKeyState {
  key?: { keyId: string; role: KeyRole; initiativeId?: string };
  revoked: boolean;
}

export const initialState = (): AccessKeyState => ({ revoked: false });

export const evolve = (state: AccessKeyState, event: PendingEvent): AccessKeyState => {
  switch (event.type) {
    case 'AccessKeyIssued': {
      const { keyId, role, initiativeId } = event.data;
      return { ...state, key: { keyId, role, ...(initiativeId ? { initiativeId } : {}) } };
    }
    case 'AccessKeyRevoked':
      return { ...state, revoked: true };
    default:
      return state;
  }
};

import { NotFoundError } from '../../errors.js';
import { compact } from '../compact.js';
import { assertActivePartner, assertFactsFor, type InitiativeContext } from '../context.js';
import { type PendingEvent, RuleViolationError } from '../decider.js';
import type { RiskCommand } from './commands.js';
import type { RiskState } from './state.js';

/** 404 unless raised, 409 once closed: a closed risk is neither reviewed nor closed again. */
const requireOpenRisk = (state: RiskState, command: { riskId: string; context: InitiativeContext }) => {
  const { risk } = state;
  if (!risk) throw new NotFoundError(`risk ${command.riskId} was not raised`);
  if (risk.riskId !== command.riskId) {
    throw new Error(`command for risk ${command.riskId} was sent to the stream of ${risk.riskId}`);
  }
  assertFactsFor(command.context.initiative, risk.initiativeId);
  if (state.closed) throw new RuleViolationError(`risk ${command.riskId} is closed`);
  return risk;
};

/** The owner of a risk is an active partner of the initiative. */
export const decide = (command: RiskCommand, state: RiskState): PendingEvent[] => {
  switch (command.type) {
    case 'RaiseRisk': {
      const { type: _type, context, ...data } = command;
      if (state.risk) throw new RuleViolationError(`risk ${command.riskId} was already raised`);
      assertFactsFor(context.initiative, command.initiativeId);
      assertActivePartner(context.initiative, command.ownerPartnerId, 'own a risk');
      return [{ type: 'RiskRaised', data: compact(data) }];
    }
    case 'ReviewRisk': {
      const risk = requireOpenRisk(state, command);
      const { type: _type, context, ...rest } = command;
      if (rest.ownerPartnerId !== undefined) assertActivePartner(context.initiative, rest.ownerPartnerId, 'own a risk');
      return [{ type: 'RiskReviewed', data: compact({ initiativeId: risk.initiativeId, ...rest }) }];
    }
    case 'CloseRisk': {
      const risk = requireOpenRisk(state, command);
      const { riskId, resolution, reason } = command;
      return [{ type: 'RiskClosed', data: { initiativeId: risk.initiativeId, riskId, resolution, reason } }];
    }
  }
};

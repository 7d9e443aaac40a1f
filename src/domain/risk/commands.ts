import type { RiskCategory, RiskLevel, RiskResolution } from '../../events/initiative.js';
import type { InitiativeContext } from '../context.js';

/** Commands on the risk aggregate (stream `risk-<id>`): raised, reviewed any number of times, closed once. */
export interface RaiseRisk {
  type: 'RaiseRisk';
  riskId: string;
  initiativeId: string;
  title: string;
  description?: string;
  category: RiskCategory;
  likelihood: RiskLevel;
  impact: RiskLevel;
  ownerPartnerId: string;
  mitigation?: string;
  context: InitiativeContext;
}

export interface ReviewRisk {
  type: 'ReviewRisk';
  riskId: string;
  likelihood: RiskLevel;
  impact: RiskLevel;
  /** A new owner, if the risk changes hands. */
  ownerPartnerId?: string;
  mitigation?: string;
  notes?: string;
  context: InitiativeContext;
}

export interface CloseRisk {
  type: 'CloseRisk';
  riskId: string;
  resolution: RiskResolution;
  reason: string;
  context: InitiativeContext;
}

export type RiskCommand = RaiseRisk | ReviewRisk | CloseRisk;

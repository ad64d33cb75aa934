import { agentWorkspace } from './agent-workspace';
import { automationEngine } from './automation-engine';
import { ExampleDefinition } from './context';
import { messagingGateway } from './messaging-gateway';
import { spatialEtl } from './spatial-etl';
import { workforceManagement } from './workforce-management';

export * from './context';

/** Every reference architecture, in the order `cdk synth` builds them. */
export const EXAMPLES: readonly ExampleDefinition[] = [
  workforceManagement,
  agentWorkspace,
  automationEngine,
  messagingGateway,
  spatialEtl,
];

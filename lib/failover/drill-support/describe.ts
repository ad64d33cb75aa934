import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { DrillDescription, DrillKind, DrillPurpose } from '../drill-description';

/** The one way a drill describes itself for the report: its kind, where it runs, its purpose and its start command. */
export function describeDrill(kind: DrillKind, drill: IConstruct, purpose: DrillPurpose, region: string, startCommand: string): DrillDescription {
  return {
    kind,
    constructPath: drill.node.path,
    stackName: Stack.of(drill).stackName,
    region,
    patternPath: purpose.patternPath,
    patternName: purpose.patternName,
    paths: purpose.paths,
    scenario: purpose.scenario,
    proves: purpose.proves,
    passes: purpose.passes,
    expectedRecoverySeconds: purpose.expectedRecovery ? purpose.expectedRecovery.toMilliseconds() / 1000 : undefined,
    startCommand,
  };
}

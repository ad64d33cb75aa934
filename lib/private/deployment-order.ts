import { Stack, Stage } from 'aws-cdk-lib';

/**
 * Makes `stack` deploy after `dependency` when both are in the same Stage
 * (one `cdk deploy`). Across Stages (CDK Pipelines, one Stage per region)
 * a stack dependency is not allowed: the order of the pipeline's waves
 * gives it instead, as each pattern's README says.
 */
export function addDeploymentOrder(stack: Stack, dependency: Stack, reason: string): void {
  if (Stage.of(stack) === Stage.of(dependency)) stack.addStackDependency(dependency, reason);
}

import { CfnResource, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';

/**
 * A resource's properties as they are synthesized, with escape-hatch
 * overrides (`addPropertyOverride`) applied and tokens of its own stack
 * resolved: what the figures and the analysis must read, not the L1's fields.
 */
export function renderedProperties(resource: CfnResource): Record<string, unknown> {
  // CfnResource renders its overrides in _toCloudFormation (internal, stable across aws-cdk-lib 2.x).
  const template = Stack.of(resource).resolve((resource as unknown as { _toCloudFormation(): unknown })._toCloudFormation()) as
    { Resources: Record<string, { Properties?: Record<string, unknown> }> };
  return Object.values(template.Resources)[0]?.Properties ?? {};
}

/** The environment of a container as synthesized (overrides included): literal values by variable name. */
export function renderedContainerEnvironment(taskDefinition: ecs.TaskDefinition, containerName: string): Record<string, string> {
  const defs = renderedProperties(taskDefinition.node.defaultChild as ecs.CfnTaskDefinition).ContainerDefinitions as
    Array<{ Name?: string; Environment?: Array<{ Name?: string; Value?: unknown }> }> | undefined;
  const env: Record<string, string> = {};
  for (const e of defs?.find(d => d.Name === containerName)?.Environment ?? []) {
    if (e.Name && typeof e.Value === 'string') env[e.Name] = e.Value;
  }
  return env;
}

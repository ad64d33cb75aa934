import { Duration, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { LeaseEnvironment } from '../runtime/protocol';

/** Lease timings as a process receives them. */
export interface LeaseTimings {
  readonly leaseName: string;
  readonly leaseDuration: Duration;
  readonly renewInterval: Duration;
  readonly maxClockSkew: Duration;
}

/**
 * The lease timings as synthesized in a container's environment (so
 * escape-hatch overrides count), falling back to `fallback`.
 */
export function synthesizedLeaseTimings(taskDefinition: ecs.TaskDefinition, containerName: string, fallback: LeaseTimings): LeaseTimings {
  const cfn = taskDefinition.node.defaultChild as ecs.CfnTaskDefinition;
  // The rendered resource, property overrides included.
  const rendered = Stack.of(cfn).resolve((cfn as unknown as { _toCloudFormation(): object })._toCloudFormation()) as {
    Resources: Record<string, { Properties?: { ContainerDefinitions?: Array<{ Name?: string; Environment?: Array<{ Name?: string; Value?: string }> }> } }>;
  };
  const defs = Object.values(rendered.Resources)[0]?.Properties?.ContainerDefinitions;
  const env = (defs?.find(d => d.Name === containerName)?.Environment ?? []).map(e => ({ name: e.Name, value: e.Value }));
  const ms = (key: string, d: Duration) => {
    const v = env.find(e => e.name === key)?.value;
    return v !== undefined && /^\d+$/.test(v) ? Duration.millis(Number(v)) : d;
  };
  return {
    leaseName: env.find(e => e.name === LeaseEnvironment.LEASE_NAME)?.value ?? fallback.leaseName,
    leaseDuration: ms(LeaseEnvironment.DURATION_MS, fallback.leaseDuration),
    renewInterval: ms(LeaseEnvironment.RENEW_INTERVAL_MS, fallback.renewInterval),
    maxClockSkew: ms(LeaseEnvironment.MAX_CLOCK_SKEW_MS, fallback.maxClockSkew),
  };
}

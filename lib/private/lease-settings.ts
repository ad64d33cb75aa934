import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { LeaseEnvironment } from '../runtime/protocol';
import { renderedContainerEnvironment } from './rendered';

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
  const env = renderedContainerEnvironment(taskDefinition, containerName);
  const ms = (key: string, d: Duration) => {
    const v = env[key];
    return v !== undefined && /^\d+$/.test(v) ? Duration.millis(Number(v)) : d;
  };
  return {
    leaseName: env[LeaseEnvironment.LEASE_NAME] ?? fallback.leaseName,
    leaseDuration: ms(LeaseEnvironment.DURATION_MS, fallback.leaseDuration),
    renewInterval: ms(LeaseEnvironment.RENEW_INTERVAL_MS, fallback.renewInterval),
    maxClockSkew: ms(LeaseEnvironment.MAX_CLOCK_SKEW_MS, fallback.maxClockSkew),
  };
}

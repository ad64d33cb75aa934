import * as path from 'path';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { addProbeSchedule, PROBE_FUNCTION_TIMEOUT, PROBE_SAMPLING, probeEnvironment } from '../failover/cross-region-probe';
import { HandlerFunction } from '../private/handler-function';
import { PRIMARY_PROBE_ENV } from './probe-metric';

/** What the probe of a pair's primary connects to. */
export interface PrimaryProbeProps {
  /** The pair's VPC: the function runs in its private subnets (both zones). */
  readonly vpc: ec2.IVpc;
  readonly loadBalancer: elbv2.INetworkLoadBalancer;
  /** The primary's direct TCP port on the load balancer (its target group only). */
  readonly directPort: number;
}

/** The probe function and its schedule. */
export interface PrimaryProbe {
  readonly handler: HandlerFunction;
  readonly schedule: events.Rule;
}

/**
 * The data-plane probe of a warm standby pair's primary: a function in the
 * pair's VPC, started every minute, that opens a TCP connection to the
 * primary's direct listener every 5 s (2 s timeout) and publishes each
 * sample at high resolution, so its alarm may decide in 10-second periods
 * (the load balancer's own metrics come every 60 s). It calls no AWS API.
 */
export function createPrimaryProbe(scope: Construct, props: PrimaryProbeProps): PrimaryProbe {
  const handler = new HandlerFunction(scope, 'PrimaryProbe', {
    entry: path.join(__dirname, 'handler', 'index'),
    description: `${scope.node.path}: samples the primary server through its direct listener every ${PROBE_SAMPLING.interval.toSeconds()} s`,
    timeout: PROBE_FUNCTION_TIMEOUT,
    vpc: props.vpc,
    environment: {
      ...probeEnvironment(),
      [PRIMARY_PROBE_ENV.HOST]: props.loadBalancer.loadBalancerDnsName,
      [PRIMARY_PROBE_ENV.PORT]: String(props.directPort),
      [PRIMARY_PROBE_ENV.PAIR]: scope.node.path,
    },
  });
  const schedule = addProbeSchedule(scope, 'PrimaryProbeSchedule', handler.function,
    `Samples the primary server of ${scope.node.path} through its direct listener every ${PROBE_SAMPLING.interval.toSeconds()} s`);
  return { handler, schedule };
}

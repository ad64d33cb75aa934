import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';

/**
 * The health check of every HTTP service behind an Application Load
 * Balancer in this library: `path` every `interval` (10 s by default),
 * a timeout just under the interval (2 to 5 s), 2 checks to turn healthy
 * and 2 to turn unhealthy, so a failed task leaves service in 2 intervals.
 */
export function serviceHealthCheck(path: string, interval: Duration = Duration.seconds(10)): elbv2.HealthCheck {
  return {
    path,
    interval,
    timeout: Duration.seconds(Math.max(2, Math.min(5, interval.toSeconds() - 1))),
    healthyThresholdCount: 2,
    unhealthyThresholdCount: 2,
  };
}

/** Options of `createServiceTargetGroup`. */
export interface ServiceTargetGroupOptions {
  readonly vpc: ec2.IVpc;
  /** The container port. */
  readonly port: number;
  readonly healthCheckPath: string;
  /** @default 10 seconds */
  readonly healthCheckInterval?: Duration;
  /** @default registered later (`attachToApplicationTargetGroup`) */
  readonly targets?: elbv2.IApplicationLoadBalancerTarget[];
}

/**
 * An HTTP target group of Fargate tasks (IP targets) with the library's
 * health check and a 30 s deregistration delay.
 */
export function createServiceTargetGroup(scope: Construct, id: string, options: ServiceTargetGroupOptions): elbv2.ApplicationTargetGroup {
  return new elbv2.ApplicationTargetGroup(scope, id, {
    vpc: options.vpc,
    port: options.port,
    protocol: elbv2.ApplicationProtocol.HTTP,
    targetType: elbv2.TargetType.IP,
    deregistrationDelay: Duration.seconds(30),
    healthCheck: serviceHealthCheck(options.healthCheckPath, options.healthCheckInterval),
    targets: options.targets,
  });
}

import { Duration, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { HaValidationError } from '../core/errors';
import {
  isContainerImage, isVpc, requireDefined, requireDurationBetween, requireFargateSize, requireHealthCheckPath, requireInteger, requireSubnets,
} from '../core/validation';
import { WebTierSiteProps } from './web-tier-site-props';

/** Checks the props of a `WebTierSite`, in the order its tests expect the first error. */
export function validateWebTierSiteProps(scope: Construct, props: WebTierSiteProps): void {
  requireDefined(scope, 'image', props.image, 'the container image, e.g. ContainerImage.fromRegistry(...)', isContainerImage);
  if (props.vpc !== undefined) requireDefined(scope, 'vpc', props.vpc, 'an ec2.IVpc with public and private subnets in at least two zones', isVpc);
  requireDefined(scope, 'activeCapacity', props.activeCapacity, 'N, the tasks that carry the full load (an integer from 1 to 98)');
  requireInteger(scope, 'activeCapacity', props.activeCapacity, 1, 98);
  requireFargateSize(scope, 'cpu', 'memoryLimitMiB', props.cpu ?? 512, props.memoryLimitMiB ?? 1024);
  requireInteger(scope, 'runningTasks', props.runningTasks, 0, props.activeCapacity + 1);
  requireInteger(scope, 'containerPort', props.containerPort, 1, 65535);
  requireInteger(scope, 'serverErrorThreshold', props.serverErrorThreshold, 1);
  requireDurationBetween(scope, 'targetHealthCheckInterval', props.targetHealthCheckInterval, Duration.seconds(5), Duration.seconds(300));
  // Elastic Load Balancing keeps a stickiness cookie 1 s to 7 days; 0 turns stickiness off.
  requireDurationBetween(scope, 'stickinessDuration', props.stickinessDuration, Duration.seconds(0), Duration.days(7));
  requireHealthCheckPath(scope, 'healthCheckPath', props.healthCheckPath ?? '/health');
  if (props.vpc && !Token.isUnresolved(props.vpc.availabilityZones) && props.vpc.availabilityZones.length < 2) {
    throw new HaValidationError(scope, { prop: 'vpc', received: `${props.vpc.availabilityZones.length} availability zone(s)`, expected: 'a VPC across at least two availability zones' });
  }
  if (props.vpc) {
    requireSubnets(scope, 'vpc', props.vpc, ec2.SubnetType.PUBLIC, 'the internet-facing load balancer lives in them');
    requireSubnets(scope, 'vpc', props.vpc, ec2.SubnetType.PRIVATE_WITH_EGRESS, 'the tasks run in them and pull their image through NAT');
  }
}

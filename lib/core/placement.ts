import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';

/**
 * Where a multi-region pattern puts its part in one more region.
 *
 * The placement model of every multi-region pattern: the user creates the
 * stacks, one per region (in one Stage, or one Stage per region for CDK
 * Pipelines waves); the pattern lives in the stack it is created in (its
 * home region) and puts each other region's part in that region's stack,
 * under a scope named from the pattern's path, so several patterns share
 * the same stacks without id collisions. The pattern never creates stacks,
 * so its warnings and errors reach the cloud assembly.
 */
export interface RegionalPlacement {
  /** The stack of the region: an explicit `env` (account and region). */
  readonly stack: Stack;
  /**
   * The VPC the pattern's part uses in that region (for example the one its database lives in).
   * @default a new VPC across 2 availability zones with flow logs and a NAT gateway per zone
   */
  readonly vpc?: ec2.IVpc;
}


import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { createHaVpc } from '../../lib/private/network';

/**
 * A VPC like `createHaVpc`'s with its own CIDR: the sites of a multi-region
 * pattern route to each other (peering or transit gateway), so their ranges must not overlap.
 */
export function siteVpc(scope: Construct, id: string, cidr: string): ec2.Vpc {
  return createHaVpc(scope, id, 2, cidr);
}

import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { InterRegionVpcPeering } from '../../lib/network';
import { createHaVpc } from '../../lib/private/network';

/**
 * A VPC like `createHaVpc`'s with its own CIDR: the sites of a multi-region
 * pattern route to each other (peering or transit gateway), so their ranges must not overlap.
 */
export function siteVpc(scope: Construct, id: string, cidr: string): ec2.Vpc {
  return createHaVpc(scope, id, 2, cidr);
}

/** Two site VPCs in two regions' stacks, peered (the peering in the secondary's stack, which deploys second). */
export interface PeeredVpcs {
  /** The primary stack's VPC, 10.0.0.0/16. */
  readonly primaryVpc: ec2.Vpc;
  /** The secondary stack's VPC, 10.1.0.0/16. */
  readonly secondaryVpc: ec2.Vpc;
  /** The peering between them. */
  readonly peering: InterRegionVpcPeering;
}

/**
 * A VPC with id `Vpc` in each stack, with non-overlapping CIDRs, and
 * `InterRegionVpcPeering` 'Peering' in `secondaryStack`: the route that the
 * cross-region paths (a writer probe, a standby's proxy) need.
 */
export function peeredVpcs(primaryStack: Construct, secondaryStack: Construct): PeeredVpcs {
  const primaryVpc = siteVpc(primaryStack, 'Vpc', '10.0.0.0/16');
  const secondaryVpc = siteVpc(secondaryStack, 'Vpc', '10.1.0.0/16');
  const peering = new InterRegionVpcPeering(secondaryStack, 'Peering', { vpc: secondaryVpc, peerVpc: primaryVpc });
  return { primaryVpc, secondaryVpc, peering };
}

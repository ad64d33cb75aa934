/**
 * What `InterRegionVpcPeering`'s custom resources and their handler agree
 * on: resource types, tag values and properties. Every property is a
 * literal fixed at synthesis (or, for the routes, the peering connection of
 * the same stack), so CloudFormation invokes the handler only when the
 * peering itself changes: a redeploy of either stack during the other
 * region's outage never calls that region.
 */

/** Finds the peer VPC in its region by tag; returns its id (`VpcId`). */
export const PEER_VPC_RESOURCE_TYPE = 'Custom::InterRegionPeerVpc';
/** Adds (and on delete removes) the peer side's routes to this side's CIDR. */
export const PEER_ROUTES_RESOURCE_TYPE = 'Custom::InterRegionPeerRoutes';

/** The value of the peering's tag on the peer VPC. */
export const PEER_TAG_VPC = 'vpc';
/** The value of the peering's tag on each peer route table that gets a route. */
export const PEER_TAG_ROUTE_TABLE = 'route-table';

/** Properties of `Custom::InterRegionPeerVpc`. */
export interface PeerVpcProperties {
  /** The peer VPC's region. */
  readonly Region: string;
  /** The tag key the construct put on the peer VPC (value `vpc`). */
  readonly TagKey: string;
  /** The peer VPC's IPv4 CIDR, as synthesized: the VPC found must have it. */
  readonly CidrBlock: string;
}

/** Properties of `Custom::InterRegionPeerRoutes`. */
export interface PeerRoutesProperties {
  /** The peer VPC's region. */
  readonly Region: string;
  /** The tag key of the peering (value `vpc` on the VPC, `route-table` on the route tables to route from). */
  readonly TagKey: string;
  /** This side's CIDR: the destination of the peer side's routes. */
  readonly DestinationCidrBlock: string;
  /** The peering connection (same id in both regions). */
  readonly VpcPeeringConnectionId: string;
}

import { Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';

/** A route between two VPCs that the app creates or declares. */
export interface KnownNetworkRoute {
  readonly from: ec2.IVpc;
  readonly to: ec2.IVpc;
  /** Whether `to` reaches `from` as well (a peering connection carries both ways). */
  readonly bothWays: boolean;
  /** A construct of the app it belongs to (the construct that creates it, or the scope it was declared on). */
  readonly owner: IConstruct;
  /** What made it: an `InterRegionVpcPeering` or a `NetworkRoute`. */
  readonly source: object;
}

/** The routes of each construct tree (keyed by its root), for `InterRegionVpcPeering.between` and the analysis. */
const routesByRoot = new WeakMap<IConstruct, KnownNetworkRoute[]>();

/** Records a route of `route.owner`'s app. */
export function registerNetworkRoute(route: KnownNetworkRoute): void {
  const root = route.owner.node.root;
  const routes = routesByRoot.get(root) ?? [];
  routes.push(route);
  routesByRoot.set(root, routes);
}

/** The routes that let `from` reach `to`, in the order they were made. */
export function networkRoutesFor(from: ec2.IVpc, to: ec2.IVpc): KnownNetworkRoute[] {
  return (routesByRoot.get(from.node.root) ?? [])
    .filter(r => (r.from === from && r.to === to) || (r.bothWays && r.from === to && r.to === from));
}

/**
 * Whether `from` reaches `to` without a route between regions: the same
 * VPC, or two VPCs in the same region (the same stack when a region is not
 * known at synthesis).
 */
export function sameRegionNetwork(from: ec2.IVpc, to: ec2.IVpc): boolean {
  if (from === to) return true;
  const a = Stack.of(from);
  const b = Stack.of(to);
  if (a === b) return true;
  return !Token.isUnresolved(a.region) && !Token.isUnresolved(b.region) && a.region === b.region;
}

/** `Primary/Vpc (eu-west-1)`: a VPC for messages. */
export function describeVpc(vpc: ec2.IVpc): string {
  const region = Stack.of(vpc).region;
  return `${vpc.node.path} (${Token.isUnresolved(region) ? 'region unknown at synthesis' : region})`;
}

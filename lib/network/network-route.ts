import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { HaValidationError } from '../core/errors';
import { networkRoutesFor, registerNetworkRoute } from '../private/network-routes';

/** How a network route you manage yourself connects two VPCs. */
export enum NetworkRouteKind {
  /** A transit gateway (peered between regions) with routes to it in both VPCs. */
  TRANSIT_GATEWAY = 'transit-gateway',
  /** A VPC peering connection you create and route yourself (not an `InterRegionVpcPeering`). */
  VPC_PEERING = 'vpc-peering',
  /** An interface endpoint (AWS PrivateLink) in `fromVpc` for a service in `toVpc`. */
  PRIVATE_LINK = 'private-link',
  /** A public endpoint of `toVpc`, reached over TLS with authentication (no private route). */
  PUBLIC_TLS_ENDPOINT = 'public-tls-endpoint',
}

/** Props of `NetworkRoute.declare`. */
export interface NetworkRouteProps {
  /** The VPC the connections start from. */
  readonly fromVpc: ec2.IVpc;
  /** The VPC they reach. */
  readonly toVpc: ec2.IVpc;
  /** How they get there. */
  readonly kind: NetworkRouteKind;
  /** What carries the traffic (the transit gateway, the endpoint service, the name), for reviewers and the report. */
  readonly description: string;
  /**
   * Whether `toVpc` reaches `fromVpc` as well by the same route.
   * @default false: a route from `fromVpc` to `toVpc` only (declare the other way separately)
   */
  readonly bothWays?: boolean;
}

/**
 * A route between two VPCs of the app that you manage yourself (a transit
 * gateway, PrivateLink, a public endpoint with TLS and authentication),
 * declared so that the failure analysis knows a recovery path's
 * `PathLink.network(fromVpc, toVpc, ...)` has a route. It creates nothing.
 *
 * ```ts
 * NetworkRoute.declare(app, {
 *   fromVpc: standbyVpc, toVpc: primaryVpc, kind: NetworkRouteKind.TRANSIT_GATEWAY, bothWays: true,
 *   description: 'corporate transit gateway tgw-0123 (peered eu-west-1 <-> us-east-1)',
 * });
 * ```
 */
export class NetworkRoute {
  /**
   * Declares that `fromVpc` reaches `toVpc` by a route you manage.
   * @param scope any construct of the app (the declaration holds for the whole app)
   */
  public static declare(scope: IConstruct, props: NetworkRouteProps): NetworkRoute {
    if (props.fromVpc === props.toVpc) {
      throw new HaValidationError(scope, { prop: 'toVpc', received: props.toVpc.node.path, expected: 'another VPC than fromVpc: a VPC reaches itself without a route' });
    }
    if (!props.description || props.description.trim().length < 10) {
      throw new HaValidationError(scope, { prop: 'description', received: props.description, expected: 'what carries the traffic (the transit gateway, endpoint service or name), at least a few words' });
    }
    if (props.fromVpc.node.root !== props.toVpc.node.root || scope.node.root !== props.fromVpc.node.root) {
      throw new HaValidationError(scope, { prop: 'toVpc', received: props.toVpc.node.path, expected: 'VPCs of the same app as scope' });
    }
    const route = new NetworkRoute(scope, props);
    registerNetworkRoute({ from: props.fromVpc, to: props.toVpc, bothWays: props.bothWays ?? false, owner: scope, source: route });
    return route;
  }

  /** The first route declared with `declare` that lets `fromVpc` reach `toVpc`, if any. */
  public static find(fromVpc: ec2.IVpc, toVpc: ec2.IVpc): NetworkRoute | undefined {
    return networkRoutesFor(fromVpc, toVpc).map(r => r.source).find((d): d is NetworkRoute => d instanceof NetworkRoute);
  }

  /** The VPC the connections start from. */
  public readonly fromVpc: ec2.IVpc;
  /** The VPC they reach. */
  public readonly toVpc: ec2.IVpc;
  /** How they get there. */
  public readonly kind: NetworkRouteKind;
  /** What carries the traffic. */
  public readonly description: string;
  /** Whether `toVpc` reaches `fromVpc` as well. */
  public readonly bothWays: boolean;
  /** The construct the route was declared on. */
  public readonly scope: IConstruct;

  private constructor(scope: IConstruct, props: NetworkRouteProps) {
    this.scope = scope;
    this.fromVpc = props.fromVpc;
    this.toVpc = props.toVpc;
    this.kind = props.kind;
    this.description = props.description;
    this.bothWays = props.bothWays ?? false;
  }
}

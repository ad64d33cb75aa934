import * as path from 'path';
import { Aws, CustomResource, Duration, Names, Stack, Tags, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, IConstruct } from 'constructs';
import { HaValidationError } from '../core/errors';
import { cidrsOverlap, knownCidr } from '../private/cidr';
import { addDeploymentOrder } from '../private/deployment-order';
import { HandlerFunction } from '../private/handler-function';
import { acknowledge } from '../private/network';
import { networkRoutesFor, registerNetworkRoute } from '../private/network-routes';
import { PEER_ROUTES_RESOURCE_TYPE, PEER_TAG_ROUTE_TABLE, PEER_TAG_VPC, PEER_VPC_RESOURCE_TYPE, PeerRoutesProperties, PeerVpcProperties } from './peering-resource';

/** Props of `InterRegionVpcPeering`. */
export interface InterRegionVpcPeeringProps {
  /**
   * The VPC of this construct's stack (the requester): its stack deploys
   * second and holds the peering connection, its routes and the custom
   * resources. Created in the app or imported, with a CIDR known at synthesis.
   */
  readonly vpc: ec2.IVpc;
  /**
   * The VPC in the other region (the accepter), created in the app in a stack
   * of the same account: the construct tags it and its route tables, and
   * its stack deploys first.
   */
  readonly peerVpc: ec2.IVpc;
  /**
   * The subnets routed to the other VPC, on both sides.
   * @default [ec2.SubnetType.PRIVATE_WITH_EGRESS, ec2.SubnetType.PRIVATE_ISOLATED]: the subnets of those types each VPC has
   */
  readonly subnetTypes?: ec2.SubnetType[];
}

const DEFAULT_SUBNET_TYPES = [ec2.SubnetType.PRIVATE_WITH_EGRESS, ec2.SubnetType.PRIVATE_ISOLATED];

/**
 * A VPC peering connection between two VPCs of one account in two regions,
 * with routes both ways from the chosen subnets, and nothing else: the
 * security-group rules stay with the patterns, which know their ports.
 *
 * Neither stack refers to the other (no CDK cross-region reference, strong
 * or weak), because either region may be down when the other redeploys:
 * - the peering connection (`AWS::EC2::VPCPeeringConnection` with
 *   `PeerRegion`) lives in `vpc`'s stack, which deploys after `peerVpc`'s
 *   (a stack dependency when both are in one Stage; across Stages, order the
 *   waves). In one account CloudFormation accepts the request itself, no
 *   peering role and no accepter step;
 * - the peer VPC's id is not passed: the construct tags the peer VPC and
 *   the route tables to route from with a literal key derived from its path
 *   (`tagKey`), and a custom resource in `vpc`'s stack finds them in the peer
 *   region at deploy time and adds (and on delete removes) the peer side's
 *   routes there;
 * - the custom resources' properties are literals (region, tag key, CIDRs)
 *   and the same stack's peering connection, so CloudFormation invokes them
 *   only when the peering changes: a redeploy of either stack during the
 *   other region's outage calls nothing there.
 *
 * Both CIDRs must be known at synthesis and must not overlap.
 */
export class InterRegionVpcPeering extends Construct {
  /**
   * The peering between `a` and `b` in their app (in either direction), if any.
   */
  public static between(a: ec2.IVpc, b: ec2.IVpc): InterRegionVpcPeering | undefined {
    return networkRoutesFor(a, b).map(r => r.source).find((s): s is InterRegionVpcPeering => s instanceof InterRegionVpcPeering);
  }

  /** The peering connection (in `vpc`'s stack). */
  public readonly connection: ec2.CfnVPCPeeringConnection;
  /** Its id: the same in both regions (a token of `vpc`'s stack). */
  public readonly peeringConnectionId: string;
  /** The requester VPC. */
  public readonly vpc: ec2.IVpc;
  /** The accepter VPC. */
  public readonly peerVpc: ec2.IVpc;
  /** The key of the tag on the peer VPC (`vpc`) and on its routed route tables (`route-table`). */
  public readonly tagKey: string;
  /** The routes of `vpc`'s side, to the peer's CIDR. */
  public readonly routes: ec2.CfnRoute[];
  /** The function behind the custom resources (runs in `vpc`'s region, calls the peer's). */
  public readonly handlerFunction: lambda.IFunction;
  /** Its role. */
  public readonly handlerRole: iam.IRole;
  private readonly handler: HandlerFunction;

  constructor(scope: Construct, id: string, props: InterRegionVpcPeeringProps) {
    super(scope, id);
    const { vpc, peerVpc } = props;
    const stack = Stack.of(this);
    const peerStack = Stack.of(peerVpc);
    const sides = validate(this, props);
    this.vpc = vpc;
    this.peerVpc = peerVpc;
    this.tagKey = `cdk-ha-patterns:peering:${Names.uniqueResourceName(this, { maxLength: 64 })}`;
    this.tagPeerSide(sides.peerTables);

    this.handler = new HandlerFunction(this, 'Handler', {
      entry: path.join(__dirname, 'handler', 'index'),
      description: `Finds ${peerVpc.node.path} in ${peerStack.region} and routes it to ${vpc.node.path} (${sides.cidr}) through the peering connection`,
      timeout: Duration.minutes(5),
    });
    this.handlerFunction = this.handler.function;
    this.handlerRole = this.handler.role;

    this.connection = this.connect(sides.peerCidr);
    this.peeringConnectionId = this.connection.ref;
    const peerRoutes = this.routePeerSide(sides.cidr);
    this.routes = this.routeLocalSide(sides.localTables, sides.peerCidr);

    this.grantPeerCalls(peerStack.region, stack.account, peerRoutes);
    registerNetworkRoute({ from: vpc, to: peerVpc, bothWays: true, owner: this, source: this });
  }

  /** Tags the peer VPC and its routed route tables, for the handler to find them, and deploys the peer's stack first. */
  private tagPeerSide(peerTables: ec2.CfnRouteTable[]): void {
    const peerStack = Stack.of(this.peerVpc);
    Tags.of(this.peerVpc.node.defaultChild!).add(this.tagKey, PEER_TAG_VPC);
    for (const table of peerTables) Tags.of(table).add(this.tagKey, PEER_TAG_ROUTE_TABLE);
    addDeploymentOrder(Stack.of(this), peerStack, `${this.node.path} finds ${this.peerVpc.node.path} and its route tables by tag in ${peerStack.region}`);
  }

  /** The peering connection, to the peer VPC the `PeerVpc` custom resource finds by tag at deploy time. */
  private connect(peerCidr: string): ec2.CfnVPCPeeringConnection {
    const peerRegion = Stack.of(this.peerVpc).region;
    const lookupProps: PeerVpcProperties = { Region: peerRegion, TagKey: this.tagKey, CidrBlock: peerCidr };
    const peerVpcLookup = new CustomResource(this, 'PeerVpc', {
      serviceToken: this.handler.function.functionArn,
      resourceType: PEER_VPC_RESOURCE_TYPE,
      properties: { ...lookupProps },
    });
    peerVpcLookup.node.addDependency(this.handler.role);

    return new ec2.CfnVPCPeeringConnection(this, 'Resource', {
      vpcId: this.vpc.vpcId,
      peerVpcId: peerVpcLookup.getAttString('VpcId'),
      peerRegion,
      tags: [{ key: 'Name', value: this.node.path }],
    });
  }

  /** The `PeerRoutes` custom resource: routes to `cidr` in the peer's tagged route tables, through the connection. */
  private routePeerSide(cidr: string): CustomResource {
    const routesProps: PeerRoutesProperties = {
      Region: Stack.of(this.peerVpc).region, TagKey: this.tagKey, DestinationCidrBlock: cidr, VpcPeeringConnectionId: this.peeringConnectionId,
    };
    const peerRoutes = new CustomResource(this, 'PeerRoutes', {
      serviceToken: this.handler.function.functionArn,
      resourceType: PEER_ROUTES_RESOURCE_TYPE,
      properties: { ...routesProps },
    });
    peerRoutes.node.addDependency(this.handler.role);
    return peerRoutes;
  }

  /** The routes of `vpc`'s side to the peer's CIDR, one per route table, under `Routes`. */
  private routeLocalSide(localTables: Array<[string, string]>, peerCidr: string): ec2.CfnRoute[] {
    const routesScope = new Construct(this, 'Routes');
    return localTables.map(([subnetId, routeTableId]) => new ec2.CfnRoute(routesScope, subnetId, {
      routeTableId,
      destinationCidrBlock: peerCidr,
      vpcPeeringConnectionId: this.peeringConnectionId,
    }));
  }

  /** Whether this peering connects `a` and `b` (in either order). */
  public connects(a: ec2.IVpc, b: ec2.IVpc): boolean {
    return (a === this.vpc && b === this.peerVpc) || (a === this.peerVpc && b === this.vpc);
  }

  /** What the handler may do in the peer region: describe, and change routes of the tagged route tables through this connection only. */
  private grantPeerCalls(peerRegion: string, account: string, peerRoutes: CustomResource): void {
    const role = this.handler.role;
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ec2:DescribeVpcs', 'ec2:DescribeRouteTables', 'ec2:DescribeVpcPeeringConnections'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:RequestedRegion': peerRegion } },
    }));
    const arn = (resource: string) => `arn:${Aws.PARTITION}:ec2:${peerRegion}:${account}:${resource}`;
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ec2:CreateRoute', 'ec2:ReplaceRoute', 'ec2:DeleteRoute'],
      resources: [arn('route-table/*')],
      conditions: { StringEquals: { [`aws:ResourceTag/${this.tagKey}`]: PEER_TAG_ROUTE_TABLE } },
    }));
    // A route's target is authorized as well: this connection only. In a policy of its own, which the
    // routes wait for: the connection waits for the lookup, which waits for the role's default policy.
    const targetPolicy = new iam.Policy(this, 'RouteTargetPolicy', {
      roles: [role],
      statements: [new iam.PolicyStatement({
        actions: ['ec2:CreateRoute', 'ec2:ReplaceRoute'],
        resources: [arn(`vpc-peering-connection/${this.peeringConnectionId}`)],
      })],
    });
    peerRoutes.node.addDependency(targetPolicy);
    acknowledge(role, {
      'AwsSolutions-IAM5[Resource::*]': 'DescribeVpcs, DescribeRouteTables and DescribeVpcPeeringConnections have no resource-level permissions; ' +
        'the statement is limited to the peer region (aws:RequestedRegion).',
      [`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:${peerRegion}:${account}:route-table/*]`]:
        'The peer route tables are in another region\'s stack and their ids are not passed (no cross-region reference); ' +
        'the statement is limited to the route tables this construct tagged (aws:ResourceTag condition).',
    });
  }
}

/** The checked sides of a peering: both CIDRs, this side's routed `[subnet id, route table id]`s and the peer's route tables. */
interface PeeringSides {
  readonly cidr: string;
  readonly peerCidr: string;
  readonly localTables: Array<[string, string]>;
  readonly peerTables: ec2.CfnRouteTable[];
}

/** Checks the props (stacks, CIDRs, subnet types, routed subnets on both sides) and returns what the peering routes. */
function validate(self: IConstruct, props: InterRegionVpcPeeringProps): PeeringSides {
  const { vpc, peerVpc } = props;
  const subnetTypes = props.subnetTypes ?? DEFAULT_SUBNET_TYPES;
  validateStacks(self, vpc, peerVpc);
  const [cidr, peerCidr] = validateCidrs(self, vpc, peerVpc);
  if (subnetTypes.length === 0) {
    throw new HaValidationError(self, { prop: 'subnetTypes', received: subnetTypes, expected: 'at least one subnet type to route from' });
  }
  const localTables = routeTables(self, vpc, subnetTypes, 'vpc');
  const peerTables = peerRouteTables(self, peerVpc, subnetTypes);
  return { cidr, peerCidr, localTables, peerTables };
}

function validateStacks(self: IConstruct, vpc: ec2.IVpc, peerVpc: ec2.IVpc): void {
  const stack = Stack.of(self);
  if (Stack.of(vpc) !== stack) {
    throw new HaValidationError(self, { prop: 'vpc', received: vpc.node.path, expected: `a VPC of the construct's stack ${stack.node.path}: create the peering in the stack of the VPC that deploys second` });
  }
  const peerStack = Stack.of(peerVpc);
  const regions = [stack.region, peerStack.region];
  if (regions.some(r => Token.isUnresolved(r)) || [stack.account, peerStack.account].some(a => Token.isUnresolved(a))) {
    throw new HaValidationError(self, { prop: 'peerVpc', received: peerVpc.node.path, expected: 'VPCs of stacks with an explicit env (account and region) each' });
  }
  if (peerStack.region === stack.region) {
    throw new HaValidationError(self, { prop: 'peerVpc', received: peerVpc.node.path, expected: `a VPC in another region than ${stack.region}: VPCs of one region need no InterRegionVpcPeering` });
  }
  if (peerStack.account !== stack.account) {
    throw new HaValidationError(self, { prop: 'peerVpc', received: peerVpc.node.path, expected: `a VPC of the same account ${stack.account} (peering across accounts needs a peer role: declare it with NetworkRoute.declare)` });
  }
  if (!(peerVpc.node.defaultChild instanceof ec2.CfnVPC)) {
    throw new HaValidationError(self, { prop: 'peerVpc', received: peerVpc.node.path, expected: 'a VPC created in the app (the construct tags it and its route tables to find them at deploy time); for an imported VPC, peer it yourself and declare it with NetworkRoute.declare' });
  }
}

/** The CIDRs of both VPCs: known at synthesis and disjoint. */
function validateCidrs(self: IConstruct, vpc: ec2.IVpc, peerVpc: ec2.IVpc): [string, string] {
  const cidr = knownCidr(vpc);
  const peerCidr = knownCidr(peerVpc);
  const unknown = 'a VPC whose IPv4 CIDR is known at synthesis (created with ipAddresses, or imported with vpcCidrBlock): routes name it';
  if (!cidr) throw new HaValidationError(self, { prop: 'vpc', received: vpc.node.path, expected: unknown });
  if (!peerCidr) throw new HaValidationError(self, { prop: 'peerVpc', received: peerVpc.node.path, expected: unknown });
  if (cidrsOverlap(cidr, peerCidr)) {
    throw new HaValidationError(self, { prop: 'peerVpc', received: `${peerVpc.node.path} (${peerCidr})`, expected: `a VPC whose CIDR does not overlap vpc's ${cidr}: give one of them another range (ipAddresses)` });
  }
  return [cidr, peerCidr];
}

/** The subnets of `vpc` of the given types (none for a type it has not). */
function subnetsOf(vpc: ec2.IVpc, types: ec2.SubnetType[]): ec2.ISubnet[] {
  const byType = (t: ec2.SubnetType): ec2.ISubnet[] => {
    switch (t) {
      case ec2.SubnetType.PUBLIC: return vpc.publicSubnets;
      case ec2.SubnetType.PRIVATE_ISOLATED: return vpc.isolatedSubnets;
      default: return vpc.privateSubnets;
    }
  };
  return [...new Set(types.flatMap(byType))];
}

/** `[subnet id, route table id]` of each routed subnet of this side (one route per route table). */
function routeTables(self: IConstruct, vpc: ec2.IVpc, types: ec2.SubnetType[], prop: string): Array<[string, string]> {
  const seen = new Set<string>();
  const tables: Array<[string, string]> = [];
  for (const subnet of subnetsOf(vpc, types)) {
    const id = subnet.routeTable.routeTableId;
    const key = Token.isUnresolved(id) ? Stack.of(vpc).resolve(id) : id;
    if (seen.has(JSON.stringify(key))) continue;
    seen.add(JSON.stringify(key));
    tables.push([subnet.node.id, id]);
  }
  if (tables.length === 0) throw noSubnets(self, vpc, types, prop);
  return tables;
}

/** The route tables of the peer's routed subnets, to tag. */
function peerRouteTables(self: IConstruct, peerVpc: ec2.IVpc, types: ec2.SubnetType[]): ec2.CfnRouteTable[] {
  const tables = subnetsOf(peerVpc, types)
    .map(s => s.node.tryFindChild('RouteTable'))
    .filter((t): t is ec2.CfnRouteTable => t instanceof ec2.CfnRouteTable);
  if (tables.length === 0) throw noSubnets(self, peerVpc, types, 'peerVpc');
  return [...new Set(tables)];
}

function noSubnets(self: IConstruct, vpc: ec2.IVpc, types: ec2.SubnetType[], prop: string): HaValidationError {
  return new HaValidationError(self, {
    prop, received: vpc.node.path,
    expected: `a VPC with subnets of the routed types (subnetTypes: ${types.join(', ')}); choose the types it has with subnetTypes`,
  });
}

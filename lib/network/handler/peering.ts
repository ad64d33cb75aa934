import {
  CreateRouteCommand, DeleteRouteCommand, DescribeRouteTablesCommand, DescribeVpcPeeringConnectionsCommand, DescribeVpcsCommand,
  EC2Client, ReplaceRouteCommand, RouteTable,
} from '@aws-sdk/client-ec2';
import { PEER_TAG_ROUTE_TABLE, PEER_TAG_VPC, PeerRoutesProperties, PeerVpcProperties } from '../peering-resource';

/** The part of a CloudFormation custom resource request the peering handler reads. */
export interface PeeringRequest<P> {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResourceType: string;
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: P;
  readonly OldResourceProperties?: P;
}

/** What a request did: the physical id to answer with, the attributes, and a summary for the log. */
export interface PeeringResult {
  readonly physicalResourceId: string;
  readonly data?: Record<string, string>;
  readonly detail: string;
}

/** How long and how often the routes wait for the connection to be active in the peer region. */
export interface WaitOptions {
  readonly attempts: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly intervalMs: number;
}

/** Status codes of a peering connection that may still become active. */
const TRANSIENT = new Set(['initiating-request', 'pending-acceptance', 'provisioning']);

/**
 * `Custom::InterRegionPeerVpc`: finds the peer VPC in its region by the
 * peering's tag and checks its CIDR. Delete does nothing (the peering
 * connection is CloudFormation's, the VPC the other stack's).
 * @param ec2 a client of the peer VPC's region
 */
export async function findPeerVpc(ec2: EC2Client, request: PeeringRequest<PeerVpcProperties>): Promise<PeeringResult> {
  const p = request.ResourceProperties;
  if (request.RequestType === 'Delete') {
    return { physicalResourceId: request.PhysicalResourceId ?? `${p.Region}/${p.TagKey}`, detail: 'nothing to delete' };
  }
  const vpcs = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: `tag:${p.TagKey}`, Values: [PEER_TAG_VPC] }] }))).Vpcs ?? [];
  if (vpcs.length === 0) {
    throw new Error(`peer VPC not found: no VPC in ${p.Region} has the tag ${p.TagKey}=${PEER_TAG_VPC}; deploy the peer VPC's stack first`);
  }
  if (vpcs.length > 1) {
    throw new Error(`${vpcs.length} VPCs in ${p.Region} have the tag ${p.TagKey}=${PEER_TAG_VPC} (${vpcs.map(v => v.VpcId).join(', ')}); expected one`);
  }
  const vpc = vpcs[0];
  if (vpc.CidrBlock !== p.CidrBlock) {
    throw new Error(`the peer VPC ${vpc.VpcId} in ${p.Region} has the CIDR ${vpc.CidrBlock}, expected ${p.CidrBlock} as synthesized`);
  }
  return { physicalResourceId: vpc.VpcId!, data: { VpcId: vpc.VpcId! }, detail: `peer VPC ${vpc.VpcId} (${vpc.CidrBlock}) in ${p.Region}` };
}

/**
 * `Custom::InterRegionPeerRoutes`: on Create and Update, routes the peer
 * side's tagged route tables to `DestinationCidrBlock` through the peering
 * connection (once it is active there), leaving a route already present
 * alone and taking over a stale one (a peering connection that is no more);
 * on Delete, removes the routes through that connection. A change of
 * destination or tag is a new physical id, so CloudFormation deletes the
 * old routes with the old properties.
 * @param ec2 a client of the peer VPC's region
 */
export async function applyPeerRoutes(ec2: EC2Client, request: PeeringRequest<PeerRoutesProperties>, wait: WaitOptions): Promise<PeeringResult> {
  const p = request.ResourceProperties;
  const physicalResourceId = `${p.Region}/${p.TagKey}/${p.DestinationCidrBlock}`;
  if (request.RequestType === 'Delete') {
    const tables = await taggedRouteTables(ec2, p, false);
    const removed = await deleteRoutes(ec2, tables, p);
    return { physicalResourceId: request.PhysicalResourceId ?? physicalResourceId, detail: `removed ${removed.length} route(s): ${removed.join(', ') || 'none'}` };
  }
  await waitUntilActive(ec2, p, wait);
  const tables = await taggedRouteTables(ec2, p, true);
  const changes: string[] = [];
  for (const table of tables) {
    const route = { RouteTableId: table.RouteTableId!, DestinationCidrBlock: p.DestinationCidrBlock, VpcPeeringConnectionId: p.VpcPeeringConnectionId };
    const existing = (table.Routes ?? []).find(r => r.DestinationCidrBlock === p.DestinationCidrBlock);
    if (!existing) {
      await ec2.send(new CreateRouteCommand(route));
      changes.push(`${table.RouteTableId}: created`);
    } else if (existing.VpcPeeringConnectionId === p.VpcPeeringConnectionId) {
      changes.push(`${table.RouteTableId}: already present`);
    } else if (existing.VpcPeeringConnectionId || existing.State === 'blackhole') {
      // Left by an earlier peering connection (replaced, or deleted before its routes): take it over.
      await ec2.send(new ReplaceRouteCommand(route));
      changes.push(`${table.RouteTableId}: replaced ${existing.VpcPeeringConnectionId ?? 'a blackhole route'}`);
    } else {
      const target = existing.TransitGatewayId ?? existing.NatGatewayId ?? existing.GatewayId ?? existing.NetworkInterfaceId ?? existing.InstanceId ?? 'another target';
      throw new Error(`route table ${table.RouteTableId} in ${p.Region} already routes ${p.DestinationCidrBlock} to ${target}; ` +
        'remove that route, or drop the InterRegionVpcPeering and declare your route with NetworkRoute.declare');
    }
  }
  return { physicalResourceId, detail: changes.join('; ') };
}

/** The route tables of the peer VPC tagged for this peering (none when the VPC is gone and `required` is false). */
async function taggedRouteTables(ec2: EC2Client, p: PeerRoutesProperties, required: boolean): Promise<RouteTable[]> {
  const vpcs = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: `tag:${p.TagKey}`, Values: [PEER_TAG_VPC] }] }))).Vpcs ?? [];
  if (vpcs.length !== 1) {
    if (!required) return [];
    throw new Error(`peer VPC not found: ${vpcs.length} VPCs in ${p.Region} have the tag ${p.TagKey}=${PEER_TAG_VPC}, expected one; deploy the peer VPC's stack first`);
  }
  const tables = (await ec2.send(new DescribeRouteTablesCommand({
    Filters: [{ Name: 'vpc-id', Values: [vpcs[0].VpcId!] }, { Name: `tag:${p.TagKey}`, Values: [PEER_TAG_ROUTE_TABLE] }],
  }))).RouteTables ?? [];
  if (tables.length === 0 && required) {
    throw new Error(`no route table of ${vpcs[0].VpcId} in ${p.Region} has the tag ${p.TagKey}=${PEER_TAG_ROUTE_TABLE}; deploy the peer VPC's stack first`);
  }
  return tables;
}

async function deleteRoutes(ec2: EC2Client, tables: RouteTable[], p: PeerRoutesProperties): Promise<string[]> {
  const removed: string[] = [];
  for (const table of tables) {
    const ours = (table.Routes ?? []).some(r => r.DestinationCidrBlock === p.DestinationCidrBlock && r.VpcPeeringConnectionId === p.VpcPeeringConnectionId);
    if (!ours) continue;
    try {
      await ec2.send(new DeleteRouteCommand({ RouteTableId: table.RouteTableId!, DestinationCidrBlock: p.DestinationCidrBlock }));
      removed.push(table.RouteTableId!);
    } catch (e) {
      if ((e as { name?: string }).name !== 'InvalidRoute.NotFound') throw e;
    }
  }
  return removed;
}

/** Waits for the connection to be active in the peer region (it appears there shortly after its creation). */
async function waitUntilActive(ec2: EC2Client, p: PeerRoutesProperties, wait: WaitOptions): Promise<void> {
  let status = 'not found';
  for (let attempt = 1; attempt <= wait.attempts; attempt++) {
    try {
      const found = (await ec2.send(new DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [p.VpcPeeringConnectionId] }))).VpcPeeringConnections ?? [];
      status = found[0]?.Status?.Code ?? 'not found';
    } catch (e) {
      if ((e as { name?: string }).name !== 'InvalidVpcPeeringConnectionID.NotFound') throw e;
      status = 'not found';
    }
    if (status === 'active') return;
    if (status !== 'not found' && !TRANSIENT.has(status)) {
      throw new Error(`the peering connection ${p.VpcPeeringConnectionId} is ${status} in ${p.Region}`);
    }
    if (attempt < wait.attempts) await wait.sleep(wait.intervalMs);
  }
  throw new Error(`the peering connection ${p.VpcPeeringConnectionId} is still ${status} in ${p.Region} after ${wait.attempts} checks`);
}

/** The response CloudFormation expects at `ResponseURL`. */
export function peeringResponse(request: PeeringRequest<unknown>, result?: PeeringResult, error?: unknown): Record<string, unknown> {
  return {
    Status: error === undefined ? 'SUCCESS' : 'FAILED',
    Reason: error === undefined ? 'OK' : String(error).slice(0, 1000),
    // A failed Create has no resource yet: answer with the request's id so a rollback's Delete finds nothing of ours.
    PhysicalResourceId: result?.physicalResourceId ?? request.PhysicalResourceId ?? `failed-${request.RequestId}`,
    StackId: request.StackId,
    RequestId: request.RequestId,
    LogicalResourceId: request.LogicalResourceId,
    ...(result?.data ? { Data: result.data } : {}),
  };
}

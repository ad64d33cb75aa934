/**
 * The custom resources of InterRegionVpcPeering, against a mocked EC2 API of
 * the peer region: the peer VPC lookup, and the peer side's routes on
 * Create, Update and Delete.
 */
import {
  CreateRouteCommand, DeleteRouteCommand, DescribeRouteTablesCommand, DescribeVpcPeeringConnectionsCommand, DescribeVpcsCommand,
  EC2Client, ReplaceRouteCommand, Route, VpcPeeringConnectionStateReasonCode,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../lib/network/handler/index';
import { applyPeerRoutes, findPeerVpc, PeeringRequest, peeringResponse, WaitOptions } from '../../lib/network/handler/peering';
import { PeerRoutesProperties, PeerVpcProperties } from '../../lib/network/peering-resource';

const ec2Mock = mockClient(EC2Client);
const ec2 = new EC2Client({ region: 'eu-west-1' });
const TAG = 'cdk-ha-patterns:peering:StandbyPeering1234';
const PCX = 'pcx-0123456789abcdef0';

function request<P>(type: 'Create' | 'Update' | 'Delete', props: P, physicalId?: string): PeeringRequest<P> {
  return {
    RequestType: type, ResourceType: 'Custom::X', ResponseURL: 'https://cloudformation.example/response', StackId: 'arn:stack', RequestId: 'req-1',
    LogicalResourceId: 'Peering', PhysicalResourceId: physicalId, ResourceProperties: props,
  };
}

const lookup: PeerVpcProperties = { Region: 'eu-west-1', TagKey: TAG, CidrBlock: '10.0.0.0/16' };
const routes: PeerRoutesProperties = { Region: 'eu-west-1', TagKey: TAG, DestinationCidrBlock: '10.1.0.0/16', VpcPeeringConnectionId: PCX };

const sleeps: number[] = [];
const wait: WaitOptions = { attempts: 3, intervalMs: 10_000, sleep: ms => { sleeps.push(ms); return Promise.resolve(); } };

function peerVpcFound(): void {
  ec2Mock.on(DescribeVpcsCommand, { Filters: [{ Name: `tag:${TAG}`, Values: ['vpc'] }] }).resolves({ Vpcs: [{ VpcId: 'vpc-peer', CidrBlock: '10.0.0.0/16' }] });
}

function tables(...routesPerTable: Route[][]): void {
  ec2Mock.on(DescribeRouteTablesCommand, {
    Filters: [{ Name: 'vpc-id', Values: ['vpc-peer'] }, { Name: `tag:${TAG}`, Values: ['route-table'] }],
  }).resolves({ RouteTables: routesPerTable.map((r, i) => ({ RouteTableId: `rtb-${i + 1}`, Routes: r })) });
}

function peeringStatus(...codes: VpcPeeringConnectionStateReasonCode[]): void {
  const on = ec2Mock.on(DescribeVpcPeeringConnectionsCommand, { VpcPeeringConnectionIds: [PCX] });
  codes.reduce((chain, code) => chain.resolvesOnce({ VpcPeeringConnections: [{ VpcPeeringConnectionId: PCX, Status: { Code: code } }] }), on);
}

const local: Route = { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active' };

beforeEach(() => {
  ec2Mock.reset();
  sleeps.length = 0;
});

describe('the peer VPC lookup', () => {
  test('finds the one VPC tagged for the peering and returns its id', async () => {
    peerVpcFound();
    await expect(findPeerVpc(ec2, request('Create', lookup))).resolves.toMatchObject({ physicalResourceId: 'vpc-peer', data: { VpcId: 'vpc-peer' } });
    expect(ec2Mock.commandCalls(DescribeVpcsCommand)).toHaveLength(1);
  });

  test('an update looks it up again (the tag or the CIDR changed)', async () => {
    peerVpcFound();
    await expect(findPeerVpc(ec2, request('Update', lookup, 'vpc-peer'))).resolves.toMatchObject({ data: { VpcId: 'vpc-peer' } });
  });

  test('fails when no VPC has the tag, telling to deploy the peer stack first', async () => {
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
    await expect(findPeerVpc(ec2, request('Create', lookup))).rejects.toThrow(/peer VPC not found: no VPC in eu-west-1 has the tag cdk-ha-patterns:peering:StandbyPeering1234=vpc; deploy the peer VPC's stack first/);
  });

  test('fails when two VPCs have the tag', async () => {
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-a', CidrBlock: '10.0.0.0/16' }, { VpcId: 'vpc-b', CidrBlock: '10.0.0.0/16' }] });
    await expect(findPeerVpc(ec2, request('Create', lookup))).rejects.toThrow(/2 VPCs in eu-west-1 have the tag .* \(vpc-a, vpc-b\); expected one/);
  });

  test('fails when the VPC found has another CIDR than synthesized', async () => {
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-peer', CidrBlock: '10.9.0.0/16' }] });
    await expect(findPeerVpc(ec2, request('Create', lookup))).rejects.toThrow(/vpc-peer in eu-west-1 has the CIDR 10.9.0.0\/16, expected 10.0.0.0\/16/);
  });

  test('delete calls nothing (the connection is CloudFormation\'s, the VPC the other stack\'s)', async () => {
    await expect(findPeerVpc(ec2, request('Delete', lookup, 'vpc-peer'))).resolves.toMatchObject({ physicalResourceId: 'vpc-peer' });
    expect(ec2Mock.calls()).toHaveLength(0);
  });
});

describe('the peer routes', () => {
  test('create: waits for the connection to be active, then routes each tagged table to the other CIDR through it', async () => {
    peerVpcFound();
    peeringStatus('pending-acceptance', 'active');
    tables([local], [local]);
    const result = await applyPeerRoutes(ec2, request('Create', routes), wait);
    expect(result.physicalResourceId).toBe(`eu-west-1/${TAG}/10.1.0.0/16`);
    expect(sleeps).toEqual([10_000]);
    expect(ec2Mock.commandCalls(CreateRouteCommand).map(c => c.args[0].input)).toEqual([
      { RouteTableId: 'rtb-1', DestinationCidrBlock: '10.1.0.0/16', VpcPeeringConnectionId: PCX },
      { RouteTableId: 'rtb-2', DestinationCidrBlock: '10.1.0.0/16', VpcPeeringConnectionId: PCX },
    ]);
  });

  test('a connection not yet visible in the peer region is waited for', async () => {
    peerVpcFound();
    const notFound = Object.assign(new Error('not found'), { name: 'InvalidVpcPeeringConnectionID.NotFound' });
    ec2Mock.on(DescribeVpcPeeringConnectionsCommand).rejectsOnce(notFound).resolves({ VpcPeeringConnections: [{ Status: { Code: 'active' } }] });
    tables([local]);
    await applyPeerRoutes(ec2, request('Create', routes), wait);
    expect(ec2Mock.commandCalls(CreateRouteCommand)).toHaveLength(1);
  });

  test('fails when the connection failed, creating no route', async () => {
    peerVpcFound();
    peeringStatus('failed');
    await expect(applyPeerRoutes(ec2, request('Create', routes), wait)).rejects.toThrow(`the peering connection ${PCX} is failed in eu-west-1`);
    expect(ec2Mock.commandCalls(CreateRouteCommand)).toHaveLength(0);
  });

  test('fails when the connection stays pending after every check', async () => {
    peerVpcFound();
    peeringStatus('pending-acceptance', 'pending-acceptance', 'pending-acceptance');
    await expect(applyPeerRoutes(ec2, request('Create', routes), wait)).rejects.toThrow(/still pending-acceptance in eu-west-1 after 3 checks/);
    expect(sleeps).toEqual([10_000, 10_000]);
  });

  test('a route already present through this connection is left alone (idempotent re-create)', async () => {
    peerVpcFound();
    peeringStatus('active');
    tables([local, { DestinationCidrBlock: '10.1.0.0/16', VpcPeeringConnectionId: PCX, State: 'active' }], [local]);
    const result = await applyPeerRoutes(ec2, request('Create', routes), wait);
    expect(ec2Mock.commandCalls(CreateRouteCommand).map(c => c.args[0].input.RouteTableId)).toEqual(['rtb-2']);
    expect(ec2Mock.commandCalls(ReplaceRouteCommand)).toHaveLength(0);
    expect(result.detail).toBe('rtb-1: already present; rtb-2: created');
  });

  test('a route left by an earlier connection (blackhole) is taken over', async () => {
    peerVpcFound();
    peeringStatus('active');
    tables([local, { DestinationCidrBlock: '10.1.0.0/16', VpcPeeringConnectionId: 'pcx-old', State: 'blackhole' }]);
    await applyPeerRoutes(ec2, request('Update', routes, `eu-west-1/${TAG}/10.1.0.0/16`), wait);
    expect(ec2Mock.commandCalls(ReplaceRouteCommand).map(c => c.args[0].input)).toEqual([
      { RouteTableId: 'rtb-1', DestinationCidrBlock: '10.1.0.0/16', VpcPeeringConnectionId: PCX },
    ]);
    expect(ec2Mock.commandCalls(CreateRouteCommand)).toHaveLength(0);
  });

  test('fails when the CIDR is already routed elsewhere (a transit gateway), leaving that route', async () => {
    peerVpcFound();
    peeringStatus('active');
    tables([local, { DestinationCidrBlock: '10.1.0.0/16', TransitGatewayId: 'tgw-1', State: 'active' }]);
    await expect(applyPeerRoutes(ec2, request('Create', routes), wait)).rejects
      .toThrow('route table rtb-1 in eu-west-1 already routes 10.1.0.0/16 to tgw-1; remove that route, or drop the InterRegionVpcPeering and declare your route with NetworkRoute.declare');
    expect(ec2Mock.commandCalls(ReplaceRouteCommand)).toHaveLength(0);
    expect(ec2Mock.commandCalls(CreateRouteCommand)).toHaveLength(0);
  });

  test('fails when the peer VPC is not found (its stack not deployed), before any route', async () => {
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
    peeringStatus('active');
    await expect(applyPeerRoutes(ec2, request('Create', routes), wait)).rejects.toThrow(/peer VPC not found: 0 VPCs in eu-west-1 have the tag/);
    expect(ec2Mock.commandCalls(CreateRouteCommand)).toHaveLength(0);
  });

  test('fails when no route table of the peer VPC is tagged', async () => {
    peerVpcFound();
    peeringStatus('active');
    tables();
    await expect(applyPeerRoutes(ec2, request('Create', routes), wait)).rejects.toThrow(/no route table of vpc-peer in eu-west-1 has the tag .*=route-table/);
  });

  test('delete removes only the routes through this connection', async () => {
    peerVpcFound();
    tables(
      [local, { DestinationCidrBlock: '10.1.0.0/16', VpcPeeringConnectionId: PCX }],
      [local, { DestinationCidrBlock: '10.1.0.0/16', TransitGatewayId: 'tgw-1' }],
      [local],
    );
    const result = await applyPeerRoutes(ec2, request('Delete', routes, 'old-id'), wait);
    expect(ec2Mock.commandCalls(DeleteRouteCommand).map(c => c.args[0].input)).toEqual([{ RouteTableId: 'rtb-1', DestinationCidrBlock: '10.1.0.0/16' }]);
    expect(result.physicalResourceId).toBe('old-id');
    expect(ec2Mock.commandCalls(DescribeVpcPeeringConnectionsCommand)).toHaveLength(0);
  });

  test('delete succeeds with nothing to do when the peer VPC is gone', async () => {
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
    await expect(applyPeerRoutes(ec2, request('Delete', routes, 'id'), wait)).resolves.toMatchObject({ detail: 'removed 0 route(s): none' });
    expect(ec2Mock.commandCalls(DeleteRouteCommand)).toHaveLength(0);
  });

  test('delete tolerates a route removed meanwhile, and fails on any other error', async () => {
    peerVpcFound();
    tables([{ DestinationCidrBlock: '10.1.0.0/16', VpcPeeringConnectionId: PCX }]);
    ec2Mock.on(DeleteRouteCommand).rejectsOnce(Object.assign(new Error('gone'), { name: 'InvalidRoute.NotFound' }))
      .rejectsOnce(Object.assign(new Error('denied'), { name: 'UnauthorizedOperation' }));
    await expect(applyPeerRoutes(ec2, request('Delete', routes, 'id'), wait)).resolves.toMatchObject({ detail: 'removed 0 route(s): none' });
    await expect(applyPeerRoutes(ec2, request('Delete', routes, 'id'), wait)).rejects.toThrow('denied');
  });
});

describe('the response to CloudFormation', () => {
  test('a success carries the physical id and the attributes', () => {
    expect(peeringResponse(request('Create', lookup), { physicalResourceId: 'vpc-peer', data: { VpcId: 'vpc-peer' }, detail: '' })).toEqual({
      Status: 'SUCCESS', Reason: 'OK', PhysicalResourceId: 'vpc-peer', StackId: 'arn:stack', RequestId: 'req-1', LogicalResourceId: 'Peering',
      Data: { VpcId: 'vpc-peer' },
    });
  });

  test('a failed create answers with an id of the request (the rollback\'s delete then finds nothing of ours), a failed update with the existing id', () => {
    expect(peeringResponse(request('Create', lookup), undefined, new Error('boom'))).toMatchObject({ Status: 'FAILED', Reason: 'Error: boom', PhysicalResourceId: 'failed-req-1' });
    expect(peeringResponse(request('Update', lookup, 'vpc-peer'), undefined, new Error('boom'))).toMatchObject({ PhysicalResourceId: 'vpc-peer' });
  });
});

describe('the entry point', () => {
  function captureResponses(): Array<Record<string, unknown>> {
    const bodies: Array<Record<string, unknown>> = [];
    jest.spyOn(globalThis, 'fetch').mockImplementation((_url, init) => {
      bodies.push(JSON.parse(String(init?.body)) as Record<string, unknown>);
      return Promise.resolve(new Response(''));
    });
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    return bodies;
  }
  afterEach(() => jest.restoreAllMocks());

  test('dispatches the lookup by resource type and answers CloudFormation with the peer VPC id', async () => {
    const bodies = captureResponses();
    peerVpcFound();
    await handler({ ...request('Create', lookup), ResourceType: 'Custom::InterRegionPeerVpc' });
    expect(bodies).toEqual([expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: 'vpc-peer', Data: { VpcId: 'vpc-peer' } })]);
  });

  test('dispatches the routes\' delete by resource type', async () => {
    const bodies = captureResponses();
    peerVpcFound();
    tables([{ DestinationCidrBlock: '10.1.0.0/16', VpcPeeringConnectionId: PCX }]);
    await handler({ ...request('Delete', routes, 'id'), ResourceType: 'Custom::InterRegionPeerRoutes' });
    expect(ec2Mock.commandCalls(DeleteRouteCommand)).toHaveLength(1);
    expect(bodies).toEqual([expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: 'id' })]);
  });

  test('answers FAILED, with the reason, to an error or an unknown resource type', async () => {
    const bodies = captureResponses();
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
    await handler({ ...request('Create', lookup), ResourceType: 'Custom::InterRegionPeerVpc' });
    await handler({ ...request('Create', lookup), ResourceType: 'Custom::Other' });
    expect(bodies.map(b => [b.Status, b.Reason])).toEqual([
      ['FAILED', expect.stringMatching(/peer VPC not found/)],
      ['FAILED', 'Error: unknown resource type Custom::Other'],
    ]);
  });
});

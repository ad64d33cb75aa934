import { App, CfnElement, Lazy, Stack, Stage } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { InterRegionVpcPeering, InterRegionVpcPeeringProps, NetworkRoute, NetworkRouteKind } from '../../lib';
import { createHaVpc } from '../../lib/private/network';
import { expectHaValidationError, TEST_ACCOUNT, testApp, testEnv } from '../harness';

interface Fixture {
  readonly app: App;
  readonly primary: Stack;
  readonly standby: Stack;
  readonly primaryVpc: ec2.Vpc;
  readonly standbyVpc: ec2.Vpc;
  readonly peering: InterRegionVpcPeering;
}

function build(props: Partial<InterRegionVpcPeeringProps> = {}, standbyCidr = '10.1.0.0/16'): Fixture {
  const app = testApp();
  const primary = new Stack(app, 'Primary', { env: testEnv('eu-west-1') });
  const standby = new Stack(app, 'Standby', { env: testEnv('us-east-1') });
  const primaryVpc = createHaVpc(primary, 'Vpc', 2, '10.0.0.0/16');
  const standbyVpc = createHaVpc(standby, 'Vpc', 2, standbyCidr);
  const peering = new InterRegionVpcPeering(standby, 'Peering', { vpc: standbyVpc, peerVpc: primaryVpc, ...props });
  return { app, primary, standby, primaryVpc, standbyVpc, peering };
}

/** The logical ids of the route tables of `vpc`'s subnets of `type`. */
function routeTableIds(stack: Stack, vpc: ec2.IVpc, type: ec2.SubnetType): string[] {
  const subnets = type === ec2.SubnetType.PUBLIC ? vpc.publicSubnets : type === ec2.SubnetType.PRIVATE_ISOLATED ? vpc.isolatedSubnets : vpc.privateSubnets;
  return subnets.map(s => (stack.resolve(s.routeTable.routeTableId) as { Ref: string }).Ref);
}

/** The resolved properties of the custom resources of `type` in `stack`. */
function customResourceProps(stack: Stack, type: string): Record<string, unknown> {
  const found = Object.values(Template.fromStack(stack).findResources(type));
  expect(found).toHaveLength(1);
  return found[0].Properties as Record<string, unknown>;
}

describe('InterRegionVpcPeering', () => {
  const f = build();
  const standby = Template.fromStack(f.standby);
  const primary = Template.fromStack(f.primary);
  const connectionId = f.standby.getLogicalId(f.peering.connection);
  const lookupId = f.standby.getLogicalId(f.peering.node.findChild('PeerVpc').node.defaultChild as CfnElement);

  test('the peering connection is in the stack that deploys second: its VPC, the peer VPC id found by the lookup, the peer region', () => {
    standby.resourceCountIs('AWS::EC2::VPCPeeringConnection', 1);
    standby.hasResourceProperties('AWS::EC2::VPCPeeringConnection', {
      VpcId: { Ref: f.standby.getLogicalId(f.standbyVpc.node.defaultChild as ec2.CfnVPC) },
      PeerVpcId: { 'Fn::GetAtt': [lookupId, 'VpcId'] },
      PeerRegion: 'eu-west-1',
      PeerOwnerId: Match.absent(),
      PeerRoleArn: Match.absent(),
    });
    primary.resourceCountIs('AWS::EC2::VPCPeeringConnection', 0);
  });

  test('the peer VPC lookup has literal properties: the peer region, the tag key and the peer CIDR', () => {
    const props = customResourceProps(f.standby, 'Custom::InterRegionPeerVpc');
    expect(props).toEqual({
      ServiceToken: { 'Fn::GetAtt': [f.standby.getLogicalId(f.peering.handlerFunction.node.defaultChild as CfnElement), 'Arn'] },
      Region: 'eu-west-1',
      TagKey: f.peering.tagKey,
      CidrBlock: '10.0.0.0/16',
    });
    expect(f.peering.tagKey).toMatch(/^cdk-ha-patterns:peering:[A-Za-z0-9]+$/);
    expect(f.peering.tagKey.length).toBeLessThanOrEqual(128);
  });

  test('the peer routes resource has literal properties and this stack\'s connection: region, tag key, this side\'s CIDR', () => {
    const props = customResourceProps(f.standby, 'Custom::InterRegionPeerRoutes');
    expect(props).toEqual({
      ServiceToken: expect.anything(),
      Region: 'eu-west-1',
      TagKey: f.peering.tagKey,
      DestinationCidrBlock: '10.1.0.0/16',
      VpcPeeringConnectionId: { Ref: connectionId },
    });
  });

  test('the custom resources\' properties refer to nothing outside their stack, and are the same in another synthesis of an app that grew', () => {
    const again = build();
    // Things added to either stack, and a redeploy of either, leave the properties as they were: CloudFormation does not invoke them.
    createHaVpc(again.primary, 'OtherVpc', 2, '10.7.0.0/16');
    createHaVpc(again.standby, 'OtherVpc', 2, '10.8.0.0/16');
    for (const type of ['Custom::InterRegionPeerVpc', 'Custom::InterRegionPeerRoutes']) {
      const props = customResourceProps(f.standby, type);
      expect(customResourceProps(again.standby, type)).toEqual(props);
      const refs = JSON.stringify(props).match(/"(Ref|Fn::GetAtt|Fn::ImportValue)":\s*\[?"[^"]+"/g) ?? [];
      const logicalIds = new Set(Object.keys(Template.fromStack(f.standby).toJSON().Resources as object));
      for (const ref of refs) {
        expect(ref).not.toContain('Fn::ImportValue');
        expect(logicalIds.has(ref.replace(/^.*"([^"]+)"$/, '$1'))).toBe(true);
      }
    }
    expect(JSON.stringify(Template.fromStack(f.standby).toJSON())).not.toMatch(/Fn::ImportValue|ExportsReader|ExportsWriter/);
    expect(JSON.stringify(primary.toJSON())).not.toMatch(/Fn::ImportValue|Export/);
  });

  test('this side routes its private and isolated route tables to the peer CIDR through the connection', () => {
    const tables = [...routeTableIds(f.standby, f.standbyVpc, ec2.SubnetType.PRIVATE_WITH_EGRESS), ...routeTableIds(f.standby, f.standbyVpc, ec2.SubnetType.PRIVATE_ISOLATED)];
    expect(tables).toHaveLength(4);
    const routes = Object.values(standby.findResources('AWS::EC2::Route', { Properties: { DestinationCidrBlock: '10.0.0.0/16' } }));
    expect(routes.map(r => r.Properties.RouteTableId.Ref).sort()).toEqual(tables.sort());
    for (const r of routes) expect(r.Properties.VpcPeeringConnectionId).toEqual({ Ref: connectionId });
    expect(f.peering.routes).toHaveLength(4);
  });

  test('the peer VPC and its private and isolated route tables carry the peering\'s tag; its public route tables do not', () => {
    const tagged = (value: string) => Match.objectLike({ Tags: Match.arrayWith([{ Key: f.peering.tagKey, Value: value }]) });
    primary.hasResourceProperties('AWS::EC2::VPC', tagged('vpc'));
    const withTag = Object.keys(primary.findResources('AWS::EC2::RouteTable', { Properties: tagged('route-table') })).sort();
    expect(withTag).toEqual([
      ...routeTableIds(f.primary, f.primaryVpc, ec2.SubnetType.PRIVATE_WITH_EGRESS), ...routeTableIds(f.primary, f.primaryVpc, ec2.SubnetType.PRIVATE_ISOLATED),
    ].sort());
    for (const id of routeTableIds(f.primary, f.primaryVpc, ec2.SubnetType.PUBLIC)) expect(withTag).not.toContain(id);
  });

  test('the peer stack gets the tags and nothing else: its routes are added at deploy time by the custom resource', () => {
    const app = testApp();
    const bare = new Stack(app, 'Primary', { env: testEnv('eu-west-1') });
    createHaVpc(bare, 'Vpc', 2, '10.0.0.0/16');
    const template = JSON.parse(JSON.stringify(primary.toJSON())) as { Resources: Record<string, { Properties?: { Tags?: Array<{ Key: string }> } }> };
    let removed = 0;
    for (const r of Object.values(template.Resources)) {
      const tags = r.Properties?.Tags;
      if (!tags?.some(t => t.Key === f.peering.tagKey)) continue;
      r.Properties!.Tags = tags.filter(t => t.Key !== f.peering.tagKey);
      removed++;
    }
    expect(removed).toBe(5); // the VPC and its four private and isolated route tables
    expect(template).toEqual(Template.fromStack(bare).toJSON());
  });

  test('the stack of the peering deploys after the peer VPC\'s', () => {
    expect(f.standby.dependencies).toContain(f.primary);
    expect(f.primary.dependencies).not.toContain(f.standby);
  });

  test('in two Stages (one per region), no stack dependency: the pipeline\'s waves give the order', () => {
    const app = testApp();
    const a = new Stack(new Stage(app, 'Eu', { env: testEnv('eu-west-1') }), 'Net');
    const b = new Stack(new Stage(app, 'Us', { env: testEnv('us-east-1') }), 'Net');
    new InterRegionVpcPeering(b, 'Peering', { vpc: createHaVpc(b, 'Vpc', 2, '10.1.0.0/16'), peerVpc: createHaVpc(a, 'Vpc', 2, '10.0.0.0/16') });
    expect(b.dependencies).toHaveLength(0);
  });

  test('the handler may describe only in the peer region, change routes only of the tagged route tables there, through this connection', () => {
    const roleId = f.standby.getLogicalId(f.peering.handlerRole.node.defaultChild as CfnElement);
    standby.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: roleId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow', Action: ['ec2:DescribeRouteTables', 'ec2:DescribeVpcPeeringConnections', 'ec2:DescribeVpcs'], Resource: '*',
            Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
          },
          {
            Effect: 'Allow', Action: ['ec2:CreateRoute', 'ec2:DeleteRoute', 'ec2:ReplaceRoute'],
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ec2:eu-west-1:${TEST_ACCOUNT}:route-table/*`]] },
            Condition: { StringEquals: { [`aws:ResourceTag/${f.peering.tagKey}`]: 'route-table' } },
          },
        ]),
      },
    });
    standby.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: roleId }],
      PolicyDocument: {
        Statement: [{
          Effect: 'Allow', Action: ['ec2:CreateRoute', 'ec2:ReplaceRoute'],
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ec2:eu-west-1:${TEST_ACCOUNT}:vpc-peering-connection/`, { Ref: connectionId }]] },
        }],
      },
    });
    // No accept, no peering role: in one account CloudFormation accepts the connection itself.
    const statements = Object.values(standby.findResources('AWS::IAM::Policy')).flatMap(p => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>);
    const actions = statements.flatMap(s => ([] as string[]).concat(s.Action));
    expect(actions.filter(a => a.startsWith('ec2:')).sort()).toEqual([
      'ec2:CreateRoute', 'ec2:CreateRoute', 'ec2:DeleteRoute', 'ec2:DescribeRouteTables', 'ec2:DescribeVpcPeeringConnections', 'ec2:DescribeVpcs',
      'ec2:ReplaceRoute', 'ec2:ReplaceRoute',
    ]);
  });

  test('the custom resources run after the handler\'s policies exist', () => {
    const policyId = f.standby.getLogicalId(f.peering.handlerRole.node.findChild('DefaultPolicy').node.defaultChild as CfnElement);
    const targetPolicyId = f.standby.getLogicalId(f.peering.node.findChild('RouteTargetPolicy').node.defaultChild as CfnElement);
    standby.hasResource('Custom::InterRegionPeerVpc', { DependsOn: Match.arrayWith([policyId]) });
    standby.hasResource('Custom::InterRegionPeerRoutes', { DependsOn: Match.arrayWith([policyId, targetPolicyId]) });
  });

  test('subnetTypes chooses the routed subnets on both sides', () => {
    const g = build({ subnetTypes: [ec2.SubnetType.PRIVATE_ISOLATED] });
    const routes = Object.values(Template.fromStack(g.standby).findResources('AWS::EC2::Route', { Properties: { DestinationCidrBlock: '10.0.0.0/16' } }));
    expect(routes.map(r => r.Properties.RouteTableId.Ref).sort()).toEqual(routeTableIds(g.standby, g.standbyVpc, ec2.SubnetType.PRIVATE_ISOLATED).sort());
    const tagged = Object.keys(Template.fromStack(g.primary).findResources('AWS::EC2::RouteTable', {
      Properties: { Tags: Match.arrayWith([{ Key: g.peering.tagKey, Value: 'route-table' }]) },
    }));
    expect(tagged.sort()).toEqual(routeTableIds(g.primary, g.primaryVpc, ec2.SubnetType.PRIVATE_ISOLATED).sort());
  });

  test('an imported VPC with its CIDR and route tables can be the requester side', () => {
    const app = testApp();
    const primary = new Stack(app, 'Primary', { env: testEnv('eu-west-1') });
    const standby = new Stack(app, 'Standby', { env: testEnv('us-east-1') });
    const imported = ec2.Vpc.fromVpcAttributes(standby, 'Imported', {
      vpcId: 'vpc-0standby', vpcCidrBlock: '10.1.0.0/16', availabilityZones: ['us-east-1a'],
      privateSubnetIds: ['subnet-1'], privateSubnetRouteTableIds: ['rtb-private1'],
    });
    new InterRegionVpcPeering(standby, 'Peering', { vpc: imported, peerVpc: createHaVpc(primary, 'Vpc', 2, '10.0.0.0/16') });
    const t = Template.fromStack(standby);
    t.hasResourceProperties('AWS::EC2::VPCPeeringConnection', { VpcId: 'vpc-0standby', PeerRegion: 'eu-west-1' });
    t.hasResourceProperties('AWS::EC2::Route', { RouteTableId: 'rtb-private1', DestinationCidrBlock: '10.0.0.0/16' });
  });

  describe('between', () => {
    test('finds the peering in either order', () => {
      expect(InterRegionVpcPeering.between(f.standbyVpc, f.primaryVpc)).toBe(f.peering);
      expect(InterRegionVpcPeering.between(f.primaryVpc, f.standbyVpc)).toBe(f.peering);
      expect(f.peering.connects(f.primaryVpc, f.standbyVpc)).toBe(true);
    });

    test('finds none between VPCs it does not connect, nor in another app, nor a declared route', () => {
      const other = createHaVpc(new Stack(f.app, 'Third', { env: testEnv('us-west-2') }), 'Vpc', 2, '10.2.0.0/16');
      expect(InterRegionVpcPeering.between(other, f.primaryVpc)).toBeUndefined();
      NetworkRoute.declare(f.app, { fromVpc: other, toVpc: f.primaryVpc, kind: NetworkRouteKind.TRANSIT_GATEWAY, description: 'transit gateway tgw-0123, peered' });
      expect(InterRegionVpcPeering.between(other, f.primaryVpc)).toBeUndefined();
      const g = build();
      expect(InterRegionVpcPeering.between(g.standbyVpc, g.primaryVpc)).toBe(g.peering);
      expect(InterRegionVpcPeering.between(g.standbyVpc, f.primaryVpc)).toBeUndefined();
    });
  });
});

describe('InterRegionVpcPeering: bad input', () => {
  function stacks() {
    const app = testApp();
    const primary = new Stack(app, 'Primary', { env: testEnv('eu-west-1') });
    const standby = new Stack(app, 'Standby', { env: testEnv('us-east-1') });
    return { app, primary, standby };
  }

  test('fails when the CIDRs overlap, naming peerVpc and both ranges', () => {
    expectHaValidationError(() => build({}, '10.0.128.0/17'),
      /Standby\/Peering: invalid prop 'peerVpc': received "Primary\/Vpc \(10.0.0.0\/16\)"; expected a VPC whose CIDR does not overlap vpc's 10.0.128.0\/17/);
  });

  test('fails when the peer VPC\'s CIDR is unknown at synthesis', () => {
    const { primary, standby } = stacks();
    const peerVpc = new ec2.Vpc(primary, 'Vpc', { maxAzs: 1 });
    // A range decided at deploy time (a parameter, an IPAM allocation): routes could not name it.
    (peerVpc.node.defaultChild as ec2.CfnVPC).cidrBlock = Lazy.string({ produce: () => '10.0.0.0/16' });
    expectHaValidationError(() => new InterRegionVpcPeering(standby, 'Peering', { vpc: createHaVpc(standby, 'Vpc', 1, '10.1.0.0/16'), peerVpc }),
      /Standby\/Peering: invalid prop 'peerVpc': received "Primary\/Vpc"; expected a VPC whose IPv4 CIDR is known at synthesis/);
  });

  test('fails when this side\'s CIDR is unknown at synthesis (imported without it)', () => {
    const { primary, standby } = stacks();
    const vpc = ec2.Vpc.fromVpcAttributes(standby, 'Imported', { vpcId: 'vpc-1', availabilityZones: ['us-east-1a'], privateSubnetIds: ['subnet-1'], privateSubnetRouteTableIds: ['rtb-1'] });
    expectHaValidationError(() => new InterRegionVpcPeering(standby, 'Peering', { vpc, peerVpc: createHaVpc(primary, 'Vpc', 1, '10.0.0.0/16') }),
      /invalid prop 'vpc': received "Standby\/Imported"; expected a VPC whose IPv4 CIDR is known at synthesis/);
  });

  test('fails when the peer VPC is imported (it cannot be tagged)', () => {
    const { primary, standby } = stacks();
    const peerVpc = ec2.Vpc.fromVpcAttributes(primary, 'Imported', { vpcId: 'vpc-1', vpcCidrBlock: '10.0.0.0/16', availabilityZones: ['eu-west-1a'] });
    expectHaValidationError(() => new InterRegionVpcPeering(standby, 'Peering', { vpc: createHaVpc(standby, 'Vpc', 1, '10.1.0.0/16'), peerVpc }),
      /invalid prop 'peerVpc': received "Primary\/Imported"; expected a VPC created in the app .* declare it with NetworkRoute.declare/);
  });

  test('fails when the construct is not in vpc\'s stack', () => {
    const { primary, standby } = stacks();
    const vpc = createHaVpc(standby, 'Vpc', 1, '10.1.0.0/16');
    expectHaValidationError(() => new InterRegionVpcPeering(primary, 'Peering', { vpc, peerVpc: createHaVpc(primary, 'Vpc', 1, '10.0.0.0/16') }),
      /Primary\/Peering: invalid prop 'vpc': received "Standby\/Vpc"; expected a VPC of the construct's stack Primary/);
  });

  test('fails when both VPCs are in one region', () => {
    const { app, standby } = stacks();
    const other = new Stack(app, 'Other', { env: testEnv('us-east-1') });
    expectHaValidationError(() => new InterRegionVpcPeering(standby, 'Peering', { vpc: createHaVpc(standby, 'Vpc', 1, '10.1.0.0/16'), peerVpc: createHaVpc(other, 'Vpc', 1, '10.0.0.0/16') }),
      /invalid prop 'peerVpc': received "Other\/Vpc"; expected a VPC in another region than us-east-1/);
  });

  test('fails when the accounts differ', () => {
    const { app, standby } = stacks();
    const other = new Stack(app, 'Other', { env: { account: '210987654321', region: 'eu-west-1' } });
    expectHaValidationError(() => new InterRegionVpcPeering(standby, 'Peering', { vpc: createHaVpc(standby, 'Vpc', 1, '10.1.0.0/16'), peerVpc: createHaVpc(other, 'Vpc', 1, '10.0.0.0/16') }),
      /invalid prop 'peerVpc': received "Other\/Vpc"; expected a VPC of the same account 123456789012/);
  });

  test('fails when a stack has no explicit env', () => {
    const { app, standby } = stacks();
    const agnostic = new Stack(app, 'Agnostic');
    expectHaValidationError(() => new InterRegionVpcPeering(standby, 'Peering', { vpc: createHaVpc(standby, 'Vpc', 1, '10.1.0.0/16'), peerVpc: createHaVpc(agnostic, 'Vpc', 1, '10.0.0.0/16') }),
      /invalid prop 'peerVpc': received "Agnostic\/Vpc"; expected VPCs of stacks with an explicit env/);
  });

  test('fails when subnetTypes is empty, or names types a VPC lacks', () => {
    expectHaValidationError(() => build({ subnetTypes: [] }), /invalid prop 'subnetTypes': received \[\]; expected at least one subnet type/);
    const { primary, standby } = stacks();
    const vpc = new ec2.Vpc(standby, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.1.0.0/16'), maxAzs: 1, natGateways: 0,
      subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    expectHaValidationError(() => new InterRegionVpcPeering(standby, 'Peering', {
      vpc, peerVpc: createHaVpc(primary, 'Vpc', 1, '10.0.0.0/16'), subnetTypes: [ec2.SubnetType.PRIVATE_WITH_EGRESS],
    }), /invalid prop 'vpc': received "Standby\/Vpc"; expected a VPC with subnets of the routed types \(subnetTypes: Private\)/);
  });
});

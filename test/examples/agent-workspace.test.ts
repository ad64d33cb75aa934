import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ColdStandbyConfigServer, ColdStandbyConfigServerPath, HaDatabase, HaDatabasePath, HaPattern } from '../../lib';
import { testApp } from '../harness';
import { describeExampleGates, example, synthExample } from './example-suite';

describeExampleGates('agent-workspace');

describe('agent-workspace configuration service', () => {
  const { templates } = synthExample('agent-workspace');
  const config = [templates['agent-workspace-ConfigPrimary'], templates['agent-workspace-ConfigStandby']];

  test('the placeholder (stock nginx) is served on the port it listens on, 80, and checked on a path it answers, /', () => {
    for (const t of config) {
      t.allResourcesProperties('AWS::ECS::TaskDefinition', {
        ContainerDefinitions: [Match.objectLike({ Image: 'public.ecr.aws/nginx/nginx:stable', PortMappings: [{ ContainerPort: 80, Protocol: 'tcp' }] })],
      });
      t.allResourcesProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 80, HealthCheckPath: '/', HealthCheckPort: Match.absent() });
      // the load balancer may reach the tasks on that port (egress from its group, ingress to the tasks' groups)
      t.resourcePropertiesCountIs('AWS::EC2::SecurityGroupEgress', { Description: 'load balancer to tasks', FromPort: 80, ToPort: 80 }, 2);
      t.resourcePropertiesCountIs('AWS::EC2::SecurityGroupIngress', { Description: 'load balancer to tasks', FromPort: 80, ToPort: 80 }, 2);
    }
  });
});

describe('agent-workspace configuration turn-on and networks', () => {
  const { templates } = synthExample('agent-workspace');
  const primary = templates['agent-workspace-ConfigPrimary'];
  const standby = templates['agent-workspace-ConfigStandby'];

  test('one promoter: the turn-on asks the database\'s promoter (never FailoverGlobalCluster itself) and follows its announcement', () => {
    standby.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({
        GLOBAL_CLUSTER_ID: 'agent-workspace-config', ALLOW_DATA_LOSS: Match.absent(),
        PROMOTER_FUNCTION: { 'Fn::GetAtt': [Match.stringLikeRegexp('ConfigDatabase.*SecondaryWriterProbe'), 'Arn'] },
      }) },
    });
    const promoters = Object.values(standby.findResources('AWS::IAM::Policy'))
      .filter(p => /rds:FailoverGlobalCluster/.test(JSON.stringify(p.Properties.PolicyDocument)))
      .map(p => JSON.stringify(p.Properties.Roles));
    // The automatic promoter, and the role of the runbooks on-call runs by hand; never the turn-on.
    expect(promoters).toEqual([expect.stringMatching(/ConfigDatabase.*SecondaryRunbookRole/), expect.stringMatching(/ConfigDatabase.*SecondaryWriterProbeServiceRole/)]);
    standby.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ 'source': ['cdk-ha-patterns'], 'detail-type': ['HaDatabase Promoted'] }),
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('StandbyTurnOn'), 'Arn'] } })],
    });
  });

  test('the two VPCs are peered (in the standby stack, which deploys second), with routes from the standby\'s private subnets to the primary\'s range', () => {
    standby.resourceCountIs('AWS::EC2::VPCPeeringConnection', 1);
    standby.hasResourceProperties('AWS::EC2::VPCPeeringConnection', { PeerRegion: 'eu-west-1' });
    standby.hasResourceProperties('AWS::EC2::Route', { DestinationCidrBlock: '10.0.0.0/16', VpcPeeringConnectionId: Match.anyValue() });
    primary.resourceCountIs('AWS::EC2::VPCPeeringConnection', 0);
  });

  test('the two configuration VPCs do not overlap, and each load balancer admits the other site', () => {
    primary.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16' });
    standby.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.1.0.0/16' });
    for (const [t, other] of [[primary, '10.1.0.0/16'], [standby, '10.0.0.0/16']] as const) {
      t.hasResourceProperties('AWS::EC2::SecurityGroup', {
        GroupDescription: Match.stringLikeRegexp('^Config service load balancer'),
        SecurityGroupIngress: Match.arrayWith([Match.objectLike({ CidrIp: other, FromPort: 80, ToPort: 80 })]),
      });
    }
  });
});

describe('agent-workspace recovery in about a minute: the database and the configuration writes fail over from the standby region', () => {
  const { app, templates } = synthExample('agent-workspace');
  const primary = templates['agent-workspace-ConfigPrimary'];
  const standby = templates['agent-workspace-ConfigStandby'];
  const pattern = <T extends HaPattern>(type: abstract new (...args: never[]) => T) => app.node.findAll().find((c): c is T => c instanceof type)!;

  test('both probes of the primary region, their 3 x 10 s alarms and the rules that act on them are in the standby region; none in the primary', () => {
    for (const metric of ['PrimaryWriterUnreachable', 'PrimaryServerUnreachable']) {
      standby.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: metric, Statistic: 'Minimum', Period: 10, EvaluationPeriods: 3, Threshold: 1 });
    }
    standby.resourcePropertiesCountIs('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)' }, 2);
    standby.resourcePropertiesCountIs('AWS::Events::Rule', { EventPattern: Match.objectLike({ 'detail-type': ['CloudWatch Alarm State Change'] }) }, 2);
    primary.resourcePropertiesCountIs('AWS::Events::Rule', { EventPattern: Match.objectLike({ 'detail-type': ['CloudWatch Alarm State Change'] }) }, 0);
    primary.resourcePropertiesCountIs('AWS::Events::Rule', { ScheduleExpression: Match.anyValue() }, 0);
  });

  test('the cross-region database path takes 117 s (target 2 min), the configuration writes 157 s (target 3 min, with one promoter); every path survives its scenarios', () => {
    const db = pattern(HaDatabase);
    const config = pattern(ColdStandbyConfigServer);
    expect(db.recoveryObjectives.path(HaDatabasePath.CROSS_REGION).total.toSeconds()).toBe(117);
    expect(db.recoveryObjectives.path(HaDatabasePath.CROSS_REGION).target?.toSeconds()).toBe(120);
    expect(config.recoveryObjectives.path(ColdStandbyConfigServerPath.WRITES).total.toSeconds()).toBe(157);
    expect(config.recoveryObjectives.path(ColdStandbyConfigServerPath.WRITES).target?.toSeconds()).toBe(180);
    for (const p of [db, config]) {
      for (const id of p.recoveryObjectives.pathIds) {
        expect(p.recoveryObjectives.scenarioOutcomes(id).filter(o => !o.survives)).toEqual([]);
      }
    }
  });
});

describe('agent-workspace retained resources with fixed names', () => {
  /** The physical names of the retained resources of an app's templates. */
  const retainedNames = (templates: Record<string, Template>) => Object.values(templates).flatMap(t =>
    Object.values(t.toJSON().Resources as Record<string, { Type: string; DeletionPolicy?: string; Properties?: Record<string, unknown> }>)
      .filter(r => r.DeletionPolicy === 'Retain')
      .flatMap(r => PHYSICAL_NAMES.filter(p => typeof r.Properties?.[p] === 'string').map(p => `${r.Type} ${p}=${r.Properties![p] as string}`)));
  const PHYSICAL_NAMES = ['TableName', 'GlobalClusterIdentifier', 'DBClusterIdentifier', 'DBInstanceIdentifier', 'BucketName', 'LogGroupName', 'SecretName'];

  test('are the global cluster, both clusters and the global table; -c nameSuffix renames every one of them, so a retry does not collide', () => {
    const before = retainedNames(synthExample('agent-workspace').templates);
    expect(before.sort()).toEqual([
      'AWS::DynamoDB::GlobalTable TableName=agent-workspace-config',
      'AWS::RDS::DBCluster DBClusterIdentifier=agent-workspace-config-eu-west-1',
      'AWS::RDS::DBCluster DBClusterIdentifier=agent-workspace-config-us-east-1',
      'AWS::RDS::DBCluster GlobalClusterIdentifier=agent-workspace-config',
      'AWS::RDS::GlobalCluster GlobalClusterIdentifier=agent-workspace-config',
    ]);
    const app = testApp({ context: { nameSuffix: '-2' } });
    example('agent-workspace').build(app);
    const retry = retainedNames(Object.fromEntries(app.node.children.filter(Stack.isStack).map(s => [s.stackName, Template.fromStack(s)])));
    expect(retry.sort()).toEqual([
      'AWS::DynamoDB::GlobalTable TableName=agent-workspace-config-2',
      'AWS::RDS::DBCluster DBClusterIdentifier=agent-workspace-config-2-eu-west-1',
      'AWS::RDS::DBCluster DBClusterIdentifier=agent-workspace-config-2-us-east-1',
      'AWS::RDS::DBCluster GlobalClusterIdentifier=agent-workspace-config-2',
      'AWS::RDS::GlobalCluster GlobalClusterIdentifier=agent-workspace-config-2',
    ]);
  });
});

describe('agent-workspace with its standby in eu-central-1 (-c secondaryRegion=eu-central-1)', () => {
  test('passes the failure analysis (one promoter, consumers following, routes between the VPCs) and keeps its targets', () => {
    const app = testApp({ context: { secondaryRegion: 'eu-central-1' } });
    example('agent-workspace').build(app);
    expect(() => app.synth()).not.toThrow();
    const standby = app.node.findAll().filter(Stack.isStack).find(s => s.stackName === 'agent-workspace-ConfigStandby')!;
    expect(standby.region).toBe('eu-central-1');
    Template.fromStack(standby).hasResourceProperties('AWS::EC2::VPCPeeringConnection', { PeerRegion: 'eu-west-1' });
    const config = app.node.findAll().find((c): c is ColdStandbyConfigServer => c instanceof ColdStandbyConfigServer)!;
    expect(config.recoveryObjectives.path(ColdStandbyConfigServerPath.WRITES).total.toSeconds()).toBeLessThanOrEqual(180);
  });
});

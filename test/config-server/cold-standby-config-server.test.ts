import { App, Duration, Fn, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { ColdStandbyConfigServerPath, ColdStandbyConfigServer, ColdStandbyConfigServerProps, FailoverNotifications, HaDatabase, InterRegionVpcPeering } from '../../lib';
import { NetworkRoute, NetworkRouteKind, RegionFailoverRunner, WriterFollowing } from '../../lib';
import { createHaVpc } from '../../lib/private/network';
import { renderedProperties } from '../../lib/private/rendered';
import { formatFindings, gateFindings, testApp, testEnv } from '../harness';
import { siteVpc } from './site-vpc';

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');

/** Three regions' stacks and VPCs; with `peered` (the default) each later site's VPC is peered with the earlier ones. */
function setup(app: App = testApp(), peered = true, regions = ['eu-west-1', 'us-east-1', 'ap-southeast-2']) {
  const stack = (id: string, region: string) => new Stack(app, id, { env: testEnv(region), crossRegionReferences: true });
  const primary = stack('Primary', regions[0]);
  const secondary = stack('Secondary', regions[1]);
  const third = stack('Third', regions[2]);
  const zone = new route53.PublicHostedZone(primary, 'Zone', { zoneName: 'example.com' });
  const notifications = new FailoverNotifications(primary, 'Notifications', { emails: ['ops@example.com'] });
  const vpc = createHaVpc(primary, 'Vpc');
  const vpc2 = siteVpc(secondary, 'Vpc', '10.1.0.0/16');
  const vpc3 = siteVpc(third, 'Vpc', '10.2.0.0/16');
  if (peered) {
    new InterRegionVpcPeering(secondary, 'PeerPrimary', { vpc: vpc2, peerVpc: vpc });
    new InterRegionVpcPeering(third, 'PeerPrimary', { vpc: vpc3, peerVpc: vpc });
    new InterRegionVpcPeering(third, 'PeerSecondary', { vpc: vpc3, peerVpc: vpc2 });
  }
  return { app, primary, secondary, third, zone, notifications, vpc, vpc2, vpc3 };
}

function build(s: ReturnType<typeof setup>, extra: Partial<ColdStandbyConfigServerProps> = {}) {
  return new ColdStandbyConfigServer(s.primary, 'Config', {
    vpc: s.vpc, image, zone: s.zone, notifications: s.notifications,
    standby: { stack: s.secondary, vpc: s.vpc2 }, tableName: 'config-store', ...extra,
  });
}

describe('ColdStandbyConfigServer with a DynamoDB global table, proxies in three regions', () => {
  const s = setup();
  const config = build(s, { proxySites: [{ stack: s.third, vpc: s.vpc3 }] });
  const t = Template.fromStack(s.primary);
  const t2 = Template.fromStack(s.secondary);
  const t3 = Template.fromStack(s.third);

  test('the store is a global table with replicas in the standby and proxy regions, PITR, deletion protection, retained', () => {
    for (const region of ['eu-west-1', 'us-east-1', 'ap-southeast-2']) {
      t.hasResource('AWS::DynamoDB::GlobalTable', {
        Properties: Match.objectLike({
          TableName: 'config-store',
          Replicas: Match.arrayWith([
            Match.objectLike({ Region: region, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, DeletionProtectionEnabled: true }),
          ]),
        }),
        DeletionPolicy: 'Retain',
      });
    }
  });

  test('live server: 2 tasks in the primary; cold standby: the same server, its count left to the automation (0 at creation); proxies: 2 tasks everywhere', () => {
    t.resourcePropertiesCountIs('AWS::ECS::Service', { DesiredCount: 2 }, 2);
    t2.hasResourceProperties('AWS::ECS::Service', { DesiredCount: Match.absent() });
    t2.hasResourceProperties('Custom::StandbyDesiredCount', { DesiredCount: '0' });
    t2.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 2 });
    t3.resourceCountIs('AWS::ECS::Service', 1);
    for (const tpl of [t, t2]) {
      tpl.hasResourceProperties('AWS::ECS::TaskDefinition', { ContainerDefinitions: [Match.objectLike({
        Image: 'public.ecr.aws/nginx/nginx:stable',
        Environment: Match.arrayWith([{ Name: 'WRITER_URL', Value: 'http://config-writer.example.com' }, { Name: 'CONFIG_ROLE', Value: 'server' }]),
      })] });
    }
    t3.hasResourceProperties('AWS::ECS::TaskDefinition', { ContainerDefinitions: [Match.objectLike({ Environment: Match.arrayWith([{ Name: 'CONFIG_ROLE', Value: 'proxy' }]) })] });
  });

  test('the writer is reached on a stable name (CNAME, TTL 30 s) pointing at the primary load balancer; requests for it go to the server', () => {
    t.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'config-writer.example.com.', Type: 'CNAME', TTL: '30',
      ResourceRecords: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('ConfigPrimaryLoadBalancer'), 'DNSName'] }],
    });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['config-writer.example.com'] } }],
    });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal' });
  });

  test('writer-only IAM: only the server task roles may write; the automations only the writer flag; proxies may only read (their local replica)', () => {
    const writes = (tpl: Template) => Object.values(tpl.findResources('AWS::IAM::Policy'))
      .filter(p => JSON.stringify(p.Properties.PolicyDocument).includes('dynamodb:PutItem'))
      .map(p => JSON.stringify(p.Properties.Roles));
    expect(writes(t)).toHaveLength(2);
    expect(writes(t)[0]).toMatch(/ConfigPrimaryServerTaskTaskRole/);
    // The failback writes the flag item only, in both replicas (it fences the standby's, then sets the primary's).
    expect(writes(t)[1]).toMatch(/ConfigPrimaryFailBackServiceRole/);
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('ConfigPrimaryFailBackServiceRole') }],
      PolicyDocument: { Statement: Match.arrayWith([{
        Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['__writer__'] } },
        Resource: ['eu-west-1', 'us-east-1'].map(r => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:dynamodb:${r}:123456789012:table/config-store`]] })),
      }]) },
    });
    expect(writes(t2)).toHaveLength(2);
    expect(writes(t2).join()).toMatch(/PrimaryConfig[0-9A-F]{8}StandbyServerTaskTaskRole/);
    expect(writes(t2).join()).toMatch(/TurnOnServiceRole/);
    expect(writes(t3)).toHaveLength(0);
    t3.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
        Action: ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan'],
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':dynamodb:ap-southeast-2:123456789012:table/config-store']] },
      })]) },
    });
  });

  test('turn-on automation permissions are scoped to the standby service, the writer record and the flag item', () => {
    const statements = Object.values(t2.findResources('AWS::IAM::Policy'))
      .filter(p => JSON.stringify(p.Properties.Roles).includes('TurnOnServiceRole'))
      .flatMap(p => p.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>);
    const find = (action: string) => statements.find(st => ([] as unknown[]).concat(st.Action).includes(action))!;
    expect(find('ecs:UpdateService').Resource).toEqual({ Ref: expect.stringMatching(/PrimaryConfig[0-9A-F]{8}StandbyServerService/) });
    expect(find('route53:ChangeResourceRecordSets').Condition).toEqual({ 'ForAllValues:StringEquals': {
      'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['config-writer.example.com'],
      'route53:ChangeResourceRecordSetsRecordTypes': ['CNAME'],
      'route53:ChangeResourceRecordSetsActions': ['UPSERT'],
    } });
    expect(JSON.stringify(find('route53:ChangeResourceRecordSets').Resource)).toContain('hostedzone/');
    expect(find('dynamodb:PutItem').Condition).toEqual({ 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['__writer__'] } });
    expect(JSON.stringify(find('dynamodb:PutItem').Resource)).toContain(':dynamodb:us-east-1:123456789012:table/config-store');
    // Only the network-interface actions Lambda needs to run the probe in the standby VPC have no resource-level permission.
    expect(statements.filter(st => st.Resource === '*').map(st => st.Action)).toEqual([[
      'ec2:AssignPrivateIpAddresses', 'ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:UnassignPrivateIpAddresses',
    ]]);
  });

  test('the probe runs in the standby VPC\'s private subnets (its health check reaches the writer through the route between the VPCs), on the writer name', () => {
    const [fn] = Object.values(t2.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { WRITER_HEALTH_URL: Match.anyValue() } } } }));
    expect(fn.Properties.Environment.Variables.WRITER_HEALTH_URL).toBe('http://config-writer.example.com/health');
    expect(fn.Properties.VpcConfig.SubnetIds).toEqual(s.vpc2.privateSubnets.map(sn => s.secondary.resolve(sn.subnetId)));
  });

  test('with the DynamoDB store the turn-on has no database to promote: no RDS permission, no promotion settings; the probe\'s 69 s timeout', () => {
    expect(config.database).toBeUndefined();
    const statements = Object.values(t2.findResources('AWS::IAM::Policy'))
      .filter(p => (p.Properties.Roles as Array<{ Ref: string }>).some(r => /StandbyTurnOnServiceRole/.test(r.Ref)))
      .flatMap(p => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>);
    expect(statements.flatMap(st => [st.Action].flat()).filter(a => a.startsWith('rds:'))).toEqual([]);
    t2.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 69, Environment: { Variables: Match.objectLike({ GLOBAL_CLUSTER_ID: Match.absent(), TABLE_NAME: 'config-store' }) },
    });
  });

  test('the turn-on function knows the standby service, the record, the standby load balancer and the table', () => {
    t2.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({
      DESIRED_COUNT: '2', RECORD_NAME: 'config-writer.example.com', TTL: '30', TABLE_NAME: 'config-store', WRITER_KEY: '__writer__',
      TARGET_DNS_NAME: { 'Fn::GetAtt': [Match.stringLikeRegexp('PrimaryConfig[0-9A-F]{8}StandbyLoadBalancer'), 'DNSName'] },
    }) } });
  });

  test('alarms: live server down (trigger), proxy down and errors in every region, replication latency per replica', () => {
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'HealthyHostCount', Threshold: 1, ComparisonOperator: 'LessThanThreshold', EvaluationPeriods: 3, TreatMissingData: 'breaching',
      Dimensions: Match.arrayWith([{ Name: 'TargetGroup', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('ConfigPrimaryServerTargetGroup'), 'TargetGroupFullName'] } }]),
    });
    for (const tpl of [t, t2, t3]) {
      tpl.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'HTTPCode_Target_5XX_Count', Threshold: 5, AlarmActions: [Match.anyValue()] });
    }
    for (const region of ['us-east-1', 'ap-southeast-2']) {
      t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ReplicationLatency', Threshold: 30000, Dimensions: Match.arrayWith([{ Name: 'ReceivingRegion', Value: region }]) });
    }
    const rule = JSON.stringify(Object.values(t.findResources('AWS::CloudWatch::CompositeAlarm'))[0].Properties.AlarmRule);
    expect(rule).toMatch(/ConfigServerDownAlarm/);
    expect(rule).not.toMatch(/ReplicationLatency/);
  });

  test('recovery objectives: writes = probe 12 s + probe alarm 30 s + function 10 s + the slowest of (task start 60 s + healthy 20 s, Route 53 propagation 60 s + TTL 30 s); reads 0; RPO 30 s', () => {
    const writes = config.recoveryObjectives.path(ColdStandbyConfigServerPath.WRITES);
    expect(writes.steps.map(st => [st.component, st.duration.toSeconds()])).toEqual([
      ['server probe sampling', 12],
      ['server probe alarm', 30],
      ['turn-on function (EventBridge rule in us-east-1)', 10],
      ['the standby takes writes (whichever of its parts is last)', 90],
    ]);
    expect(writes.steps[3].derivation).toMatch(/^slowest of 2: writer name, writer name UPSERT on the Route 53 name servers 60 s \(Route 53 propagates .*\) \+ writer name TTL 30 s \(record TTL 30 s\)$/);
    expect(config.writeRto.toSeconds()).toBe(142);
    expect(writes.fastest.toSeconds()).toBe(112);
    expect(config.readRto.toSeconds()).toBe(0);
    expect(config.rpo.toSeconds()).toBe(30);
  });
});

describe('ColdStandbyConfigServer turn-on: a probe in the standby region, its alarm and rule', () => {
  const s = setup();
  const config = build(s);
  const t = Template.fromStack(s.primary);
  const t2 = Template.fromStack(s.secondary);

  test('the live server has literal names the probe finds it by', () => {
    t.hasResourceProperties('AWS::ECS::Cluster', { ClusterName: Match.stringLikeRegexp('^Primary-Config-[0-9A-F]{8}-primary$') });
    t.hasResourceProperties('AWS::ECS::Service', { ServiceName: Match.stringLikeRegexp('^Primary-Config-[0-9A-F]{8}-server$') });
  });

  test('the probe alarm is in the standby region: 10 s periods of the high-resolution probe metric, every sample failing 3 periods in a row', () => {
    t2.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'CdkHaPatterns/ConfigServer', MetricName: 'PrimaryServerUnreachable',
      Dimensions: [{ Name: 'Service', Value: Match.stringLikeRegexp('-server$') }],
      Statistic: 'Minimum', Period: 10, EvaluationPeriods: 3, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
    });
    t2.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'PrimaryServerUnreachable', Statistic: 'SampleCount', Period: 60, EvaluationPeriods: 3, ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching',
    });
  });

  test('the function samples every minute (schedule) and turns the standby on when the probe alarm enters ALARM: autoTurnOn is on by default', () => {
    t2.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)', Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('TurnOn'), 'Arn'] } })] });
    t2.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'],
        'resources': [{ 'Fn::GetAtt': [Match.stringLikeRegexp('ServerProbeAlarm'), 'Arn'] }], 'detail': { state: { value: ['ALARM'] } },
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('TurnOn'), 'Arn'] } })],
    });
    t2.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({
      PRIMARY_REGION: 'eu-west-1', PRIMARY_CLUSTER: Match.stringLikeRegexp('-primary$'), PRIMARY_SERVICE: Match.stringLikeRegexp('-server$'),
      PROBE_INTERVAL_MS: '5000', PROBE_TIMEOUT_MS: '2000', PROBE_RUN_MS: '55000',
    }) } });
    // Nothing of the turn-on lives in the primary region any more.
    t.resourceCountIs('AWS::Events::Rule', 0);
  });

  test('the probe may describe the live server only (literal ARN in the primary region)', () => {
    const statements = Object.values(t2.findResources('AWS::IAM::Policy'))
      .filter(p => JSON.stringify(p.Properties.Roles).includes('TurnOnServiceRole'))
      .flatMap(p => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>);
    const probe = statements.find(st => st.Action === 'ecs:DescribeServices')!;
    expect(JSON.stringify(probe.Resource)).toMatch(/:ecs:eu-west-1:123456789012:service\/Primary-Config-[0-9A-F]{8}-primary\/Primary-Config-[0-9A-F]{8}-server"/);
  });

  test('the writes path survives the loss of the primary region and of the live server; the reads path the loss of the primary region', () => {
    expect(() => s.app.synth()).not.toThrow();
    expect(config.recoveryObjectives.scenarioOutcomes(ColdStandbyConfigServerPath.WRITES).map(o => [o.scenario, o.survives])).toEqual([
      ['region-loss of eu-west-1', true], ['primary-server-loss of eu-west-1', true],
    ]);
    expect(config.recoveryObjectives.scenarioOutcomes(ColdStandbyConfigServerPath.READS).map(o => [o.scenario, o.survives])).toEqual([['region-loss of eu-west-1', true]]);
  });

  test('autoTurnOn: false leaves no turn-on rule and counts an assumed 5-minute on-call response', () => {
    const manual = setup();
    const off = build(manual, { autoTurnOn: false });
    expect(off.turnOnRule).toBeUndefined();
    Template.fromStack(manual.secondary).resourceCountIs('AWS::Events::Rule', 1);
    expect(off.recoveryObjectives.path(ColdStandbyConfigServerPath.WRITES).steps[2]).toMatchObject({ component: 'on-call runs the turn-on function', tuning: 'autoTurnOn (true)' });
    expect(off.writeRto.toSeconds()).toBe(432);
  });

  test('turnOnDetectionPeriods: 1 and a 10 s writer TTL: 12 + 10 + 10 + 80 = 112 s', () => {
    const fast = setup();
    const c = build(fast, { turnOnDetectionPeriods: 1, writerRecordTtl: Duration.seconds(10) });
    Template.fromStack(fast.secondary).hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'PrimaryServerUnreachable', Statistic: 'Minimum', EvaluationPeriods: 1 });
    expect(c.writeRto.toSeconds()).toBe(112);
  });

  test.each([[0], [7]])('fails when turnOnDetectionPeriods is %p', periods => {
    expect(() => build(setup(), { turnOnDetectionPeriods: periods })).toThrow(/invalid prop 'turnOnDetectionPeriods'.*expected an integer from 1 to 6/);
  });
});

describe('ColdStandbyConfigServer failure analysis: a broken link fails synthesis, naming the path, the link and the scenario', () => {
  test('the turn-on may no longer change the writer record (escape hatch on its policy)', () => {
    const s = setup();
    const config = build(s);
    const policy = config.turnOnRole.node.findAll().find(c => c instanceof iam.CfnPolicy) as iam.CfnPolicy;
    const statements = (renderedProperties(policy).PolicyDocument as { Statement: Array<{ Action: string | string[] }> }).Statement;
    const i = statements.findIndex(st => st.Action === 'route53:ChangeResourceRecordSets');
    policy.addPropertyOverride(`PolicyDocument.Statement.${i}.Action`, 'route53:ListResourceRecordSets');
    expect(() => s.app.synth()).toThrow(new RegExp(
      "recovery path 'writes' does not survive region-loss of eu-west-1: its automation turn-on function \\(Secondary/PrimaryConfig[0-9A-F]{8}/Standby/TurnOn/Resource\\) " +
      'calls route53:ChangeResourceRecordSets on .*hostedzone/.*, which its role does not allow'));
  });

  test('the standby proxy set to 0 tasks (escape hatch): reads in the standby region do not survive the loss of the primary region', () => {
    const s = setup();
    const config = build(s);
    (config.standbySite.proxy.node.defaultChild as ecs.CfnService).addPropertyOverride('DesiredCount', 0);
    expect(() => s.app.synth()).toThrow(/recovery path 'reads' does not survive region-loss of eu-west-1: its capacity proxy in us-east-1 \(Secondary\/PrimaryConfig[0-9A-F]{8}\/Standby\/Proxy\/Service\) serves 0 after failover; the load needs 1/);
  });
});

describe('ColdStandbyConfigServer over an HaDatabase', () => {
  const s = setup();
  const db = new HaDatabase(s.primary, 'Db', { vpc: s.vpc, secondary: { stack: s.secondary, vpc: s.vpc2 }, globalClusterIdentifier: 'config-db' });
  const config = build(s, { database: db });
  const t = Template.fromStack(s.primary);
  const t2 = Template.fromStack(s.secondary);
  test('servers connect as config_writer, proxies as config_reader, in each region to the local cluster', () => {
    const connectUsers = (tpl: Template) => JSON.stringify(Object.values(tpl.findResources('AWS::IAM::Policy')).map(p => p.Properties));
    expect(connectUsers(t)).toMatch(/dbuser:.*\/config_writer/);
    expect(connectUsers(t)).toMatch(/dbuser:.*\/config_reader/);
    expect(connectUsers(t2)).toMatch(/DbClusterResourceId.*\/config_writer|config_writer/);
    t2.hasResourceProperties('AWS::ECS::TaskDefinition', { ContainerDefinitions: [Match.objectLike({
      Environment: Match.arrayWith([{ Name: 'DB_ENDPOINT', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('PrimaryDb[0-9A-F]{8}Secondary'), 'ReadEndpoint.Address'] } }]),
    })] });
  });
  const arn = (region: string, resource: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:rds:${region}:123456789012:${resource}`]] });
  const turnOnPolicy = () => {
    const [policy] = Object.values(t2.findResources('AWS::IAM::Policy')).filter(p =>
      (p.Properties.Roles as Array<{ Ref: string }>).some(r => /StandbyTurnOnServiceRole/.test(r.Ref)));
    return policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>;
  };

  test('the standby server writes through the secondary\'s cluster endpoint (writable once promoted); its proxy reads the reader endpoint', () => {
    const env = (role: string) => Object.values(t2.findResources('AWS::ECS::TaskDefinition'))
      .map(d => d.Properties.ContainerDefinitions[0].Environment as Array<{ Name: string; Value: unknown }>)
      .find(e => e.some(v => v.Name === 'CONFIG_ROLE' && v.Value === role))!;
    expect(env('server')).toContainEqual({ Name: 'DB_ENDPOINT', Value: { 'Fn::GetAtt': [expect.stringMatching(/^PrimaryDb[0-9A-F]{8}Secondary/), 'Endpoint.Address'] } });
    expect(env('proxy')).toContainEqual({ Name: 'DB_ENDPOINT', Value: { 'Fn::GetAtt': [expect.stringMatching(/^PrimaryDb[0-9A-F]{8}Secondary/), 'ReadEndpoint.Address'] } });
  });

  test('exposes its database store', () => {
    expect(config.database).toBe(db);
  });

  test('the turn-on asks the database\'s promoter (its only promoter) and waits: it knows the global cluster, the standby cluster and the promoter; no data-loss setting', () => {
    t2.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 840,
      Environment: { Variables: Match.objectLike({
        GLOBAL_CLUSTER_ID: 'config-db',
        TARGET_CLUSTER_ARN: arn('us-east-1', 'cluster:config-db-us-east-1'),
        PROMOTER_FUNCTION: { 'Fn::GetAtt': [Match.stringLikeRegexp('PrimaryDb[0-9A-F]{8}SecondaryWriterProbe'), 'Arn'] },
        ALLOW_DATA_LOSS: Match.absent(),
        PROMOTION_TIMEOUT_SECONDS: '720',
        PROMOTION_POLL_SECONDS: '5',
      }) },
    });
  });

  test('the turn-on role may only describe the global cluster and invoke the promoter: never FailoverGlobalCluster or SwitchoverGlobalCluster', () => {
    const statements = turnOnPolicy();
    expect(statements.filter(st => [st.Action].flat().some(a => a.startsWith('rds:')))).toEqual([
      { Action: 'rds:DescribeGlobalClusters', Effect: 'Allow', Resource: arn('', 'global-cluster:config-db') },
    ]);
    expect(statements.filter(st => [st.Action].flat().includes('lambda:InvokeFunction'))).toEqual([
      { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^PrimaryDb[0-9A-F]{8}SecondaryWriterProbe/), 'Arn'] } },
    ]);
  });

  test('the server follows the writer: a rule in the standby region starts the turn-on on the promoter\'s announcement', () => {
    t2.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['cdk-ha-patterns'], 'detail-type': ['HaDatabase Promoted'],
        'resources': [arn('us-east-1', 'cluster:config-db-us-east-1')], 'detail': { globalClusterIdentifier: ['config-db'] },
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('PrimaryConfig[0-9A-F]{8}StandbyTurnOn'), 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 3600 } })],
    });
  });

  test('no warning that the turn-on fails the database over with data loss: the promoter decides, on its own data-plane confirmation', () => {
    Annotations.fromStack(s.primary).hasNoWarning(`/${config.node.path}`, Match.stringLikeRegexp('FailoverGlobalCluster with AllowDataLoss'));
  });

  test('the writes path with a database: the promotion branch counts the promoter and the slower of a failover and a switchover (lag alarm threshold + promotion), 187 s', () => {
    const writes = config.recoveryObjectives.path(ColdStandbyConfigServerPath.WRITES);
    expect(writes.steps[3].derivation).toMatch(/^slowest of 3: database promotion by its promoter, then the writer flag/);
    // 12 + 30 + 10 + (10 promoter + 0 confirmation + max(60 failover, 60 catch-up + 60 switchover) + 5 poll)
    expect(config.writeRto.toSeconds()).toBe(187);
    expect(JSON.stringify(writes.steps)).toMatch(/SwitchoverGlobalCluster \(live server lost, no data loss\)/);
    expect(config.rpo.toSeconds()).toBe(60);
  });

  test('a shorter global lag threshold shortens the switchover branch: 30 s gives 157 s', () => {
    const s2 = setup();
    const db2 = new HaDatabase(s2.primary, 'Db', {
      vpc: s2.vpc, secondary: { stack: s2.secondary, vpc: s2.vpc2 }, globalClusterIdentifier: 'config-db', globalLagThreshold: Duration.seconds(30),
    });
    expect(build(s2, { database: db2 }).writeRto.toSeconds()).toBe(157);
  });

  test('a promoter that detects later than the turn-on adds the difference: the database\'s 6 detection periods against the server\'s 1', () => {
    const s2 = setup();
    const db2 = new HaDatabase(s2.primary, 'Db', {
      vpc: s2.vpc, secondary: { stack: s2.secondary, vpc: s2.vpc2 }, globalClusterIdentifier: 'config-db', failoverDetectionPeriods: 6, globalLagThreshold: Duration.seconds(1),
    });
    const fast = build(s2, { database: db2, turnOnDetectionPeriods: 1 });
    const writes = fast.recoveryObjectives.path(ColdStandbyConfigServerPath.WRITES);
    // promoter detection 12 + 60 + 10 = 82 s, the turn-on's 12 + 10 + 10 = 32 s: 50 s more before the failover starts
    expect(JSON.stringify(writes.steps)).toMatch(/primary region lost: the promoter waits for its own probe alarm.*the promoter's detection \(82 s\) less the turn-on's \(32 s\)/);
    // 32 + (10 + 50 + max(60 failover, 1 catch-up + 60 switchover) + 5) = 158 s
    expect(fast.writeRto.toSeconds()).toBe(158);
  });

  test('fails when the database runs a Region switch plan as its automatic promoter and the turn-on asks it too: two automatic promoters', () => {
    const s2 = setup();
    const db2 = new HaDatabase(s2.primary, 'Db', {
      vpc: s2.vpc, secondary: { stack: s2.secondary, vpc: s2.vpc2 }, globalClusterIdentifier: 'config-db', failoverRunner: RegionFailoverRunner.REGION_SWITCH_PLAN,
    });
    build(s2, { database: db2 });
    expect(() => s2.app.synth()).toThrow(new RegExp(
      "Primary/Db: invalid prop 'secondary \\(automatic promoters\\)': received \"the database's Region switch plan .*; the database's promoter, asked by Primary/Config automatically .*\"; " +
      'expected exactly one automatic promoter per global database'));
  });

  test('fails when a task holds the primary writer endpoint and does not follow a promotion, naming it and the promoter', () => {
    const s2 = setup();
    const db2 = new HaDatabase(s2.primary, 'Db', { vpc: s2.vpc, secondary: { stack: s2.secondary, vpc: s2.vpc2 }, globalClusterIdentifier: 'config-db' });
    build(s2, { database: db2 });
    const task = new ecs.FargateTaskDefinition(s2.primary, 'Reporting');
    task.addContainer('App', { image, environment: { DB_HOST: db2.endpoint.hostname } });
    expect(() => s2.app.synth()).toThrow(new RegExp(
      "Primary/Db: invalid prop 'writer endpoint consumers': received \"Primary/Reporting holds the primary cluster's writer endpoint\"; expected a consumer that follows a promotion: " +
      "the database's promoter \\(the writer probe alarm's rule\\) \\(Secondary/.*WriterProbe/Resource\\) can make that cluster read-only"));
  });

  test('a consumer registered as following (the global writer endpoint) passes', () => {
    const s2 = setup();
    const db2 = new HaDatabase(s2.primary, 'Db', { vpc: s2.vpc, secondary: { stack: s2.secondary, vpc: s2.vpc2 }, globalClusterIdentifier: 'config-db' });
    build(s2, { database: db2 });
    const task = new ecs.FargateTaskDefinition(s2.primary, 'Reporting');
    task.addContainer('App', { image, environment: { DB_HOST: db2.endpoint.hostname } });
    db2.addWriterConsumer(task, WriterFollowing.GLOBAL_WRITER_ENDPOINT);
    expect(() => s2.app.synth()).not.toThrow();
    expect(s2.primary.resolve(db2.globalWriterEndpoint)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DbGlobalCluster/), 'GlobalEndpoint.Address'] });
  });

  test('without a route between the sites\' VPCs the writes path fails synthesis, naming both VPCs and the fix', () => {
    const s2 = setup(testApp(), false);
    build(s2);
    expect(() => s2.app.synth()).toThrow(new RegExp(
      "recovery path 'writes' does not survive .*: its network link the standby region's probe checks the live server through config-writer.example.com.* " +
      'needs Secondary/Vpc \\(us-east-1\\) to reach Primary/Vpc \\(eu-west-1\\) on port 80, and no route connects them: peer them with new InterRegionVpcPeering'));
  });

  test('the writes path links the database\'s secondary: a headless one breaks it (nothing to promote to a writer)', () => {
    const s2 = setup();
    const db2 = new HaDatabase(s2.primary, 'Db', { vpc: s2.vpc, secondary: { stack: s2.secondary, vpc: s2.vpc2, instances: 0 }, globalClusterIdentifier: 'config-db' });
    build(s2, { database: db2 });
    expect(() => s2.app.synth()).toThrow(/recovery path 'writes' does not survive region-loss of eu-west-1: its capacity instances of the database's secondary cluster in us-east-1 .* serves 0 after failover/);
  });
});

describe('ColdStandbyConfigServer bad inputs', () => {
  test('fails when the standby region equals the primary', () => {
    const s = setup();
    const same = new Stack(s.app, 'Same', { env: testEnv('eu-west-1') });
    expect(() => build(s, { standby: { stack: same, vpc: createHaVpc(same, 'Vpc') } }))
      .toThrow("Primary/Config: invalid prop 'standby.stack': received \"eu-west-1\"; expected a stack in another region than the primary (eu-west-1)");
  });
  test('fails when a proxy region is the standby region', () => {
    const s = setup();
    expect(() => build(s, { proxySites: [{ stack: s.secondary, vpc: s.vpc2 }] })).toThrow(/invalid prop 'proxySites\[0\].stack': received "us-east-1"; expected a region other than/);
  });
  test('fails when a proxy region has no replica of the database', () => {
    const s = setup();
    const db = new HaDatabase(s.primary, 'Db', { vpc: s.vpc, secondary: { stack: s.secondary, vpc: s.vpc2 } });
    expect(() => build(s, { database: db, proxySites: [{ stack: s.third, vpc: s.vpc3 }] }))
      .toThrow(/invalid prop 'proxySites\[0\].stack': received "ap-southeast-2"; expected a region where the database has a replica \(eu-west-1, us-east-1\)/);
  });
  test('fails when the database has no secondary region', () => {
    const s = setup();
    const db = new HaDatabase(s.primary, 'Db', { vpc: s.vpc });
    expect(() => build(s, { database: db })).toThrow(/invalid prop 'database'.*it has no secondary region/);
  });
  test('fails when the writer record TTL is above 60 s', () => {
    const s = setup();
    expect(() => build(s, { writerRecordTtl: Duration.minutes(5) })).toThrow(/invalid prop 'writerRecordTtl': received 5 minutes; expected a duration from 1 second to 1 minute/);
  });
  test('fails when the write RTO target is missed, naming every prop it takes and the single-sample risk of the only way', () => {
    const s = setup();
    build(s, { recoveryTargets: { rto: Duration.minutes(2) } });
    expect(() => s.app.synth()).toThrow(new RegExp("Primary/Config\\] recovery time target not met: the 'writes' path takes 2 min 22 s worst case, target 2 min \\(recoveryTargets.rto\\) = " +
      'server probe sampling 12 s \\+ server probe alarm 30 s .* To meet it, set turnOnDetectionPeriods: 1 \\(\u221220 s\\) and writerRecordTtl \\(1 to 60 s\\) at its limit \\(\u221210 s\\) \u2192 112 s\\. ' +
      'No setting that keeps every decision on two samples or more meets it: with these, one bad 10 s sample turns the cold standby on .*' +
      'synthesis will warn cdk-ha-patterns:config-server-single-sample-turn-on'));
  });

  test('fails when no setting meets the write RTO target, giving the fastest configuration', () => {
    const s = setup();
    build(s, { recoveryTargets: { rto: Duration.seconds(100) } });
    expect(() => s.app.synth()).toThrow(/the 'writes' path takes 2 min 22 s worst case, target 100 s .* No setting meets it: the fastest this path can be configured to is 112 s/);
  });
});

describe('ColdStandbyConfigServer gates', () => {
  test('all three stacks pass cdk-nag AwsSolutions and CloudFormation validation', () => {
    const s = setup(testApp({ validation: true }));
    build(s, { proxySites: [{ stack: s.third, vpc: s.vpc3 }], autoTurnOn: true });
    expect(formatFindings(gateFindings(s.app))).toEqual([]);
  });
});

describe('ColdStandbyConfigServer turn-on handler bundle', () => {
  test('the TurnOn handler bundles with esbuild (AWS SDK left to the runtime)', () => {
    const s = setup(testApp({ bundling: true }));
    const config = build(s);
    const assembly = s.app.synth();
    const fs = jest.requireActual('fs') as typeof import('fs');
    const path = jest.requireActual('path') as typeof import('path');
    const cfn = config.turnOnFunction.node.defaultChild as lambda.CfnFunction;
    const key = JSON.stringify(s.secondary.resolve((cfn.code as lambda.CfnFunction.CodeProperty).s3Key));
    const hash = /([0-9a-f]{64})\.zip/.exec(key)![1];
    const turnOn = fs.readFileSync(path.join(assembly.directory, `asset.${hash}`, 'index.js'), 'utf8');
    expect(turnOn).toBeDefined();
    expect(turnOn).toMatch(/require\("@aws-sdk\/client-ecs"\)/);
  });
});

describe('ColdStandbyConfigServer ports: container, target group and health check agree', () => {
  test('by default the containers map 8080 and the target groups send traffic and health checks (/health) to it', () => {
    const s = setup();
    build(s);
    for (const t of [Template.fromStack(s.primary), Template.fromStack(s.secondary)]) {
      t.allResourcesProperties('AWS::ECS::TaskDefinition', { ContainerDefinitions: [Match.objectLike({ PortMappings: [{ ContainerPort: 8080, Protocol: 'tcp' }] })] });
      t.allResourcesProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 8080, HealthCheckPath: '/health', HealthCheckPort: Match.absent() });
    }
  });

  test('containerPort and healthCheckPath set the container port mapping, the target group port and the health check together', () => {
    const s = setup();
    build(s, { containerPort: 80, healthCheckPath: '/' });
    const t = Template.fromStack(s.primary);
    t.allResourcesProperties('AWS::ECS::TaskDefinition', { ContainerDefinitions: [Match.objectLike({ PortMappings: [{ ContainerPort: 80, Protocol: 'tcp' }] })] });
    t.allResourcesProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 80, HealthCheckPath: '/' });
  });

  test('fails when a health check is moved to a port no container listens on', () => {
    const s = setup();
    const config = build(s);
    config.primarySite.serverTargetGroup!.configureHealthCheck({ port: '9000' });
    expect(() => s.app.synth()).toThrow("Primary/Config/Primary/Server: invalid prop 'targetGroup.healthCheck.port': received \"9000\"; expected 'traffic-port' or a container port mapping of the task: the load balancer would check a port no container listens on, no task would turn healthy and the deployment would roll back; the port the image listens on is containerPort (now 8080): set containerPort and healthCheckPath to what the image serves rather than changing the target group");
  });

  test('fails when a target group is moved to a port no container listens on', () => {
    const s = setup();
    const config = build(s);
    (config.standbySite.proxyTargetGroup.node.defaultChild as elbv2.CfnTargetGroup).port = 80;
    expect(() => s.app.synth()).toThrow(/Secondary\/PrimaryConfig[0-9A-F]{8}\/Standby\/Proxy: invalid prop 'targetGroup.port': received 80; expected a container port mapping of the task/);
  });
});

describe('ColdStandbyConfigServer retained resources with fixed names', () => {
  const PHYSICAL_NAMES = ['TableName', 'GlobalClusterIdentifier', 'DBClusterIdentifier', 'BucketName', 'LogGroupName', 'Name'];
  const retainedNames = (...templates: Template[]) => templates.flatMap(t =>
    Object.values(t.toJSON().Resources as Record<string, { Type: string; DeletionPolicy?: string; Properties?: Record<string, unknown> }>)
      .filter(r => r.DeletionPolicy === 'Retain')
      .flatMap(r => PHYSICAL_NAMES.filter(p => typeof r.Properties?.[p] === 'string').map(p => `${r.Type} ${p}=${r.Properties![p] as string}`)))
    .sort();

  test('only the global table has a fixed name, and it is tableName: a new tableName lets a retry after a rollback succeed', () => {
    const names = (tableName: string) => {
      const s = setup();
      build(s, { tableName });
      return retainedNames(Template.fromStack(s.primary), Template.fromStack(s.secondary));
    };
    expect(names('config-store')).toEqual(['AWS::DynamoDB::GlobalTable TableName=config-store']);
    expect(names('config-store-2')).toEqual(['AWS::DynamoDB::GlobalTable TableName=config-store-2']);
  });
});

describe('ColdStandbyConfigServer site networks: the writer in one site is reachable from the others', () => {
  test('each site\'s load balancer admits the other sites\' VPC CIDRs on port 80 (their proxies and clients, over peering or a transit gateway)', () => {
    const s = setup();
    build(s, { proxySites: [{ stack: s.third, vpc: s.vpc3 }] });
    const admits = (t: Template, cidr: string) => t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Config service load balancer'),
      SecurityGroupIngress: Match.arrayWith([{ CidrIp: cidr, Description: Match.stringLikeRegexp('another site'), FromPort: 80, IpProtocol: 'tcp', ToPort: 80 }]),
    });
    admits(Template.fromStack(s.primary), '10.1.0.0/16');
    admits(Template.fromStack(s.primary), '10.2.0.0/16');
    admits(Template.fromStack(s.secondary), '10.0.0.0/16');
    admits(Template.fromStack(s.secondary), '10.2.0.0/16');
    admits(Template.fromStack(s.third), '10.0.0.0/16');
    admits(Template.fromStack(s.third), '10.1.0.0/16');
  });

  test('fails when the standby VPC\'s CIDR overlaps the primary\'s (DynamoDB store: the writer name would point where primary-region clients cannot route)', () => {
    const s = setup();
    expect(() => build(s, { standby: { stack: s.secondary, vpc: createHaVpc(s.secondary, 'SameRange') } })).toThrow(
      "Primary/Config: invalid prop 'standby.vpc': received \"10.0.0.0/16\"; expected a VPC whose CIDR does not overlap vpc (10.0.0.0/16): each site's proxies and clients " +
      "reach the writer in another site's VPC over VPC peering or a transit gateway, which cannot route between overlapping ranges; give each site's VPC its own range, e.g. ec2.IpAddresses.cidr('10.1.0.0/16')");
  });

  test('fails when a proxy site\'s VPC overlaps another site\'s', () => {
    const s = setup();
    const overlapping = siteVpc(s.third, 'Overlapping', '10.1.128.0/20');
    expect(() => build(s, { proxySites: [{ stack: s.third, vpc: overlapping }] }))
      .toThrow(/invalid prop 'proxySites\[0\].vpc': received "10.1.128.0\/20"; expected a VPC whose CIDR does not overlap standby.vpc \(10.1.0.0\/16\)/);
  });

  test('warns when a site\'s CIDR is not known at synthesis (it cannot be checked nor admitted by the other sites)', () => {
    const s = setup();
    const imported = ec2.Vpc.fromVpcAttributes(s.secondary, 'Imported', {
      vpcId: 'vpc-0123456789abcdef0', vpcCidrBlock: Fn.importValue('standby-cidr'), availabilityZones: ['us-east-1a', 'us-east-1b'],
      publicSubnetIds: ['subnet-1', 'subnet-2'], privateSubnetIds: ['subnet-3', 'subnet-4'],
    });
    const config = build(s, { standby: { stack: s.secondary, vpc: imported } });
    // The user's own transit gateway: the route is declared, not created.
    NetworkRoute.declare(s.secondary, { fromVpc: imported, toVpc: s.vpc, kind: NetworkRouteKind.TRANSIT_GATEWAY, description: 'the corporate transit gateway tgw-0123', bothWays: true });
    Annotations.fromStack(s.primary).hasWarning(`/${config.node.path}`, Match.stringLikeRegexp('the CIDR of standby.vpc is not known at synthesis'));
  });
});

describe('ColdStandbyConfigServer: a deployment during an incident keeps the standby as the turn-on left it', () => {
  const s = setup();
  const config = build(s, { serverCount: 3 });
  const t2 = Template.fromStack(s.secondary);
  const services = Object.entries(t2.findResources('AWS::ECS::Service'));

  test('the standby server\'s template has no DesiredCount (a deploy keeps the running count); its proxy keeps its count', () => {
    const [, server] = services.find(([id]) => /StandbyServerService/.test(id))!;
    const [, proxy] = services.find(([id]) => /StandbyProxyService/.test(id))!;
    expect([server.Properties.DesiredCount, proxy.Properties.DesiredCount]).toEqual([undefined, 2]);
    Template.fromStack(s.primary).resourcePropertiesCountIs('AWS::ECS::Service', { DesiredCount: 3 }, 1); // the live server keeps its count
  });

  test('a custom resource sets the standby to 0 tasks once, after the service exists, through the turn-on function', () => {
    const [[id, resource]] = Object.entries(t2.findResources('Custom::StandbyDesiredCount'));
    expect(resource.Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': [expect.stringMatching(/StandbyTurnOn/), 'Arn'] },
      Cluster: { Ref: expect.stringMatching(/StandbyCluster/) },
      Service: { 'Fn::GetAtt': [expect.stringMatching(/StandbyServerService/), 'Name'] },
      DesiredCount: '0',
    });
    expect(resource.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/StandbyServerService/)]));
    expect(id).toMatch(/InitialDesiredCount/);
  });

  test('no context value is needed, and the old one warns that it is no longer read', () => {
    Annotations.fromStack(s.primary).hasNoWarning(`/${config.node.path}`, Match.anyValue());
    const old = setup(testApp({ context: { 'cdk-ha-patterns:standbyActive': 'true' } }));
    const withContext = build(old);
    Annotations.fromStack(old.primary).hasWarning(`/${withContext.node.path}`, Match.stringLikeRegexp('cdk-ha-patterns:standbyActive is no longer read'));
  });
});

describe('ColdStandbyConfigServer store consistency, backup and deletion protection', () => {
  const eu = ['eu-west-1', 'eu-central-1', 'eu-west-2'];
  test('multiRegionConsistency STRONG with a witness: the global table is MRSC over the primary, the standby and the witness, and the store loses nothing (RPO 0)', () => {
    const s = setup(testApp(), true, eu);
    const config = build(s, { multiRegionConsistency: dynamodb.MultiRegionConsistency.STRONG, witnessRegion: 'eu-west-3' });
    Template.fromStack(s.primary).hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      MultiRegionConsistency: 'STRONG', GlobalTableWitnesses: [{ Region: 'eu-west-3' }],
      Replicas: Match.arrayWith([Match.objectLike({ Region: 'eu-central-1' }), Match.objectLike({ Region: 'eu-west-1' })]),
    });
    expect(config.rpo.toSeconds()).toBe(0);
    expect(config.recoveryObjectives.dataLossBounds[0]).toMatchObject({ component: 'DynamoDB global table, multi-Region strong consistency' });
  });

  test('STRONG with a proxy site as the third region needs no witness', () => {
    const s = setup(testApp(), true, eu);
    build(s, { multiRegionConsistency: dynamodb.MultiRegionConsistency.STRONG, proxySites: [{ stack: s.third, vpc: s.vpc3 }] });
    Template.fromStack(s.primary).hasResourceProperties('AWS::DynamoDB::GlobalTable', { MultiRegionConsistency: 'STRONG', GlobalTableWitnesses: Match.absent() });
  });

  test('the default stays eventual: its RPO is the replication latency alarm threshold (30 s)', () => {
    const s = setup();
    const config = build(s);
    Template.fromStack(s.primary).hasResourceProperties('AWS::DynamoDB::GlobalTable', { MultiRegionConsistency: Match.absent() });
    expect(config.rpo.toSeconds()).toBe(30);
  });

  test.each([
    ['STRONG over two regions', { multiRegionConsistency: dynamodb.MultiRegionConsistency.STRONG },
      "invalid prop 'multiRegionConsistency': received \"STRONG over 2 regions (eu-west-1, us-east-1)\"; expected exactly three regions"],
    ['a witness with eventual consistency', { witnessRegion: 'us-east-2' }, "invalid prop 'witnessRegion': received \"us-east-2\"; expected no witness region unless multiRegionConsistency"],
    ['a witness in a replica region', { multiRegionConsistency: dynamodb.MultiRegionConsistency.STRONG, witnessRegion: 'us-east-1' },
      "invalid prop 'witnessRegion': received \"us-east-1\"; expected a region without a replica of the store"],
    ['regions of two region sets (our error, not aws-cdk-lib\'s)', { multiRegionConsistency: dynamodb.MultiRegionConsistency.STRONG, witnessRegion: 'us-east-2' },
      "invalid prop 'multiRegionConsistency': received \"STRONG over eu-west-1, us-east-1, us-east-2\"; expected regions of one region set that offers multi-Region strong consistency " +
      '(us-east-1, us-east-2, us-west-2; eu-west-1, eu-west-2, eu-west-3, eu-central-1; ap-northeast-1, ap-northeast-2, ap-northeast-3): us-east-1, us-east-2 is not in the primary\'s set'],
  ] as Array<[string, Partial<ColdStandbyConfigServerProps>, string]>)('fails with %s', (_name, extra, message) => {
    const s = setup();
    expect(() => build(s, extra)).toThrow(message);
  });

  test('backup: the global table is in an AWS Backup plan of the primary stack with a copy to a vault in the standby region', () => {
    const s = setup();
    const config = build(s, { backup: { copyTo: { stack: s.secondary } } });
    const t = Template.fromStack(s.primary);
    t.hasResourceProperties('AWS::Backup::BackupSelection', { BackupSelection: Match.objectLike({
      Resources: Match.arrayWith([{ 'Fn::GetAtt': [Match.stringLikeRegexp('ConfigStore'), 'Arn'] }]),
    }) });
    t.hasResourceProperties('AWS::Backup::BackupPlan', { BackupPlan: { BackupPlanRule: [Match.objectLike({
      CopyActions: [Match.objectLike({ DestinationBackupVaultArn: Match.stringLikeRegexp('^arn:aws:backup:us-east-1:123456789012:backup-vault:') })],
    })] } });
    Template.fromStack(s.secondary).resourceCountIs('AWS::Backup::BackupVault', 1);
    expect(config.backup).toBeDefined();
    expect(config.recoveryObjectives.pathIds).toContain('backup-restore');
  });

  test('every site\'s internal load balancer has deletion protection by default, and deletionProtection: false turns it off', () => {
    const attribute = (value: string) => ({ LoadBalancerAttributes: Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: value }]) });
    const s = setup();
    build(s);
    for (const stack of [s.primary, s.secondary]) Template.fromStack(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', attribute('true'));
    const off = setup();
    build(off, { deletionProtection: false });
    for (const stack of [off.primary, off.secondary]) Template.fromStack(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', attribute('false'));
  });
});

import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { FailoverNotifications, HaDatabase, HaDatabaseEngine } from '../../lib';
import { createHaVpc } from '../../lib/private/network';
import { peeredVpcs } from '../config-server/site-vpc';
import { formatFindings, gateFindings, testApp, testEnv } from '../harness';

function stacks(app = testApp()) {
  const primary = new Stack(app, 'Primary', { env: testEnv('eu-west-1') });
  const secondary = new Stack(app, 'Secondary', { env: testEnv('us-east-1') });
  // The secondary's probe connects to the primary writer: the two VPCs are peered.
  const { primaryVpc, secondaryVpc } = peeredVpcs(primary, secondary);
  return { app, primary, secondary, vpc: primaryVpc, vpc2: secondaryVpc };
}

describe('HaDatabase, Aurora PostgreSQL with a secondary region', () => {
  const { primary, secondary, vpc, vpc2 } = stacks();
  const notifications = new FailoverNotifications(primary, 'Notifications', { emails: ['ops@example.com'] });
  const db = new HaDatabase(primary, 'Db', {
    vpc, notifications, secondary: { stack: secondary, vpc: vpc2 }, globalClusterIdentifier: 'orders-global',
  });
  const reader = new iam.Role(primary, 'App', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
  db.grantConnect(reader, 'app_user');
  const t = Template.fromStack(primary);
  const t2 = Template.fromStack(secondary);

  test('an Aurora PostgreSQL cluster: encrypted, IAM auth, deletion protection, backups, retained', () => {
    t.hasResource('AWS::RDS::DBCluster', {
      Properties: Match.objectLike({
        Engine: 'aurora-postgresql', StorageEncrypted: true, EnableIAMDatabaseAuthentication: true,
        DeletionProtection: true, BackupRetentionPeriod: 7,
        MasterUserPassword: Match.anyValue(),
      }),
      DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain',
    });
  });

  test('a writer and a reader, not public, reader eligible for failover', () => {
    t.resourceCountIs('AWS::RDS::DBInstance', 2);
    t.hasResourceProperties('AWS::RDS::DBInstance', { PubliclyAccessible: false, PromotionTier: 1, DBInstanceClass: 'db.r6g.large' });
  });

  test('TLS required by the cluster parameter group', () => {
    t.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', { Parameters: { 'rds.force_ssl': '1' } });
  });

  test('credentials generated in Secrets Manager with rotation every 30 days', () => {
    t.resourceCountIs('AWS::SecretsManager::Secret', 1);
    t.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { ScheduleExpression: 'rate(30 days)' } });
  });

  test('the global cluster is created from the primary cluster with a fixed identifier', () => {
    t.hasResourceProperties('AWS::RDS::DBCluster', { DBClusterIdentifier: 'orders-global-eu-west-1' });
    t.hasResource('AWS::RDS::GlobalCluster', {
      Properties: { GlobalClusterIdentifier: 'orders-global', SourceDBClusterIdentifier: { Ref: Match.stringLikeRegexp('^Db') }, DeletionProtection: true },
      DeletionPolicy: 'Retain',
    });
  });

  test('the secondary cluster joins the global cluster by its literal id, without credentials, with its own key', () => {
    t2.hasResource('AWS::RDS::DBCluster', {
      Properties: Match.objectLike({
        GlobalClusterIdentifier: 'orders-global', DBClusterIdentifier: 'orders-global-us-east-1',
        Engine: 'aurora-postgresql', EngineVersion: '16.6', StorageEncrypted: true,
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('Key'), 'Arn'] },
        MasterUsername: Match.absent(), MasterUserPassword: Match.absent(),
        DeletionProtection: true, EnableIAMDatabaseAuthentication: true,
      }),
      DeletionPolicy: 'Retain',
    });
    t2.resourceCountIs('AWS::KMS::Key', 2); // storage key + the notifications replica's key
    t2.hasResourceProperties('AWS::RDS::DBInstance', { DBClusterIdentifier: { Ref: Match.anyValue() }, PubliclyAccessible: false });
    t2.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', { Parameters: { 'rds.force_ssl': '1' } });
  });

  test('the secondary stack depends on the primary stack and references no token from it', () => {
    expect(secondary.dependencies).toContain(primary);
    expect(JSON.stringify(t2.toJSON())).not.toMatch(/Fn::ImportValue|ExportsReader|Custom::CrossRegion/);
  });

  test('alarm metrics and thresholds: writer down, CPU, memory, connections, replica lag', () => {
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'CPUUtilization', Statistic: 'SampleCount', Threshold: 1, ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 2, TreatMissingData: 'breaching', Dimensions: Match.arrayWith([{ Name: 'Role', Value: 'WRITER' }]),
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'CPUUtilization', Dimensions: Match.arrayWith([{ Name: 'Role', Value: 'READER' }]) });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'CPUUtilization', Statistic: 'Average', Threshold: 80 });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'FreeableMemory', Threshold: 256 * 1024 * 1024, ComparisonOperator: 'LessThanThreshold' });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'DatabaseConnections', Threshold: 500 });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'AuroraReplicaLagMaximum', Threshold: 1000 });
  });

  test('global replication lag alarm in the secondary region, threshold = the declared RPO (default 60 s), notifying the regional topic', () => {
    t2.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'AuroraGlobalDBRPOLag', Threshold: 60000,
      Dimensions: [{ Name: 'DBClusterIdentifier', Value: 'orders-global-us-east-1' }],
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^FailoverNotifications') }],
    });
  });

  test('RDS failover events go to the notifications topic, which RDS may publish to', () => {
    t.hasResourceProperties('AWS::RDS::EventSubscription', {
      SourceType: 'db-cluster', Enabled: true, EventCategories: Match.arrayWith(['failover', 'failure', 'maintenance']),
      SnsTopicArn: { Ref: Match.stringLikeRegexp('^Notifications') },
    });
    t.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'events.rds.amazonaws.com' } })]) },
    });
  });

  test('RDS events of the secondary cluster go to the regional replica topic', () => {
    t2.hasResourceProperties('AWS::RDS::EventSubscription', {
      SourceType: 'db-cluster', SourceIds: [{ Ref: Match.stringLikeRegexp('^PrimaryDb[0-9A-F]{8}Secondary') }],
      EventCategories: Match.arrayWith(['global-failover']),
      SnsTopicArn: { Ref: Match.stringLikeRegexp('^FailoverNotifications') },
    });
  });

  test('runbooks: planned switchover and unplanned failover with AllowDataLoss, in the secondary region', () => {
    t2.hasResourceProperties('AWS::SSM::Document', {
      DocumentType: 'Automation',
      Content: Match.objectLike({ mainSteps: Match.arrayWith([Match.objectLike({ action: 'aws:executeAwsApi', inputs: Match.objectLike({ Api: 'SwitchoverGlobalCluster', GlobalClusterIdentifier: 'orders-global' }) })]) }),
    });
    t2.hasResourceProperties('AWS::SSM::Document', {
      Content: Match.objectLike({ mainSteps: Match.arrayWith([Match.objectLike({ inputs: Match.objectLike({ Api: 'FailoverGlobalCluster', AllowDataLoss: true }) })]) }),
    });
  });

  test('the runbook role may only switch over / fail over this global cluster', () => {
    t2.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
        Action: ['rds:FailoverGlobalCluster', 'rds:SwitchoverGlobalCluster'],
        Resource: [
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds::123456789012:global-cluster:orders-global']] },
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds:eu-west-1:123456789012:cluster:orders-global-eu-west-1']] },
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds:us-east-1:123456789012:cluster:orders-global-us-east-1']] },
        ],
      })]) },
    });
  });

  test('IAM database auth grant: rds-db:connect for the user', () => {
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'rds-db:connect' })]) },
    });
  });

  test('recovery objectives: in-region 35 s; cross-region RPO 60 s (lag alarm), RTO = probe 12 s + probe alarm 30 s + function 10 s + promotion 60 s + DNS 5 s', () => {
    expect(db.inRegionFailoverTime.toSeconds()).toBe(35);
    expect(db.crossRegionRpo?.toSeconds()).toBe(60);
    expect(db.crossRegionRto?.toSeconds()).toBe(117);
    expect(db.recoveryObjectives.rto.toSeconds()).toBe(117);
  });
});

describe('HaDatabase, Aurora MySQL without secondary', () => {
  const { primary, vpc } = stacks();
  const db = new HaDatabase(primary, 'Db', { vpc, engine: HaDatabaseEngine.AURORA_MYSQL, readers: 2, removalPolicy: RemovalPolicy.SNAPSHOT, deletionProtection: false });
  const t = Template.fromStack(primary);
  test('Aurora MySQL, writer + 2 readers, TLS via require_secure_transport, overrides respected', () => {
    t.hasResource('AWS::RDS::DBCluster', { Properties: Match.objectLike({ Engine: 'aurora-mysql', DeletionProtection: false }), DeletionPolicy: 'Snapshot' });
    t.resourceCountIs('AWS::RDS::DBInstance', 3);
    t.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', { Parameters: { require_secure_transport: 'ON' } });
    t.resourceCountIs('AWS::RDS::GlobalCluster', 0);
    t.resourceCountIs('AWS::RDS::EventSubscription', 0); // no notifications given
  });
  test('no cross-region figures without a secondary; RPO 0', () => {
    expect(db.crossRegionRto).toBeUndefined();
    expect(db.recoveryObjectives.rpo.toSeconds()).toBe(0);
  });
});

describe('HaDatabase, SQL Server Multi-AZ', () => {
  const { primary, vpc } = stacks();
  const notifications = new FailoverNotifications(primary, 'Notifications');
  const db = new HaDatabase(primary, 'Db', { vpc, notifications, engine: HaDatabaseEngine.SQL_SERVER });
  const t = Template.fromStack(primary);
  test('an RDS Multi-AZ SQL Server instance, encrypted, TLS forced, retained, not public', () => {
    t.hasResource('AWS::RDS::DBInstance', {
      Properties: Match.objectLike({ Engine: 'sqlserver-se', MultiAZ: true, StorageEncrypted: true, PubliclyAccessible: false, DeletionProtection: true, BackupRetentionPeriod: 7, LicenseModel: 'license-included' }),
      DeletionPolicy: 'Retain',
    });
    t.hasResourceProperties('AWS::RDS::DBParameterGroup', { Parameters: { 'rds.force_ssl': '1' } });
    t.hasResourceProperties('AWS::RDS::EventSubscription', { SourceType: 'db-instance', Enabled: true, EventCategories: Match.arrayWith(['availability', 'configuration change', 'failover', 'failure', 'maintenance']) });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'CPUUtilization', Statistic: 'SampleCount', Dimensions: [{ Name: 'DBInstanceIdentifier', Value: Match.anyValue() }] });
  });
  test('in-region failover 120 s (documented SQL Server Multi-AZ figure)', () => {
    expect(db.inRegionFailoverTime.toSeconds()).toBe(120);
  });
  test('fails when asking IAM connect on SQL Server', () => {
    expect(() => db.grantConnect(new iam.Role(primary, 'R', { assumedBy: new iam.AccountRootPrincipal() }), 'u')).toThrow(/invalid prop 'engine'.*SQL Server does not support it/);
  });
});

describe('HaDatabase bad inputs', () => {
  test('fails when the secondary region equals the primary', () => {
    const { primary, vpc } = stacks();
    const same = new Stack(primary.node.root as never, 'Same', { env: testEnv('eu-west-1') });
    const vpcSame = new ec2.Vpc(same, 'Vpc');
    expect(() => new HaDatabase(primary, 'Db', { vpc, secondary: { stack: same, vpc: vpcSame } }))
      .toThrow("Primary/Db: invalid prop 'secondary.stack': received \"eu-west-1\"; expected a stack in another region than the primary (eu-west-1)");
  });
  test('fails when SQL Server has a global secondary', () => {
    const { primary, secondary, vpc, vpc2 } = stacks();
    expect(() => new HaDatabase(primary, 'Db', { vpc, engine: HaDatabaseEngine.SQL_SERVER, secondary: { stack: secondary, vpc: vpc2 } }))
      .toThrow(/invalid prop 'secondary'.*no secondary with SQL Server/);
  });
  test('fails when the RPO target is below what Aurora Global Database replication delivers', () => {
    const { primary, secondary, vpc, vpc2 } = stacks();
    expect(() => new HaDatabase(primary, 'Db', { vpc, secondary: { stack: secondary, vpc: vpc2 }, recoveryTargets: { rpo: Duration.millis(500) } }))
      .toThrow(/invalid prop 'recoveryTargets.rpo': received 500 millis?; expected at least 1 second/);
  });
  test('fails when the RPO target is below the lag alarm threshold (at synthesis, naming the component)', () => {
    const { app, primary, secondary, vpc, vpc2 } = stacks();
    new HaDatabase(primary, 'Db', { vpc, secondary: { stack: secondary, vpc: vpc2 }, recoveryTargets: { rpo: Duration.seconds(5) }, globalLagThreshold: Duration.seconds(30) });
    expect(() => app.synth()).toThrow(/recovery point target not met.*Aurora Global Database replication/);
  });
  test('fails when readers is 0', () => {
    const { primary, vpc } = stacks();
    expect(() => new HaDatabase(primary, 'Db', { vpc, readers: 0 })).toThrow(/invalid prop 'readers': received 0; expected an integer from 1 to 15/);
  });
  test('fails when secondary.instances is negative', () => {
    const { primary, secondary, vpc, vpc2 } = stacks();
    expect(() => new HaDatabase(primary, 'Db', { vpc, secondary: { stack: secondary, vpc: vpc2, instances: -1 } })).toThrow(/invalid prop 'secondary.instances'/);
  });
  test('a headless secondary adds the instance start to the cross-region RTO, and nothing serves after the promotion until one is added', () => {
    const { app, primary, secondary, vpc, vpc2 } = stacks();
    const db = new HaDatabase(primary, 'Db', { vpc, secondary: { stack: secondary, vpc: vpc2, instances: 0 } });
    expect(db.crossRegionRto?.toSeconds()).toBe(717);
    expect(() => app.synth()).toThrow(/recovery path 'cross-region-failover' does not survive region-loss of eu-west-1: its capacity instances of the secondary cluster in us-east-1 \(Secondary\/.*\/Secondary\/Resource\) serves 0 after failover; the load needs 1/);
    db.recoveryObjectives.acknowledgeBrokenPath('cross-region-failover', 'our runbook adds a writer instance to the headless secondary before promoting it');
    Template.fromStack(secondary).resourceCountIs('AWS::RDS::DBInstance', 0);
  });
});

describe('HaDatabase gates', () => {
  test('primary and secondary stacks pass cdk-nag AwsSolutions and CloudFormation validation', () => {
    const { app, primary, secondary, vpc, vpc2 } = stacks(testApp({ validation: true }));
    const notifications = new FailoverNotifications(primary, 'Notifications', { emails: ['ops@example.com'] });
    new HaDatabase(primary, 'Db', { vpc, notifications, secondary: { stack: secondary, vpc: vpc2 } });
    const sql = new Stack(app, 'Sql', { env: testEnv('eu-west-1') });
    new HaDatabase(sql, 'Db', { vpc: createHaVpc(sql, 'Vpc'), notifications, engine: HaDatabaseEngine.SQL_SERVER });
    // isolated subnets only: rotation through the Secrets Manager endpoint the database adds
    const isolated = new Stack(app, 'Isolated', { env: testEnv('eu-west-1') });
    const isolatedVpc = new ec2.Vpc(isolated, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    isolatedVpc.addFlowLog('FlowLog');
    new HaDatabase(isolated, 'Db', { vpc: isolatedVpc, notifications });
    expect(formatFindings(gateFindings(app))).toEqual([]);
  });
});

test('a rotation every 12 hours (Secrets Manager allows 4 hours and up) is a rate schedule in hours', () => {
  const { primary, vpc } = stacks();
  new HaDatabase(primary, 'Db', { vpc, rotationInterval: Duration.hours(12) });
  Template.fromStack(primary).hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
    RotationRules: Match.objectLike({ ScheduleExpression: 'rate(12 hours)' }),
  });
});

describe('HaDatabase secret rotation: a path to Secrets Manager and to the database', () => {
  /** Logical ids of a template's resources of `type` whose id matches `pattern`. */
  const ids = (t: Template, type: string, pattern: RegExp) => Object.keys(t.findResources(type)).filter(id => pattern.test(id));
  const subnetRefs = (t: Template, name: string) => Object.keys(t.findResources('AWS::EC2::Subnet')).filter(id => id.startsWith(`Vpc${name}Subnet`)).sort();
  const rotationSubnets = (t: Template, id: string) => {
    const app = t.findResources('AWS::Serverless::Application')[id];
    const parts = (app.Properties.Parameters.vpcSubnetIds['Fn::Join'][1] as Array<{ Ref?: string }>).filter(p => p.Ref).map(p => p.Ref!);
    return parts.sort();
  };
  const isolatedOnlyVpc = (stack: Stack) => new ec2.Vpc(stack, 'Vpc', {
    natGateways: 0, subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });

  test.each([
    ['Aurora', HaDatabaseEngine.AURORA_POSTGRESQL, 'AWS::RDS::DBCluster'],
    ['SQL Server', HaDatabaseEngine.SQL_SERVER, 'AWS::RDS::DBInstance'],
  ])('%s in a VPC with private subnets with egress: rotation runs there (NAT to Secrets Manager), no endpoint, and may reach the database port', (_, engine, dbType) => {
    const { primary, vpc } = stacks();
    new HaDatabase(primary, 'Db', { vpc, engine });
    const t = Template.fromStack(primary);
    const [rotation] = ids(t, 'AWS::Serverless::Application', /^DbRotationSingleUser/);
    expect(rotationSubnets(t, rotation)).toEqual(subnetRefs(t, 'Private'));
    t.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    const [rotationSg] = ids(t, 'AWS::EC2::SecurityGroup', /^DbRotationSecurityGroup/);
    t.hasResourceProperties('AWS::Serverless::Application', { Parameters: Match.objectLike({ vpcSecurityGroupIds: { 'Fn::GetAtt': [rotationSg, 'GroupId'] } }) });
    const [dbResource] = Object.keys(t.findResources(dbType));
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: { 'Fn::GetAtt': [dbResource, 'Endpoint.Port'] },
      ToPort: { 'Fn::GetAtt': [dbResource, 'Endpoint.Port'] },
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DbSecurityGroup'), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [rotationSg, 'GroupId'] },
    });
  });

  test('in a VPC with isolated subnets only: one interface endpoint for Secrets Manager with private DNS, shared by the databases, open to their rotation only', () => {
    const app = testApp();
    const primary = new Stack(app, 'Primary', { env: testEnv('eu-west-1') });
    const vpc = isolatedOnlyVpc(primary);
    const db = new HaDatabase(primary, 'Db', { vpc });
    new HaDatabase(primary, 'Db2', { vpc });
    const t = Template.fromStack(primary);
    t.resourceCountIs('AWS::EC2::VPCEndpoint', 1);
    t.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Interface', ServiceName: 'com.amazonaws.eu-west-1.secretsmanager', PrivateDnsEnabled: true,
      SubnetIds: subnetRefs(t, 'Isolated').map(id => ({ Ref: id })),
    });
    expect(db.secretsManagerEndpoint).toBeDefined();
    const [endpointSg] = ids(t, 'AWS::EC2::SecurityGroup', /^VpcHaSecretsManagerEndpointSecurityGroup/);
    for (const name of ['Db', 'Db2']) {
      const [rotation] = ids(t, 'AWS::Serverless::Application', new RegExp(`^${name}RotationSingleUser`));
      expect(rotationSubnets(t, rotation)).toEqual(subnetRefs(t, 'Isolated'));
      const [rotationSg] = ids(t, 'AWS::EC2::SecurityGroup', new RegExp(`^${name}RotationSecurityGroup`));
      t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        IpProtocol: 'tcp', FromPort: 443, ToPort: 443,
        GroupId: { 'Fn::GetAtt': [endpointSg, 'GroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [rotationSg, 'GroupId'] },
      });
    }
    // open: false, so nothing but the rotation functions may use the endpoint
    expect(t.findResources('AWS::EC2::SecurityGroup')[endpointSg].Properties.SecurityGroupIngress).toBeUndefined();
  });

  test('with the user\'s Secrets Manager endpoint: rotation runs in the isolated subnets and calls that endpoint; no endpoint of its own', () => {
    const app = testApp();
    const primary = new Stack(app, 'Primary', { env: testEnv('eu-west-1') });
    const vpc = isolatedOnlyVpc(primary);
    const endpointSg = new ec2.SecurityGroup(primary, 'EndpointSg', { vpc });
    const endpoint = ec2.InterfaceVpcEndpoint.fromInterfaceVpcEndpointAttributes(primary, 'Endpoint', {
      vpcEndpointId: 'vpce-0123456789abcdef0', port: 443, securityGroups: [endpointSg],
    });
    new HaDatabase(primary, 'Db', { vpc, secretsManagerEndpoint: endpoint });
    const t = Template.fromStack(primary);
    t.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    const [rotation] = ids(t, 'AWS::Serverless::Application', /^DbRotationSingleUser/);
    expect(rotationSubnets(t, rotation)).toEqual(subnetRefs(t, 'Isolated'));
    t.hasResourceProperties('AWS::Serverless::Application', {
      Parameters: Match.objectLike({ endpoint: { 'Fn::Join': ['', ['https://vpce-0123456789abcdef0.secretsmanager.eu-west-1.', { Ref: 'AWS::URLSuffix' }]] } }),
    });
    const [rotationSg] = ids(t, 'AWS::EC2::SecurityGroup', /^DbRotationSecurityGroup/);
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 443, ToPort: 443,
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EndpointSg'), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [rotationSg, 'GroupId'] },
    });
  });
});

describe('HaDatabase retained resources with fixed names', () => {
  const PHYSICAL_NAMES = ['GlobalClusterIdentifier', 'DBClusterIdentifier', 'DBInstanceIdentifier', 'SecretName', 'KeyAlias', 'LogGroupName'];
  const retainedNames = (...templates: Template[]) => templates.flatMap(t =>
    Object.values(t.toJSON().Resources as Record<string, { Type: string; DeletionPolicy?: string; Properties?: Record<string, unknown> }>)
      .filter(r => r.DeletionPolicy === 'Retain')
      .flatMap(r => PHYSICAL_NAMES.filter(p => typeof r.Properties?.[p] === 'string').map(p => `${r.Type} ${p}=${r.Properties![p] as string}`)))
    .sort();

  test('without a secondary, CloudFormation names everything retained: a retry after a rollback cannot collide', () => {
    const { primary, vpc } = stacks();
    new HaDatabase(primary, 'Db', { vpc });
    expect(retainedNames(Template.fromStack(primary))).toEqual([]);
  });

  test('with a secondary, every fixed name of a retained resource comes from globalClusterIdentifier, so a new one lets a retry succeed', () => {
    const names = (id: string) => {
      const { primary, secondary, vpc, vpc2 } = stacks();
      new HaDatabase(primary, 'Db', { vpc, secondary: { stack: secondary, vpc: vpc2 }, globalClusterIdentifier: id });
      return retainedNames(Template.fromStack(primary), Template.fromStack(secondary));
    };
    expect(names('orders-global')).toEqual([
      'AWS::RDS::DBCluster DBClusterIdentifier=orders-global-eu-west-1',
      'AWS::RDS::DBCluster DBClusterIdentifier=orders-global-us-east-1',
      'AWS::RDS::DBCluster GlobalClusterIdentifier=orders-global',
      'AWS::RDS::GlobalCluster GlobalClusterIdentifier=orders-global',
    ]);
    expect(names('orders-global-2')).toEqual([
      'AWS::RDS::DBCluster DBClusterIdentifier=orders-global-2-eu-west-1',
      'AWS::RDS::DBCluster DBClusterIdentifier=orders-global-2-us-east-1',
      'AWS::RDS::DBCluster GlobalClusterIdentifier=orders-global-2',
      'AWS::RDS::GlobalCluster GlobalClusterIdentifier=orders-global-2',
    ]);
  });
});

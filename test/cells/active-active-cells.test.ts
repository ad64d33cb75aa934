import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ActiveActiveCells, ActiveActiveCellsProps, CellFileShare, FailoverNotifications } from '../../lib';
import { testApp, testEnv } from '../harness';

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');

function build(props: Partial<ActiveActiveCellsProps> = {}, setup?: (stack: Stack) => Partial<ActiveActiveCellsProps>): { stack: Stack; cells: ActiveActiveCells } {
  const app = testApp();
  const stack = new Stack(app, 'Cells', { env: testEnv() });
  const extra = setup?.(stack) ?? {};
  const cells = new ActiveActiveCells(stack, 'Cells', { image, ...props, ...extra });
  return { stack, cells };
}

describe('ActiveActiveCells with defaults', () => {
  const app = testApp();
  const stack = new Stack(app, 'Cells', { env: testEnv() });
  const notifications = new FailoverNotifications(stack, 'Notifications', { emails: ['ops@example.com'] });
  const cells = new ActiveActiveCells(stack, 'Cells', { image, notifications });
  const template = Template.fromStack(stack);

  test('three cells by default, each with its own service, database and EFS file share', () => {
    expect(cells.cells.map(c => c.cellName)).toEqual(['cell-1', 'cell-2', 'cell-3']);
    template.resourceCountIs('AWS::ECS::Service', 3);
    template.resourceCountIs('AWS::ECS::Cluster', 3);
    template.resourceCountIs('AWS::RDS::DBCluster', 3);
    template.resourceCountIs('AWS::EFS::FileSystem', 3);
    expect(new Set(cells.cells.map(c => c.database)).size).toBe(3);
    expect(new Set(cells.cells.map(c => c.fileSystem)).size).toBe(3);
  });

  test('each cell\'s task mounts its own file system, encrypted in transit with IAM authorization', () => {
    for (const cell of cells.cells) {
      template.hasResourceProperties('AWS::ECS::TaskDefinition', {
        Volumes: [{ Name: 'share', EFSVolumeConfiguration: { FilesystemId: stack.resolve(cell.fileSystem!.fileSystemId), TransitEncryption: 'ENABLED', AuthorizationConfig: { IAM: 'ENABLED' } } }],
        ContainerDefinitions: [Match.objectLike({
          Environment: Match.arrayWith([{ Name: 'CELL_NAME', Value: cell.cellName }]),
          Secrets: [{ Name: 'DB_SECRET', ValueFrom: Match.anyValue() }],
        })],
      });
    }
  });

  test('databases are encrypted Aurora Serverless v2 clusters with a reader, retained and deletion-protected', () => {
    template.allResourcesProperties('AWS::RDS::DBCluster', {
      StorageEncrypted: true, DeletionProtection: true, EnableIAMDatabaseAuthentication: true,
      ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 4 },
    });
    template.resourceCountIs('AWS::RDS::DBInstance', 6);
    expect(Object.values(template.findResources('AWS::RDS::DBCluster')).every(r => r.DeletionPolicy === 'Retain')).toBe(true);
    expect(Object.values(template.findResources('AWS::EFS::FileSystem')).every(r => r.DeletionPolicy === 'Retain')).toBe(true);
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 3);
  });

  test('each cell\'s secret rotation runs in the subnets with egress (NAT to Secrets Manager) and may reach its own database\'s port', () => {
    const privateSubnets = Object.keys(template.findResources('AWS::EC2::Subnet')).filter(id => /^CellsVpcPrivateSubnet/.test(id)).sort();
    expect(privateSubnets).toHaveLength(2);
    for (const cell of cells.cells) {
      const database = stack.resolve((cell.database.node.defaultChild as rds.CfnDBCluster).logicalId) as string;
      const [sgId, sg] = Object.entries(template.findResources('AWS::EC2::SecurityGroup'))
        .find(([id]) => id.startsWith(`${database.replace(/Database[0-9A-F]{8}$/, 'Database')}SecretAttachmentRotationSecurityGroup`))!;
      expect(sg.Properties.VpcId).toEqual({ Ref: 'CellsVpcA08251DF' });
      template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
        HostedRotationLambda: Match.objectLike({
          RotationType: 'PostgreSQLSingleUser',
          VpcSecurityGroupIds: { 'Fn::GetAtt': [sgId, 'GroupId'] },
          VpcSubnetIds: { 'Fn::Join': ['', [{ Ref: privateSubnets[0] }, ',', { Ref: privateSubnets[1] }]] },
        }),
      });
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        IpProtocol: 'tcp',
        FromPort: { 'Fn::GetAtt': [database, 'Endpoint.Port'] },
        ToPort: { 'Fn::GetAtt': [database, 'Endpoint.Port'] },
        GroupId: stack.resolve(cell.database.connections.securityGroups[0].securityGroupId),
        SourceSecurityGroupId: { 'Fn::GetAtt': [sgId, 'GroupId'] },
      });
    }
    template.hasResourceProperties('AWS::RDS::DBCluster', { Port: 5433 });
  });

  test('one load balancer weighs the cells equally, with cell stickiness', () => {
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      DefaultActions: [{
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: cells.cells.map(c => ({ TargetGroupArn: stack.resolve(c.targetGroup.targetGroupArn), Weight: 1 })),
          TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 3600 },
        },
      }],
    });
  });

  test('the rolling deployment keeps full capacity and rolls back on failure', () => {
    template.allResourcesProperties('AWS::ECS::Service', {
      DesiredCount: 2,
      DeploymentConfiguration: Match.objectLike({ MinimumHealthyPercent: 100, MaximumPercent: 200, DeploymentCircuitBreaker: { Enable: true, Rollback: true } }),
    });
  });

  test('updates published under updates/ trigger the fan-out; a schedule re-runs it', () => {
    template.hasResourceProperties('AWS::S3::Bucket', { NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } }, VersioningConfiguration: { Status: 'Enabled' } });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['aws.s3'], 'detail-type': ['Object Created'], 'detail': { bucket: { name: [stack.resolve(cells.updatesBucket.bucketName)] }, object: { key: [{ prefix: 'updates/' }] } } },
      Targets: [Match.objectLike({ Arn: stack.resolve(cells.fanOutFunction.functionArn), RetryPolicy: { MaximumRetryAttempts: 2 } })],
    });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    template.hasResourceProperties('AWS::DynamoDB::Table', { KeySchema: [{ AttributeName: 'cell', KeyType: 'HASH' }] });
  });

  test('fan-out permissions are limited to the cells: their services and their update parameters', () => {
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: stack.resolve(cells.fanOutRole.roleName).Ref }] } });
    const statements = Object.values(policies).flatMap(p => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>);
    const ecsStatement = statements.find(s => s.Action === 'ecs:UpdateService');
    expect(ecsStatement?.Resource).toEqual(cells.cells.map(c => stack.resolve(c.service.serviceArn)));
    const ssmStatements = statements.filter(s => JSON.stringify(s.Action).includes('ssm:PutParameter'));
    expect(ssmStatements).toHaveLength(1);
    expect(ssmStatements[0].Resource).toEqual(cells.cells.map(c => stack.resolve(c.updateParameter.parameterArn)));
    expect(JSON.stringify(statements)).not.toMatch(/"Resource":"\*"/);
  });

  test('the fan-out knows every cell', () => {
    const fn = template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('applies the latest update') } });
    const cellsEnv = JSON.stringify(Object.values(fn)[0].Properties.Environment.Variables.CELLS);
    for (const cell of cells.cells) expect(cellsEnv).toContain(cell.cellName);
  });

  test('alarms: a cell-down trigger per cell, and a cells-behind alarm that notifies', () => {
    expect(cells.failoverTriggers).toHaveLength(3);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'HealthyHostCount', Statistic: 'Minimum', Threshold: 1, ComparisonOperator: 'LessThanThreshold', EvaluationPeriods: 2,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'cdk-ha-patterns/ActiveActiveCells', MetricName: 'CellsBehind', ComparisonOperator: 'GreaterThanThreshold', Threshold: 0, TreatMissingData: 'breaching',
      AlarmActions: [Match.anyValue()], OKActions: [Match.anyValue()],
    });
    expect(cells.failoverTriggers).not.toContain(cells.cellsBehindAlarm);
    template.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 1);
  });

  test('recovery objectives computed from the target group and documented service times', () => {
    const report = cells.recoveryObjectives.toReport();
    const task = report.paths.find(p => p.name === 'cell-task')!;
    expect(task.steps.map(s => [s.component, s.seconds])).toEqual([
      ['target group health check (cell-1)', 20], ['Fargate replacement task', 60], ['target group registration (cell-1)', 20],
    ]);
    expect(report.paths.find(p => p.name === 'zone')!.totalSeconds).toBe(100);
    expect(report.paths.find(p => p.name === 'cell-database-writer')!.steps.map(s => [s.component, s.seconds])).toEqual([
      ['Aurora Multi-AZ failover', 30], ['cell database cluster endpoint DNS', 5],
    ]);
    expect(report.rtoSeconds).toBe(100);
    expect(report.rpoSeconds).toBe(0);
  });

  test('every path survives its failure: a task of a cell, a zone, a cell\'s database writer', () => {
    expect(() => app.synth()).not.toThrow();
    expect(['cell-task', 'zone', 'cell-database-writer'].flatMap(p => cells.recoveryObjectives.scenarioOutcomes(p)).map(o => [o.path, o.scenario, o.survives])).toEqual([
      ['cell-task', 'task-loss of eu-west-1', true],
      ['zone', 'zone-loss of eu-west-1', true],
      ['cell-database-writer', 'database-writer-loss of eu-west-1', true],
    ]);
  });

  test('grantPublishUpdate allows putting objects under updates/ only', () => {
    const { stack, cells } = build({ cellCount: 2 });
    const role = new iam.Role(stack, 'Publisher', { assumedBy: new iam.AccountRootPrincipal() });
    cells.grantPublishUpdate(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Publisher') }],
      PolicyDocument: { Statement: [Match.objectLike({ Resource: { 'Fn::Join': ['', [stack.resolve(cells.updatesBucket.bucketArn), '/updates/*']] } })] },
    });
  });
});

describe('draining, counts and DNS', () => {
  test.each([[2], [4], [5]])('cellCount %d creates that many cells (adding a cell is one number)', count => {
    const { stack } = build({ cellCount: count });
    Template.fromStack(stack).resourceCountIs('AWS::ECS::Service', count);
  });

  test('a draining cell gets weight 0 and keeps its service and data, with a warning', () => {
    const { stack, cells } = build({ cellCount: 3, drainingCells: ['cell-3'] });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      DefaultActions: [{ Type: 'forward', ForwardConfig: Match.objectLike({ TargetGroups: [Match.objectLike({ Weight: 1 }), Match.objectLike({ Weight: 1 }), Match.objectLike({ Weight: 0 })] }) }],
    });
    template.resourceCountIs('AWS::ECS::Service', 3);
    template.resourceCountIs('AWS::RDS::DBCluster', 3);
    expect(cells.servingCells).toEqual(['cell-1', 'cell-2']);
    Annotations.fromStack(stack).hasWarning('/Cells/Cells', Match.stringLikeRegexp("cell 'cell-3' is draining"));
  });

  test('S3 file shares: one bucket per cell, named in the environment', () => {
    const { stack, cells } = build({ cellCount: 2, fileShare: CellFileShare.S3_BUCKET });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EFS::FileSystem', 0);
    for (const cell of cells.cells) {
      template.hasResourceProperties('AWS::ECS::TaskDefinition', {
        ContainerDefinitions: [Match.objectLike({ Environment: Match.arrayWith([{ Name: 'FILE_SHARE_BUCKET', Value: stack.resolve(cell.bucket!.bucketName) }]) })],
      });
    }
  });

  test('a weighted record per region spreads cells across regions, weighted by serving cells', () => {
    const { stack } = build({ cellCount: 3, drainingCells: ['cell-1'] }, s => ({ dns: { zone: new route53.PublicHostedZone(s, 'Zone', { zoneName: 'example.com' }), recordName: 'etl' } }));
    Template.fromStack(stack).hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'etl.example.com.', Type: 'A', Weight: 2, SetIdentifier: 'eu-west-1-cells',
      AliasTarget: Match.objectLike({ EvaluateTargetHealth: true }),
    });
  });

  test('user-provided per-cell resources are used as given', () => {
    const { stack, cells } = build({}, s => {
      const vpc = new ec2.Vpc(s, 'Vpc', { subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC }, { name: 'App', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }, { name: 'Data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      ] });
      const fs1 = new efs.FileSystem(s, 'Fs1', { vpc });
      const bucket2 = new s3.Bucket(s, 'Bucket2');
      return { vpc, cellCount: 2, cells: [{ fileSystem: fs1 }, { bucket: bucket2 }] };
    });
    expect(cells.cells[0].fileSystem?.node.id).toBe('Fs1');
    expect(cells.cells[1].bucket?.node.id).toBe('Bucket2');
    Template.fromStack(stack).resourceCountIs('AWS::EFS::FileSystem', 1);
  });
});

describe('validation', () => {
  test.each([[1], [0], [6], [2.5]])('fails when cellCount is %d', count => {
    expect(() => build({ cellCount: count })).toThrow(`Cells/Cells: invalid prop 'cellCount': received ${count}; expected an integer from 2 to 5`);
  });

  test('fails when two cells share a database, naming both cells', () => {
    expect(() => build({}, s => {
      const vpc = new ec2.Vpc(s, 'Vpc');
      const db = new rds.DatabaseCluster(s, 'Db', { engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_6 }), vpc, writer: rds.ClusterInstance.serverlessV2('W') });
      return { vpc, cells: [{ database: db }, { database: db }] };
    })).toThrow("Cells/Cells: invalid prop 'cells[1].database': received \"the database of cell 'cell-1'\"; expected a database of its own: cells 'cell-1' and 'cell-2' would share it");
  });

  test('fails when two cells share a file system, naming both cells', () => {
    expect(() => build({}, s => {
      const vpc = new ec2.Vpc(s, 'Vpc');
      const fs = new efs.FileSystem(s, 'Fs', { vpc });
      return { vpc, cells: [{ name: 'north', fileSystem: fs }, { name: 'south' }, { name: 'west', fileSystem: fs }] };
    })).toThrow("invalid prop 'cells[2].fileSystem': received \"the fileSystem of cell 'north'\"; expected a fileSystem of its own: cells 'north' and 'west' would share it");
  });

  test('fails when two cells share a bucket, naming both cells', () => {
    expect(() => build({}, s => {
      const bucket = new s3.Bucket(s, 'Shared');
      return { cells: [{ bucket }, { bucket }] };
    })).toThrow("invalid prop 'cells[1].bucket': received \"the bucket of cell 'cell-1'\"; expected a bucket of its own: cells 'cell-1' and 'cell-2'");
  });

  test('fails when a cell has both a file system and a bucket', () => {
    expect(() => build({}, s => ({ cells: [{}, { bucket: new s3.Bucket(s, 'B'), fileSystem: new efs.FileSystem(s, 'F', { vpc: new ec2.Vpc(s, 'V') }) }] })))
      .toThrow("invalid prop 'cells[1]': received \"both fileSystem and bucket\"; expected one file share per cell");
  });

  test('fails when more cells are listed than cellCount', () => {
    expect(() => build({ cellCount: 2, cells: [{}, {}, {}] })).toThrow("invalid prop 'cells': received \"3 cells\"; expected at most cellCount (2) entries");
  });

  test('fails when two cells have the same name', () => {
    expect(() => build({ cells: [{ name: 'a' }, { name: 'a' }] })).toThrow("invalid prop 'cells[1].name': received \"a\"; expected a name of its own (cell 1 is already 'a')");
  });

  test('fails when a draining cell does not exist', () => {
    expect(() => build({ drainingCells: ['cell-9'] })).toThrow("invalid prop 'drainingCells[0]': received \"cell-9\"; expected one of the cells: cell-1, cell-2, cell-3");
  });

  test('fails when every cell is draining', () => {
    expect(() => build({ cellCount: 2, drainingCells: ['cell-1', 'cell-2'] })).toThrow("invalid prop 'drainingCells': received [\"cell-1\",\"cell-2\"]; expected at least one cell that keeps serving");
  });

  test('fails when desiredCountPerCell is 0', () => {
    expect(() => build({ desiredCountPerCell: 0 })).toThrow("invalid prop 'desiredCountPerCell': received 0; expected an integer >= 1");
  });

  test.each([[Duration.seconds(30), '30 seconds'], [Duration.minutes(10), '10 minutes']])('fails when fanOutRetryInterval is %s', (interval, shown) => {
    expect(() => build({ fanOutRetryInterval: interval })).toThrow(`invalid prop 'fanOutRetryInterval': received ${shown}; expected a duration from 1 minute to 5 minutes`);
  });

  test('a recovery-time target below the cell-task path fails synthesis naming the slowest step', () => {
    const { stack } = build({ recoveryTargets: { rto: Duration.seconds(60) } });
    expect(() => Template.fromStack(stack)).toThrow(/the 'cell-task' path takes 100 s worst case, target 60 s .*fastest this path can be configured to is 100 s/);
  });
});

describe('ActiveActiveCells failure analysis: a broken link fails synthesis, naming the path, the link and the scenario', () => {
  test('a cell turned to one task (escape hatch on its service) does not survive the loss of that task or of its zone', () => {
    const { stack, cells } = build();
    (cells.cell('cell-2').service.node.defaultChild as ecs.CfnService).addPropertyOverride('DesiredCount', 1);
    expect(() => (stack.node.root as App).synth()).toThrow(
      /recovery path 'cell-task' does not survive task-loss of eu-west-1: its capacity the other tasks of cell-2 \(Cells\/Cells\/Cell2\/Service\) serves 0 after failover; the load needs 1/);
  });

  test('desiredCountPerCell: 1 fails synthesis unless the gap is acknowledged', () => {
    const { stack, cells } = build({ desiredCountPerCell: 1 });
    const synth = () => (stack.node.root as App).synth();
    expect(synth).toThrow(/recovery path 'zone' does not survive zone-loss of eu-west-1: its capacity the tasks of cell-1 in the surviving zones .* serves 0 after failover/);
    cells.recoveryObjectives.acknowledgeBrokenPath('cell-task', 'a cell may be down until ECS replaces its only task: clients retry on another cell');
    cells.recoveryObjectives.acknowledgeBrokenPath('zone', 'a cell may be down until ECS replaces its only task: clients retry on another cell');
    expect(synth).not.toThrow();
  });
});

import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { DrillKind, DrillPurpose, FaultAction, FaultExperiment, HaValidationError, TargetSelection } from '../../lib';
import { testApp, testEnv } from '../harness';
import { permissions, permissionsOf } from './statements';

const purpose: DrillPurpose = {
  patternPath: 'S/Etl', patternName: 'SingletonDaemon', paths: ['task-failure'], scenario: 'task-loss of eu-west-1',
  proves: 'a replacement takes over', passes: 'a new task runs', expectedRecovery: Duration.seconds(90),
};

/** What every experiment's role needs to deliver its log to CloudWatch Logs. */
function logDelivery(region: string) {
  return [
    { actions: ['logs:CreateLogDelivery'], resources: ['*'] },
    {
      actions: ['logs:DescribeLogGroups', 'logs:DescribeResourcePolicies', 'logs:PutResourcePolicy'],
      resources: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:logs:${region}:123456789012:*`]] }],
    },
  ];
}

function setup(region = 'eu-west-1') {
  const app = testApp();
  const stack = new Stack(app, 'S', { env: testEnv(region) });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [
    { name: 'Public', subnetType: ec2.SubnetType.PUBLIC }, { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
  ] });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  const task = new ecs.FargateTaskDefinition(stack, 'Task');
  task.addContainer('App', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable') });
  const service = new ecs.FargateService(stack, 'Service', { cluster, taskDefinition: task, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
  const alarm = new cloudwatch.Alarm(stack, 'Hurt', {
    metric: new cloudwatch.Metric({ namespace: 'N', metricName: 'M' }), threshold: 1, evaluationPeriods: 1,
  });
  return { app, stack, vpc, cluster, service, alarm };
}

describe('FaultExperiment: stop tasks', () => {
  const { stack, service, alarm } = setup();
  const experiment = new FaultExperiment(stack, 'Drill', { actions: [FaultAction.stopTasks(service, TargetSelection.count(1))], stopAlarms: [alarm], purpose });
  const template = Template.fromStack(stack);

  test('stops one task of the service, resolved by its cluster and service names', () => {
    template.hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      Actions: { Step1StopTasks: { ActionId: 'aws:ecs:stop-task', Targets: { Tasks: 'Step1Tasks' }, Description: Match.stringLikeRegexp('^stop 1 task of S/Service') } },
      Targets: {
        Step1Tasks: {
          ResourceType: 'aws:ecs:task',
          SelectionMode: 'COUNT(1)',
          Parameters: { cluster: { Ref: Match.stringLikeRegexp('^Cluster') }, service: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Service'), 'Name'] } },
        },
      },
    });
  });

  test('stops when the alarm that means customers are hurt goes into ALARM', () => {
    template.hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      StopConditions: [{ Source: 'aws:cloudwatch:alarm', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Hurt'), 'Arn'] } }],
    });
  });

  test('logs to its own log group, kept a year, retained', () => {
    template.hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      LogConfiguration: { LogSchemaVersion: 2, CloudWatchLogsConfiguration: { LogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DrillLogs'), 'Arn'] } } },
    });
    template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 365 }, DeletionPolicy: 'Retain' });
  });

  test('its role is assumed by FIS for experiments of this account and region only', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{
        Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'fis.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': '123456789012' },
          ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':fis:eu-west-1:123456789012:experiment/*']] } },
        },
      }] },
    });
  });

  test('its role may list the cluster\'s tasks and describe and stop them, and deliver its log: nothing else', () => {
    expect(permissionsOf(template, 'DrillRole')).toEqual(permissions(
      { actions: ['ecs:ListTasks'], resources: ['*'], condition: { ArnEquals: { 'ecs:cluster': stack.resolve(service.cluster.clusterArn) } } },
      { actions: ['ecs:DescribeTasks', 'ecs:StopTask'], resources: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecs:eu-west-1:123456789012:task/', stack.resolve(service.cluster.clusterName), '/*']] }] },
      ...logDelivery('eu-west-1'),
    ));
  });

  test('outputs the template id and the command that starts it', () => {
    template.hasOutput('*', { Value: { Ref: Match.stringLikeRegexp('^Drill') } });
    template.hasOutput('*', { Value: { 'Fn::Join': ['', ['aws fis start-experiment --region eu-west-1 --experiment-template-id ', { Ref: Match.stringLikeRegexp('^Drill') }]] } });
  });

  test('describes what it proves and a start command that reads the id from the stack output', () => {
    const d = experiment.description;
    expect(d).toMatchObject({
      kind: DrillKind.FAULT_INJECTION, constructPath: 'S/Drill', stackName: 'S', region: 'eu-west-1', patternPath: 'S/Etl',
      paths: ['task-failure'], scenario: 'task-loss of eu-west-1', expectedRecoverySeconds: 90,
    });
    expect(d.startCommand).toMatch(/^aws fis start-experiment --region eu-west-1 --experiment-template-id "\$\(aws cloudformation describe-stacks --region eu-west-1 --stack-name S --query "Stacks\[0\]\.Outputs\[\?OutputKey=='DrillTemplateId[0-9A-F]{8}'\]\.OutputValue" --output text\)"$/);
  });
});

describe('FaultExperiment: other actions', () => {
  test('runs actions one after the other: each starts after the previous one', () => {
    const { stack, service, alarm } = setup();
    new FaultExperiment(stack, 'Drill', {
      actions: [FaultAction.stopTasks(service, TargetSelection.all()), FaultAction.wait(Duration.seconds(90)), FaultAction.stopTasks(service, TargetSelection.percent(50))],
      stopAlarms: [alarm], purpose,
    });
    Template.fromStack(stack).hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      Actions: {
        Step1StopTasks: Match.objectLike({ ActionId: 'aws:ecs:stop-task', Targets: { Tasks: 'Step1Tasks' }, StartAfter: Match.absent() }),
        Step2Wait: Match.objectLike({ ActionId: 'aws:fis:wait', Parameters: { duration: 'PT90S' }, StartAfter: ['Step1StopTasks'], Targets: Match.absent() }),
        Step3StopTasks: Match.objectLike({ ActionId: 'aws:ecs:stop-task', Targets: { Tasks: 'Step3Tasks' }, StartAfter: ['Step2Wait'] }),
      },
      Targets: { Step1Tasks: Match.objectLike({ SelectionMode: 'ALL' }), Step3Tasks: Match.objectLike({ SelectionMode: 'PERCENT(50)' }) },
    });
  });

  test('fails an Aurora cluster over: the cluster by ARN, failover and describe on it only', () => {
    const { stack, vpc, alarm } = setup();
    const cluster = new rds.DatabaseCluster(stack, 'Db', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_6 }), vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, writer: rds.ClusterInstance.serverlessV2('Writer'),
    });
    new FaultExperiment(stack, 'Drill', { actions: [FaultAction.failoverAuroraCluster(cluster)], stopAlarms: [alarm], purpose });
    const template = Template.fromStack(stack);
    const clusterArn = stack.resolve(cluster.clusterArn);
    expect(clusterArn).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds:eu-west-1:123456789012:cluster:', stack.resolve(cluster.clusterIdentifier)]] });
    template.hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      Actions: { Step1FailoverCluster: Match.objectLike({ ActionId: 'aws:rds:failover-db-cluster', Targets: { Clusters: 'Step1Clusters' } }) },
      Targets: { Step1Clusters: { ResourceType: 'aws:rds:cluster', SelectionMode: 'ALL', ResourceArns: [clusterArn] } },
    });
    expect(permissionsOf(template, 'DrillRole')).toEqual(permissions(
      { actions: ['rds:DescribeDBClusters', 'rds:FailoverDBCluster'], resources: [clusterArn] },
      ...logDelivery('eu-west-1'),
    ));
  });

  test('reboots a Multi-AZ instance with a forced failover', () => {
    const { stack, vpc, alarm } = setup();
    const instance = new rds.DatabaseInstance(stack, 'Db', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }), vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, multiAz: true,
    });
    new FaultExperiment(stack, 'Drill', { actions: [FaultAction.rebootInstanceWithFailover(instance)], stopAlarms: [alarm], purpose });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      Actions: { Step1RebootWithFailover: Match.objectLike({ ActionId: 'aws:rds:reboot-db-instances', Parameters: { forceFailover: 'true' }, Targets: { DBInstances: 'Step1DBInstances' } }) },
      Targets: { Step1DBInstances: { ResourceType: 'aws:rds:db', SelectionMode: 'ALL', ResourceArns: [stack.resolve(instance.instanceArn)] } },
    });
    const instanceArn = stack.resolve(instance.instanceArn);
    expect(permissionsOf(template, 'DrillRole')).toEqual(permissions(
      { actions: ['rds:DescribeDBInstances', 'rds:RebootDBInstance'], resources: [instanceArn] },
      ...logDelivery('eu-west-1'),
    ));
  });

  test('pauses a global table replica\'s replication for the duration: resource-policy calls on that replica only', () => {
    const { stack, alarm } = setup('us-east-1');
    const replica = dynamodb.TableV2.fromTableName(stack, 'Replica', 'config');
    new FaultExperiment(stack, 'Drill', { actions: [FaultAction.pauseGlobalTableReplication(replica, Duration.minutes(5))], stopAlarms: [alarm], purpose });
    const template = Template.fromStack(stack);
    const arn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':dynamodb:us-east-1:123456789012:table/config']] };
    template.hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      Actions: { Step1PauseReplication: Match.objectLike({ ActionId: 'aws:dynamodb:global-table-pause-replication', Parameters: { duration: 'PT5M' }, Targets: { Tables: 'Step1Tables' } }) },
      Targets: { Step1Tables: { ResourceType: 'aws:dynamodb:global-table', SelectionMode: 'ALL', ResourceArns: [arn] } },
    });
    expect(permissionsOf(template, 'DrillRole')).toEqual(permissions(
      { actions: ['dynamodb:DeleteResourcePolicy', 'dynamodb:DescribeTable', 'dynamodb:GetResourcePolicy', 'dynamodb:PutResourcePolicy'], resources: [arn] },
      ...logDelivery('us-east-1'),
    ));
  });

  test('cuts one zone\'s subnets off: every subnet of the VPC in that zone, network-ACL calls scoped to FIS\'s own ACLs', () => {
    const { stack, vpc, alarm } = setup();
    new FaultExperiment(stack, 'Drill', { actions: [FaultAction.disruptZone(vpc, 'eu-west-1a', Duration.minutes(3))], stopAlarms: [alarm], purpose });
    const template = Template.fromStack(stack);
    const subnets = [...vpc.publicSubnets, ...vpc.isolatedSubnets].filter(s => s.availabilityZone === 'eu-west-1a');
    expect(subnets).toHaveLength(2);
    const subnetArn = (s: ec2.ISubnet) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:eu-west-1:123456789012:subnet/', stack.resolve(s.subnetId)]] });
    const acls = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:eu-west-1:123456789012:network-acl/*']] };
    template.hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      Actions: { Step1DisruptZone: Match.objectLike({ ActionId: 'aws:network:disrupt-connectivity', Parameters: { duration: 'PT3M', scope: 'all' }, Targets: { Subnets: 'Step1Subnets' } }) },
      Targets: { Step1Subnets: { ResourceType: 'aws:ec2:subnet', SelectionMode: 'ALL', ResourceArns: subnets.map(subnetArn) } },
    });
    expect(permissionsOf(template, 'DrillRole')).toEqual(permissions(
      { actions: ['ec2:CreateNetworkAcl'], resources: [acls], condition: { StringEquals: { 'aws:RequestTag/managedByFIS': 'true' } } },
      { actions: ['ec2:CreateNetworkAcl'], resources: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:eu-west-1:123456789012:vpc/', stack.resolve(vpc.vpcId)]] }] },
      { actions: ['ec2:CreateTags'], resources: [acls], condition: { StringEquals: { 'ec2:CreateAction': 'CreateNetworkAcl', 'aws:RequestTag/managedByFIS': 'true' } } },
      { actions: ['ec2:CreateNetworkAclEntry', 'ec2:DeleteNetworkAcl'], resources: [acls], condition: { StringEquals: { 'ec2:ResourceTag/managedByFIS': 'true' } } },
      { actions: ['ec2:ReplaceNetworkAclAssociation'], resources: [...subnets.map(subnetArn), acls] },
      { actions: ['ec2:DescribeNetworkAcls', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs'], resources: ['*'] },
      ...logDelivery('eu-west-1'),
    ));
  });
});

describe('FaultExperiment validation', () => {
  const build = (change: (s: ReturnType<typeof setup>) => { actions?: FaultAction[]; stopAlarms?: cloudwatch.IAlarm[] }) => () => {
    const s = setup();
    const { actions, stopAlarms } = change(s);
    new FaultExperiment(s.stack, 'Drill', { actions: actions ?? [FaultAction.stopTasks(s.service, TargetSelection.all())], stopAlarms: stopAlarms ?? [s.alarm], purpose });
  };

  test('fails when there is no stop alarm', () => {
    expect(build(() => ({ stopAlarms: [] }))).toThrow(HaValidationError);
    expect(build(() => ({ stopAlarms: [] }))).toThrow(/S\/Drill: invalid prop 'stopAlarms': received \[\]; expected at least one alarm that means customers are hurt/);
  });

  test('fails when a stop alarm is in another region than the experiment', () => {
    expect(build(s => {
      const other = new Stack(s.app, 'Other', { env: testEnv('us-east-1') });
      return { stopAlarms: [new cloudwatch.Alarm(other, 'Far', { metric: new cloudwatch.Metric({ namespace: 'N', metricName: 'M' }), threshold: 1, evaluationPeriods: 1 })] };
    })).toThrow(/invalid prop 'stopAlarms\[0\]': received "Other\/Far in us-east-1"; expected an alarm in the experiment's region, eu-west-1/);
  });

  test('fails when an action targets resources of another region', () => {
    expect(build(s => {
      const other = new Stack(s.app, 'Other', { env: testEnv('us-east-1') });
      return { actions: [FaultAction.pauseGlobalTableReplication(dynamodb.TableV2.fromTableName(other, 'T', 'config'), Duration.minutes(5))] };
    })).toThrow(/invalid prop 'actions\[0\]': received "pause replication of config in us-east-1 for 5 min \(in us-east-1\)"; expected resources in the experiment's region, eu-west-1/);
  });

  test('fails when there is no action, or only waits', () => {
    expect(build(() => ({ actions: [] }))).toThrow(/invalid prop 'actions': received \[\]; expected at least one FaultAction/);
    expect(build(() => ({ actions: [FaultAction.wait(Duration.minutes(1))] }))).toThrow(/invalid prop 'actions': received \["aws:fis:wait"\]; expected at least one action with a target/);
  });

  test.each([
    ['a count of 0', (s: ReturnType<typeof setup>) => FaultAction.stopTasks(s.service, TargetSelection.count(0)), /invalid prop 'actions\[0\]\.selection': received 0; expected an integer >= 1/],
    ['a percentage over 100', (s: ReturnType<typeof setup>) => FaultAction.stopTasks(s.service, TargetSelection.percent(150)), /invalid prop 'actions\[0\]\.selection': received 150/],
    ['a fault of 13 hours', (s: ReturnType<typeof setup>) => FaultAction.disruptZone(s.vpc, 'eu-west-1a', Duration.hours(13)), /invalid prop 'actions\[0\]\.duration': received 13 hours; expected a duration from 1 second to 12 hours/],
    ['a zone the VPC does not have', (s: ReturnType<typeof setup>) => FaultAction.disruptZone(s.vpc, 'eu-west-1c', Duration.minutes(2)), /invalid prop 'actions\[0\]\.availabilityZone': received "eu-west-1c"; expected a zone of S\/Vpc: eu-west-1a, eu-west-1b/],
  ])('fails on %s', (_name, action, message) => {
    expect(build(s => ({ actions: [action(s)] }))).toThrow(message);
  });
});

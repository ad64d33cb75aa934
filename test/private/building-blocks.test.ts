/**
 * The shared building blocks' figures: the service health check every
 * pattern's target groups use (its timing is part of every recovery time),
 * the metrics alarms are built on, the key policy and the network defaults.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { IConstruct } from 'constructs';
import { metricRunningTasks } from '../../lib/private/ecs-metrics';
import { restrictKeyGrants } from '../../lib/private/kms';
import { acknowledge, createAccessLogsBucket, createHaVpc } from '../../lib/private/network';
import { metricHealthCheckStatus, ROUTE53_METRICS_REGION } from '../../lib/private/route53-metrics';
import { createServiceTargetGroup, serviceHealthCheck } from '../../lib/private/service-target-group';
import { testApp, testEnv } from '../harness';

const stack = () => new Stack(testApp(), 'S', { env: testEnv() });

/** The acknowledged findings on a construct, by id, with their reasons. */
function acknowledged(scope: IConstruct): Record<string, string> {
  return Object.assign({}, ...scope.node.metadata.filter(m => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).map(m => m.data));
}

describe('serviceHealthCheck', () => {
  test.each([
    [undefined, 10, 5],
    [30, 30, 5],
    [6, 6, 5],
    [5, 5, 4],
    [3, 3, 2],
    [2, 2, 2],
  ])('interval %p s: checks every %i s with a %i s timeout, 2 checks each way', (given, interval, timeout) => {
    const check = given === undefined ? serviceHealthCheck('/health') : serviceHealthCheck('/health', Duration.seconds(given));
    expect({ ...check, interval: check.interval!.toSeconds(), timeout: check.timeout!.toSeconds() })
      .toEqual({ path: '/health', interval, timeout, healthyThresholdCount: 2, unhealthyThresholdCount: 2 });
  });

  test('createServiceTargetGroup: HTTP to IP targets on the container port, 30 s deregistration delay, the health check', () => {
    const s = stack();
    createServiceTargetGroup(s, 'Tg', { vpc: new ec2.Vpc(s, 'Vpc'), port: 8080, healthCheckPath: '/ping', healthCheckInterval: Duration.seconds(5) });
    Template.fromStack(s).hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 8080, Protocol: 'HTTP', TargetType: 'ip',
      HealthCheckPath: '/ping', HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 4, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2,
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }]),
    });
  });
});

describe('metrics', () => {
  test('running tasks: Container Insights, minimum over 1 minute, by cluster and service; options override', () => {
    const s = stack();
    const cluster = new ecs.Cluster(s, 'C', { vpc: new ec2.Vpc(s, 'Vpc') });
    const service = { serviceName: 'svc' } as ecs.IBaseService;
    const m = metricRunningTasks(cluster, service);
    expect([m.namespace, m.metricName, m.statistic, m.period.toSeconds()]).toEqual(['ECS/ContainerInsights', 'RunningTaskCount', 'Minimum', 60]);
    expect(s.resolve(m.dimensions)).toEqual({ ClusterName: s.resolve(cluster.clusterName), ServiceName: 'svc' });
    expect(metricRunningTasks(cluster, service, { period: Duration.seconds(10) }).period.toSeconds()).toBe(10);
  });

  test('health-check status: minimum over 1 minute, always in us-east-1', () => {
    const check = route53.HealthCheck.fromHealthCheckId(stack(), 'H', 'hc-1');
    const m = metricHealthCheckStatus(check);
    expect([m.namespace, m.metricName, m.statistic, m.period.toSeconds(), m.region, m.dimensions]).toEqual(
      ['AWS/Route53', 'HealthCheckStatus', 'Minimum', 60, 'us-east-1', { HealthCheckId: 'hc-1' }]);
    expect(metricHealthCheckStatus(check, { region: 'eu-west-1', statistic: 'Average' })).toMatchObject({ region: 'us-east-1', statistic: 'Average' });
    expect(ROUTE53_METRICS_REGION).toBe('us-east-1');
  });
});

test('restrictKeyGrants: deny CreateGrant to everyone unless for an AWS resource or by an AWS service', () => {
  const s = stack();
  restrictKeyGrants(new kms.Key(s, 'Key'));
  Template.fromStack(s).hasResourceProperties('AWS::KMS::Key', {
    KeyPolicy: {
      Statement: Match.arrayWith([{
        Sid: 'DenyGrantsNotForAwsResources', Effect: 'Deny', Action: 'kms:CreateGrant', Principal: { AWS: '*' }, Resource: '*',
        Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
      }]),
    },
  });
});

describe('network', () => {
  test('createHaVpc: two zones by default, a NAT gateway per zone, the subnet sizes, flow logs kept a year', () => {
    const s = stack();
    createHaVpc(s, 'Vpc');
    const t = Template.fromStack(s);
    t.resourceCountIs('AWS::EC2::NatGateway', 2);
    const cidrs = Object.values(t.findResources('AWS::EC2::Subnet')).map(r => (r.Properties.CidrBlock as string).split('/')[1]).sort();
    expect(cidrs).toEqual(['22', '22', '24', '24', '24', '24']);
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    t.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' });
  });

  test('createHaVpc: three zones, three NAT gateways', () => {
    const s = new Stack(testApp(), 'S3', { env: { account: '123456789012', region: 'eu-west-1' } });
    createHaVpc(s, 'Vpc', 3);
    const t = Template.fromStack(s);
    t.resourceCountIs('AWS::EC2::NatGateway', 3);
    t.resourceCountIs('AWS::EC2::Subnet', 9);
  });

  test('createAccessLogsBucket: versioned, owner-enforced, no public access, old versions expire after 30 days, retained, with reviewed acknowledgements', () => {
    const s = stack();
    const bucket = createAccessLogsBucket(s, 'Logs');
    const t = Template.fromStack(s);
    t.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: { Rules: [Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } })] },
    });
    t.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    expect(Object.keys(acknowledged(bucket))).toEqual([
      'Annotation::AwsSolutions-S1',
      'cdk-validator-cfnguard::s3_bucket_logging_enabled_check',
      'cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check',
      'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
      'cdk-validator-cfnguard::s3_event_notifications_enabled_check',
    ]);
    expect(Object.values(acknowledged(bucket)).every(reason => reason.length > 40)).toBe(true);
  });

  test('acknowledge: one acknowledgement per finding, with its reason', () => {
    const s = stack();
    acknowledge(s, { 'Rule-1': 'reason one', 'cdk-validator-cfnguard::rule_2': 'reason two' });
    expect(acknowledged(s)).toEqual({ 'Annotation::Rule-1': 'reason one', 'cdk-validator-cfnguard::rule_2': 'reason two' });
  });
});

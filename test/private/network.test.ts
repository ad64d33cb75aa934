import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { restrictKeyGrants } from '../../lib/private/kms';
import { createAccessLogsBucket, createHaVpc } from '../../lib/private/network';
import { testApp, testEnv } from '../harness';

describe('shared network helpers', () => {
  const stack = new Stack(testApp(), 'Net', { env: testEnv() });
  createHaVpc(stack, 'Vpc', 2);
  createAccessLogsBucket(stack, 'Logs');
  restrictKeyGrants(new kms.Key(stack, 'Key'));
  const template = Template.fromStack(stack);

  test('the VPC spans two zones with a NAT gateway each, and assigns no public IPs on launch', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 2);
    template.resourceCountIs('AWS::EC2::Subnet', 6);
    template.allResourcesProperties('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false });
    template.hasResourceProperties('AWS::EC2::FlowLog', { LogDestinationType: 'cloud-watch-logs' });
  });

  test('the VPC\'s subnet groups: Public (/24, no public IPs on launch), Private with egress (/22) and Isolated (/24), in each zone', () => {
    const own = new Stack(testApp(), 'Subnets', { env: testEnv() });
    createHaVpc(own, 'Vpc', 2);
    const subnets = Object.values(Template.fromStack(own).findResources('AWS::EC2::Subnet')).map(r => {
      const tags = Object.fromEntries((r.Properties.Tags as Array<{ Key: string; Value: string }>).map(t => [t.Key, t.Value]));
      return `${tags['aws-cdk:subnet-name']} ${tags['aws-cdk:subnet-type']} ${String(r.Properties.CidrBlock).split('/')[1]} ${r.Properties.MapPublicIpOnLaunch}`;
    });
    expect(subnets.sort()).toEqual([
      'Isolated Isolated 24 false', 'Isolated Isolated 24 false', 'Private Private 22 false', 'Private Private 22 false',
      'Public Public 24 false', 'Public Public 24 false',
    ]);
  });

  test('the VPC\'s flow logs go to CloudWatch Logs, to a log group that keeps a year and outlives the stack', () => {
    const own = new Stack(testApp(), 'FlowLogs', { env: testEnv() });
    createHaVpc(own, 'Vpc', 2);
    const template = Template.fromStack(own);
    const [id] = Object.keys(template.findResources('AWS::Logs::LogGroup'));
    template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 365 }, DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.hasResourceProperties('AWS::EC2::FlowLog', { LogDestinationType: 'cloud-watch-logs', LogGroupName: { Ref: id } });
  });

  test('the access-log bucket uses SSE-S3 (what ELB log delivery supports), TLS only, with expiry', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 365, Status: 'Enabled' })] },
    });
  });

  test('a restricted key denies grants that are not for AWS resources', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 'kms:CreateGrant' })]) },
    });
  });
});

import { Stack } from 'aws-cdk-lib';
import { InterRegionVpcPeering } from '../../lib';
import { createHaVpc } from '../../lib/private/network';
import { formatFindings, gateReport, testApp, testEnv } from '../harness';

test('InterRegionVpcPeering passes cdk-nag AwsSolutions and the CloudFormation validation with default rules, each acknowledgement with its reason', () => {
  const app = testApp({ validation: true });
  const primary = new Stack(app, 'Primary', { env: testEnv('eu-west-1') });
  const standby = new Stack(app, 'Standby', { env: testEnv('us-east-1') });
  const peering = new InterRegionVpcPeering(standby, 'Peering', {
    vpc: createHaVpc(standby, 'Vpc', 2, '10.1.0.0/16'),
    peerVpc: createHaVpc(primary, 'Vpc', 2, '10.0.0.0/16'),
  });
  const report = gateReport(app);
  expect(formatFindings(report.findings)).toEqual([]);
  expect(formatFindings(report.warnings)).toEqual([]);
  // The two wildcards of the handler's role are acknowledged, each with its reason (cdk-nag applies them itself).
  const acknowledgements = JSON.stringify(peering.handlerRole.node.metadata.filter(m => m.type === 'aws:cdk:acknowledged-rules'));
  expect(acknowledgements).toContain('AwsSolutions-IAM5[Resource::*]');
  expect(acknowledgements).toContain('AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:eu-west-1:123456789012:route-table/*]');
  expect(acknowledgements).toContain('limited to the peer region (aws:RequestedRegion)');
  expect(acknowledgements).toContain('limited to the route tables this construct tagged (aws:ResourceTag condition)');
});

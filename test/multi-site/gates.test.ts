import { Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { FailoverNotifications, MultiSiteActiveActive } from '../../lib';
import { formatFindings, gateFindings, testApp, testEnv } from '../harness';

test('MultiSiteActiveActive passes cdk-nag AwsSolutions and the CloudFormation validation with default rules', () => {
  const app = testApp({ validation: true });
  const dns = new Stack(app, 'Dns', { env: testEnv('us-east-1'), crossRegionReferences: true });
  const zone = new route53.PublicHostedZone(dns, 'Zone', { zoneName: 'example.com' });
  const notifications = new FailoverNotifications(dns, 'Notifications', { emails: ['ops@example.com'] });
  const sites = ['eu-west-1', 'us-east-1', 'ap-southeast-2'].map(r => new Stack(app, `Site-${r}`, { env: testEnv(r), crossRegionReferences: true }));
  new MultiSiteActiveActive(dns, 'Engine', {
    zone, recordName: 'engine', notifications,
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
    sites: [{ stack: sites[0] }, { stack: sites[1] }, { stack: sites[2], standby: true }],
  });
  expect(formatFindings(gateFindings(app))).toEqual([]);
});

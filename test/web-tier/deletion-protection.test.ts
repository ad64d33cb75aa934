import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { ActiveSpareWebTier, WebTierSite } from '../../lib';
import { testApp, testEnv } from '../harness';

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');

const attribute = (value: string) => ({
  Scheme: 'internet-facing',
  LoadBalancerAttributes: Match.arrayWith([
    { Key: 'deletion_protection.enabled', Value: value },
    { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
  ]),
});

const cases: Array<[string, boolean | undefined, string]> = [
  ['on by default', undefined, 'true'],
  ['off with deletionProtection: false', false, 'false'],
];

describe('WebTierSite deletion protection (a site on its own: its load balancer is the only way in)', () => {
  test.each(cases)('%s', (_name, deletionProtection, value) => {
    const stack = new Stack(testApp(), 'App', { env: testEnv() });
    new WebTierSite(stack, 'Web', { image, activeCapacity: 2, deletionProtection });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', attribute(value));
  });
});

describe('ActiveSpareWebTier deletion protection (each site\'s load balancer is its region\'s only way in)', () => {
  test.each(cases)('%s, on the primary and the spare', (_name, deletionProtection, value) => {
    const app = testApp();
    const primary = new Stack(app, 'Primary', { env: testEnv('eu-west-1'), crossRegionReferences: true });
    const spare = new Stack(app, 'Spare', { env: testEnv('us-east-1'), crossRegionReferences: true });
    const zone = route53.PublicHostedZone.fromHostedZoneAttributes(spare, 'Zone', { hostedZoneId: 'Z1', zoneName: 'example.com' });
    new ActiveSpareWebTier(primary, 'Web', { spares: [{ stack: spare }], image, activeCapacity: 2, zone, recordName: 'agents', deletionProtection });
    for (const stack of [primary, spare]) {
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', attribute(value));
    }
  });
});

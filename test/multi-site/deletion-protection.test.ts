import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { ActiveActiveSite, MultiSiteActiveActive } from '../../lib';
import { testApp, testEnv } from '../harness';

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');

/** The templates of the site stacks of a two-site pattern (one of them a standby). */
function siteTemplates(deletionProtection?: boolean): Template[] {
  const app = testApp();
  const dns = new Stack(app, 'Dns', { env: testEnv('us-east-1'), crossRegionReferences: true });
  const zone = new route53.PublicHostedZone(dns, 'Zone', { zoneName: 'example.com' });
  const sites = ['eu-west-1', 'us-west-2'].map((r, i) => new Stack(app, `Site${i}`, { env: testEnv(r), crossRegionReferences: true }));
  new MultiSiteActiveActive(dns, 'Engine', {
    zone, recordName: 'engine', image, deletionProtection, sites: sites.map((stack, i) => ({ stack, standby: i === 1 })),
  });
  return sites.map(s => Template.fromStack(s));
}

const attribute = (value: string) => ({
  LoadBalancerAttributes: Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: value }]),
});

describe('MultiSiteActiveActive deletion protection (each site\'s load balancer is its only way in)', () => {
  test.each([
    ['on for every site, the standby too, by default', undefined, 'true'],
    ['off for every site with deletionProtection: false', false, 'false'],
  ])('%s', (_name, deletionProtection, value) => {
    const templates = siteTemplates(deletionProtection);
    expect(templates).toHaveLength(2);
    for (const t of templates) {
      t.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', attribute(value));
    }
  });

  test.each([
    ['on by default', undefined, 'true'],
    ['off with deletionProtection: false', false, 'false'],
  ])('an ActiveActiveSite built on its own: %s', (_name, deletionProtection, value) => {
    const stack = new Stack(testApp(), 'Site', { env: testEnv() });
    new ActiveActiveSite(stack, 'Site', {
      siteName: 'engine.example.com (eu-west-1)', image, containerPort: 80, healthCheckPath: '/health', desiredCount: 2, environment: {}, deletionProtection,
    });
    Template.fromStack(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', attribute(value));
  });
});

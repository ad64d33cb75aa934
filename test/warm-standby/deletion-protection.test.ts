import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { WarmStandbyPair } from '../../lib';
import { createHaVpc } from '../../lib/private/network';
import { testApp, testEnv } from '../harness';

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable');

function pairTemplate(deletionProtection?: boolean): Template {
  const stack = new Stack(testApp(), 'Gw', { env: testEnv() });
  new WarmStandbyPair(stack, 'Pair', { vpc: createHaVpc(stack, 'Vpc'), image, tcpPort: 5060, deletionProtection });
  return Template.fromStack(stack);
}

describe('WarmStandbyPair deletion protection (the load balancer is the pair\'s only way in)', () => {
  test.each([
    ['on by default', undefined, 'true'],
    ['on with deletionProtection: true', true, 'true'],
    ['off with deletionProtection: false', false, 'false'],
  ])('%s', (_name, deletionProtection, value) => {
    const template = pairTemplate(deletionProtection);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Type: 'network',
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'deletion_protection.enabled', Value: value },
        // the other attributes stay as they were
        { Key: 'load_balancing.cross_zone.enabled', Value: 'true' },
        { Key: 'access_logs.s3.enabled', Value: 'true' },
      ]),
    });
  });
});

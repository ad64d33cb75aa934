import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { ActiveActiveCells } from '../../lib';
import { testApp, testEnv } from '../harness';

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');

function cellsTemplate(deletionProtection?: boolean): Template {
  const stack = new Stack(testApp(), 'Cells', { env: testEnv() });
  new ActiveActiveCells(stack, 'Cells', { image, cellCount: 2, deletionProtection });
  return Template.fromStack(stack);
}

describe('ActiveActiveCells deletion protection (one load balancer in front of every cell)', () => {
  test.each([
    ['on by default', undefined, 'true'],
    ['off with deletionProtection: false', false, 'false'],
  ])('%s', (_name, deletionProtection, value) => {
    const template = cellsTemplate(deletionProtection);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'deletion_protection.enabled', Value: value },
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
      ]),
    });
  });
});

import { Match } from 'aws-cdk-lib/assertions';
import { describeExampleGates, synthExample } from './example-suite';

describeExampleGates('agent-workspace');

describe('agent-workspace configuration service', () => {
  const { templates } = synthExample('agent-workspace');
  const config = [templates['agent-workspace-ConfigPrimary'], templates['agent-workspace-ConfigStandby']];

  test('the placeholder (stock nginx) is served on the port it listens on, 80, and checked on a path it answers, /', () => {
    for (const t of config) {
      t.allResourcesProperties('AWS::ECS::TaskDefinition', {
        ContainerDefinitions: [Match.objectLike({ Image: 'public.ecr.aws/nginx/nginx:stable', PortMappings: [{ ContainerPort: 80, Protocol: 'tcp' }] })],
      });
      t.allResourcesProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 80, HealthCheckPath: '/', HealthCheckPort: Match.absent() });
      // the load balancer may reach the tasks on that port (egress from its group, ingress to the tasks' groups)
      t.resourcePropertiesCountIs('AWS::EC2::SecurityGroupEgress', { Description: 'load balancer to tasks', FromPort: 80, ToPort: 80 }, 2);
      t.resourcePropertiesCountIs('AWS::EC2::SecurityGroupIngress', { Description: 'load balancer to tasks', FromPort: 80, ToPort: 80 }, 2);
    }
  });
});

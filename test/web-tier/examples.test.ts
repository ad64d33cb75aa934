/**
 * The web-tier components of the reference architectures, built alone (the
 * examples' own gate and snapshot tests in test/examples cover the whole apps).
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { addAgentWebTier } from '../../examples/agent-workspace/web';
import { ExampleContext, exampleSettings } from '../../examples/context';
import { addWorkforceWebApplication } from '../../examples/workforce-management/web';
import { buildResilienceReport } from '../../lib';
import { testApp } from '../harness';

function context(name: string): ExampleContext {
  const app = testApp();
  return new ExampleContext(app, name, exampleSettings(app));
}

describe('agent-workspace web tier', () => {
  const ctx = context('agent-workspace');
  const tier = addAgentWebTier(ctx);

  test('is a two-region active-spare tier with failover DNS in the example zone', () => {
    expect(tier.stacks.map(s => [s.stackName, s.region])).toEqual([
      ['agent-workspace-Web-Primary', 'eu-west-1'],
      ['agent-workspace-Web-Spare', 'us-east-1'],
    ]);
    expect(tier.url).toBe('https://agents.agent-workspace.example.com/');
  });

  test('its DNS path (<= 60 s) and browser path (<= 30 s) are listed separately in the resilience report', () => {
    ctx.app.synth(); // enforces the targets
    const component = buildResilienceReport(ctx.app).components.find(c => c.pattern === 'ActiveSpareWebTier')!;
    expect(component.paths.map(p => [p.name, p.totalSeconds, p.targetSeconds])).toEqual([['dns', 45, 60], ['browser', 26, 30]]);
  });
});

describe('workforce-management web application', () => {
  const site = addWorkforceWebApplication(context('workforce-management'));

  test('runs N+1 tasks behind an HTTPS load balancer at wfm.<zone>', () => {
    const template = Template.fromStack(Stack.of(site));
    template.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 3 });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Protocol: 'HTTPS' });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'wfm.workforce-management.example.com.' });
  });
});

/**
 * The example components built on these patterns, on their own (the full
 * examples, with their snapshots, are tested in test/examples): the messaging
 * gateway and the workforce application server with its schedule builders.
 * Their gates (cdk-nag, CloudFormation validation) run over the whole
 * examples in test/examples.
 */
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ExampleContext, exampleSettings } from '../../examples/context';
import { addGateway } from '../../examples/messaging-gateway/gateway';
import { addWorkforceAppServer } from '../../examples/workforce-management/app-server';
import { LeaseMode, StandbyServerRole, WarmStandbyPairPath } from '../../lib';
import { testApp } from '../harness';

describe('messaging gateway component', () => {
  const app = testApp();
  const ctx = new ExampleContext(app, 'messaging-gateway', exampleSettings(app));
  const gateway = addGateway(ctx);
  const template = Template.fromStack(Stack.of(gateway));

  test('TCP and UDP stable listeners, gateway.<zone>, notifications on offline and restore, promotion runbook, status dashboard', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 2775, Protocol: 'TCP' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 5060, Protocol: 'UDP' });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'gateway.messaging-gateway.example.com.' });
    template.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', {
      AlarmActions: [{ 'Fn::ImportValue': Match.stringLikeRegexp('FailoverNotifications') }],
      OKActions: [{ 'Fn::ImportValue': Match.stringLikeRegexp('FailoverNotifications') }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'messaging-gateway-gateway-status' });
    expect(template.toJSON().Resources[Stack.of(gateway).getLogicalId(gateway.promoteRunbook)].Properties.DocumentType).toBe('Automation');
    expect(ctx.notifications.describeSubscribers()).toBe('1 email, 1 SMS, 1 webhook');
  });

  test('computed takeover times meet the targets: a lost primary task within a minute (the launcher\'s lease handover, 58 s), a hung primary within 2 (58 s)', () => {
    const report = gateway.recoveryObjectives.toReport();
    for (const p of report.paths) console.log(`messaging-gateway Gateway ${p.name}: ${p.totalSeconds} s (${p.steps.map(s => `${s.component}: ${s.derivation} = ${s.seconds} s`).join('; ')})`);
    expect(report.paths.map(p => [p.name, p.totalSeconds, p.targetSeconds])).toEqual([['takeover', 58, 60], ['unresponsive', 58, 120]]);
    expect(gateway.leaseMode).toBe(LeaseMode.LAUNCHER);
    expect(gateway.recoveryObjectives.targetOf(WarmStandbyPairPath.TAKEOVER)?.toSeconds()).toBe(60);
    // Synthesis checks the recoveryTargets and the failure scenarios, and would throw if either failed.
    expect(() => app.synth()).not.toThrow();
  });

});

describe('workforce application server component', () => {
  const app = testApp();
  const ctx = new ExampleContext(app, 'workforce-management', exampleSettings(app));
  const { appServer, scheduleBuilders } = addWorkforceAppServer(ctx);
  const template = Template.fromStack(Stack.of(appServer));

  test('a warm standby application server and a 2-20 schedule-builder pool in one stack', () => {
    template.resourceCountIs('AWS::ECS::Service', 3);
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 20 });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'app.workforce-management.example.com.' });
  });

  test('both application servers may submit schedule-build jobs', () => {
    for (const role of [StandbyServerRole.PRIMARY, StandbyServerRole.SECONDARY]) {
      const roleId = Stack.of(appServer).getLogicalId(appServer.taskRole(role).node.defaultChild as import('aws-cdk-lib').CfnElement);
      const policies = Object.values(template.findResources('AWS::IAM::Policy'))
        .filter(p => JSON.stringify(p.Properties.Roles).includes(roleId));
      expect(JSON.stringify(policies)).toContain('sqs:SendMessage');
    }
  });

  test('computed recovery times meet the targets', () => {
    for (const pattern of [appServer, scheduleBuilders]) {
      const r = pattern.recoveryObjectives.toReport();
      console.log(`workforce-management ${r.pattern} ${r.constructPath}: RTO ${r.rtoSeconds} s (${r.paths[0].steps.map(s => `${s.component}: ${s.derivation} = ${s.seconds} s`).join('; ')})`);
    }
    expect(appServer.recoveryObjectives.paths.map(p => [p.name, p.total.toSeconds(), p.target?.toSeconds()])).toEqual([['takeover', 25, 60], ['unresponsive', 57, 120]]);
    // 60 s heartbeat-extended visibility timeout; with 2 workers minimum another one takes the job.
    expect(scheduleBuilders.jobRecoveryTime.toSeconds()).toBe(60);
    expect(() => app.synth()).not.toThrow();
  });

});

/**
 * The promises the example READMEs make, asserted on the synthesized
 * examples: which pattern covers which component, and the key settings.
 */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildResilienceReport } from '../../lib';
import { testApp } from '../harness';
import { example, synthExample } from './example-suite';

function patterns(app: App): string[] {
  app.synth();
  return buildResilienceReport(app).components.map(c => `${c.pattern} ${c.constructPath}`).sort();
}

describe('workforce-management promises', () => {
  const { app, templates } = synthExample('workforce-management');

  test('each component has the HA type its README names', () => {
    expect(patterns(app)).toEqual([
      'HaDatabase workforce-management-Database/Database',
      'HotStandbyConsumer workforce-management-Processes/DataAggregator',
      'SingletonDaemon workforce-management-Processes/EtlServer',
      'SingletonDaemon workforce-management-Processes/NotificationDaemon',
      'WarmStandbyPair workforce-management-AppServer/ApplicationServer',
      'WebTierSite workforce-management-Web/WebApplication',
      'WorkerPool workforce-management-AppServer/ScheduleBuilders',
    ]);
  });

  test('one HA database: Aurora PostgreSQL with a writer and a reader', () => {
    templates['workforce-management-Database'].hasResourceProperties('AWS::RDS::DBCluster', { Engine: 'aurora-postgresql', StorageEncrypted: true });
    templates['workforce-management-Database'].resourceCountIs('AWS::RDS::DBInstance', 2);
  });

  test('the singletons and the application server recover within a minute; a hung application server within one too (the pair\'s probe)', () => {
    app.synth();
    const paths = Object.fromEntries(buildResilienceReport(app).components
      .filter(c => ['SingletonDaemon', 'WarmStandbyPair'].includes(c.pattern))
      .map(c => [c.constructPath.split('/')[1], c.paths.map(p => [p.name, p.totalSeconds, p.targetSeconds])]));
    expect(paths).toEqual({
      // Vendor daemons behind the lease-gated launcher: the lease outlasts the old task's stop (stopTimeout + margin).
      EtlServer: [['task-failure', 58, 60]],
      NotificationDaemon: [['task-failure', 33, 60]],
      ApplicationServer: [['takeover', 25, 60], ['unresponsive', 57, 120]],
    });
  });

  test('each singleton runs its lease holder and a hot standby, one task each, in two zones; the notification daemon with its shorter lease, held by its launcher', () => {
    const processes = templates['workforce-management-Processes'];
    for (const daemon of ['EtlServer', 'NotificationDaemon']) {
      const services = Object.entries(processes.findResources('AWS::ECS::Service')).filter(([id]) => id.startsWith(daemon));
      expect(services.map(([id]) => id.replace(/[0-9A-F]{8}$/, ''))).toEqual([`${daemon}Service`, `${daemon}StandbyService`]);
      expect(services.map(([, s]) => s.Properties.DesiredCount)).toEqual([1, 1]);
      const subnets = services.map(([, s]) => JSON.stringify(s.Properties.NetworkConfiguration.AwsvpcConfiguration.Subnets));
      expect(subnets[0]).not.toEqual(subnets[1]);
    }
    // a deployment stops one task per service: the restarts alarm pages from 4 stops in 15 minutes, not on one deployment
    for (const daemon of ['EtlServer', 'NotificationDaemon']) {
      processes.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'TriggeredRules', Threshold: 4, AlarmDescription: Match.stringLikeRegexp(`Processes/${daemon}: 4 or more tasks stopped`) });
    }
    processes.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: Match.arrayWith([Match.objectLike({ Name: 'Launcher', Environment: Match.arrayWith([
        { Name: 'HA_LEASE_NAME', Value: 'notification-daemon' },
        { Name: 'HA_LEASE_DURATION_MS', Value: '25000' },
        { Name: 'HA_LEASE_RENEW_INTERVAL_MS', Value: '5000' },
      ]) })]),
    });
  });

  test('the application server takes over on its primary\'s task stopping: a rule on ECS task events and the takeover function', () => {
    const appServer = templates['workforce-management-AppServer'];
    appServer.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['aws.ecs'], 'detail-type': ['ECS Task State Change'], 'detail': Match.objectLike({ desiredStatus: ['STOPPED'] }) },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApplicationServerTakeoverFunction'), 'Arn'] } })],
    });
    appServer.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ RUNBOOK: { Ref: Match.stringLikeRegexp('^ApplicationServerSwitchToSecondaryRunbook') } }) },
    });
  });

  test('every component is on the one dashboard', () => {
    const body = JSON.stringify(templates['workforce-management-Shared'].findResources('AWS::CloudWatch::Dashboard'));
    for (const pattern of ['HaDatabase', 'HotStandbyConsumer', 'SingletonDaemon', 'WarmStandbyPair', 'WebTierSite', 'WorkerPool']) {
      expect(body).toContain(`### ${pattern}`);
    }
  });
});

describe('agent-workspace promises', () => {
  const { app, templates } = synthExample('agent-workspace');
  app.synth();
  const report = buildResilienceReport(app);

  test('the web tier meets DNS path <= 60 s and browser path <= 30 s, listed separately', () => {
    const tier = report.components.find(c => c.pattern === 'ActiveSpareWebTier')!;
    const dns = tier.paths.find(p => p.name === 'dns')!;
    const browser = tier.paths.find(p => p.name === 'browser')!;
    expect(dns.totalSeconds).toBeLessThanOrEqual(60);
    expect(dns.targetSeconds).toBe(60);
    expect(browser.totalSeconds).toBeLessThanOrEqual(30);
    expect(browser.targetSeconds).toBe(30);
  });

  test('two regions, each with its own web stack', () => {
    expect(Object.keys(templates).sort()).toEqual(expect.arrayContaining(['agent-workspace-Web-Primary', 'agent-workspace-Web-Spare']));
  });

  test('the configuration server runs proxies in both regions and a standby set to zero tasks once, its count left out of the template (a deploy keeps the turn-on\'s)', () => {
    const services = (name: string) => Object.values(templates[name].findResources('AWS::ECS::Service')).map(s => s.Properties.DesiredCount);
    expect(services('agent-workspace-ConfigStandby')).toEqual(expect.arrayContaining([undefined, 2]));
    templates['agent-workspace-ConfigStandby'].hasResourceProperties('Custom::StandbyDesiredCount', { DesiredCount: '0' });
    expect(Object.values(templates['agent-workspace-ConfigStandby'].findResources('AWS::ECS::Service')).length).toBeGreaterThanOrEqual(2);
    expect(Object.values(templates['agent-workspace-ConfigPrimary'].findResources('AWS::ECS::Service')).length).toBeGreaterThanOrEqual(2);
  });
});

describe('automation-engine promises', () => {
  test('two sites by default, a third by one context value, a site switchable to hot standby', () => {
    const two = synthExample('automation-engine').templates;
    expect(Object.keys(two).filter(n => n.startsWith('automation-engine-Site-')).sort())
      .toEqual(['automation-engine-Site-eu-west-1', 'automation-engine-Site-us-east-1']);

    const app = testApp({ context: { thirdRegion: 'eu-central-1', standbySites: 'us-east-1' } });
    example('automation-engine').build(app);
    const names = app.node.children.map(c => c.node.id);
    expect(names).toContain('automation-engine-Site-eu-central-1');
    const dns = Template.fromStack(app.node.findChild('automation-engine-Dns') as never);
    dns.hasResourceProperties('AWS::Route53::RecordSet', { Failover: 'SECONDARY' });
    dns.hasResourceProperties('AWS::Route53::RecordSet', { Failover: 'PRIMARY' });
  });

  test('sites roll out with a circuit breaker and rollback', () => {
    const { templates } = synthExample('automation-engine');
    templates['automation-engine-Site-eu-west-1'].hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ DeploymentCircuitBreaker: { Enable: true, Rollback: true } }),
    });
  });
});

describe('messaging-gateway promises', () => {
  const { app, templates } = synthExample('messaging-gateway');

  test('primary/secondary over SQL Server Multi-AZ', () => {
    expect(patterns(app)).toEqual(['HaDatabase messaging-gateway-Database/Database', 'WarmStandbyPair messaging-gateway-Gateway/Gateway']);
    templates['messaging-gateway-Database'].hasResourceProperties('AWS::RDS::DBInstance', { Engine: Match.stringLikeRegexp('^sqlserver'), MultiAZ: true });
  });

  test('an NLB with TCP and UDP listeners', () => {
    const gateway = templates['messaging-gateway-Gateway'];
    gateway.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Type: 'network' });
    gateway.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Protocol: 'TCP' });
    gateway.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Protocol: 'UDP' });
  });

  test('the secondary serves within a minute when the primary\'s task stops or hangs (the launcher\'s lease handover: 58 s)', () => {
    app.synth();
    const [gateway] = buildResilienceReport(app).components.filter(c => c.pattern === 'WarmStandbyPair');
    expect(gateway.paths.map(p => [p.name, p.totalSeconds, p.targetSeconds])).toEqual([['takeover', 58, 60], ['unresponsive', 58, 120]]);
    templates['messaging-gateway-Gateway'].hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ 'source': ['aws.ecs'], 'detail-type': ['ECS Task State Change'] }),
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GatewayTakeoverFunction'), 'Arn'] } })],
    });
  });

  test('email, SMS and webhook are notified when the primary goes offline (ALARM) and is restored (OK)', () => {
    const shared = templates['messaging-gateway-Shared'];
    for (const protocol of ['email', 'sms', 'https']) shared.hasResourceProperties('AWS::SNS::Subscription', { Protocol: protocol });
    templates['messaging-gateway-Gateway'].hasResourceProperties('AWS::CloudWatch::CompositeAlarm', {
      AlarmActions: Match.anyValue(), OKActions: Match.anyValue(),
    });
  });
});

describe('spatial-etl promises', () => {
  const { templates } = synthExample('spatial-etl');
  const cells = templates['spatial-etl-Cells'];

  test('three cells, each with its own database, file share and service', () => {
    cells.resourceCountIs('AWS::ECS::Service', 3);
    cells.resourceCountIs('AWS::RDS::DBCluster', 3);
    cells.resourceCountIs('AWS::EFS::FileSystem', 3);
  });

  test('behind one load balancer, with the update fan-out triggered by EventBridge', () => {
    cells.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    cells.hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike({ source: ['aws.s3'] }) });
  });
});

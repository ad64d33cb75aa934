import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { FailoverNotifications, MultiSiteActiveActive, MultiSiteActiveActiveProps, MultiSiteOptions } from '../../lib';
import { testApp, testEnv } from '../harness';

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');

interface Built { app: App; dns: Stack; sites: Stack[]; pattern: MultiSiteActiveActive }

function build(regions: string[], options: { standby?: string[]; props?: Partial<MultiSiteActiveActiveProps>; dnsRegion?: string } = {}): Built {
  const app = testApp();
  const dns = new Stack(app, 'Dns', { env: testEnv(options.dnsRegion ?? 'us-east-1'), crossRegionReferences: true });
  const zone = new route53.PublicHostedZone(dns, 'Zone', { zoneName: 'example.com' });
  const sites = regions.map((r, i) => new Stack(app, `Site${i}`, { env: testEnv(r), crossRegionReferences: true }));
  const siteOptions: MultiSiteOptions[] = sites.map((stack, i) => ({ stack, standby: options.standby?.includes(regions[i]) }));
  const pattern = new MultiSiteActiveActive(dns, 'Engine', { zone, recordName: 'engine', image, sites: siteOptions, ...options.props });
  return { app, dns, sites, pattern };
}

describe('two active sites', () => {
  const { dns, sites, pattern } = build(['eu-west-1', 'us-east-1']);
  const template = Template.fromStack(dns);

  test('the common name is a latency set over the sites, each with its health check', () => {
    for (const region of ['eu-west-1', 'us-east-1']) {
      template.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: 'engine.example.com.', Type: 'CNAME', ResourceRecords: [`${region}.engine.example.com`], TTL: '15', Region: region, SetIdentifier: region,
        HealthCheckId: { Ref: Match.stringLikeRegexp(`^EngineActive${region.replace(/-/g, '')}HealthCheck`) },
        AliasTarget: Match.absent(),
      });
    }
    template.resourceCountIs('AWS::Route53::HealthCheck', 2);
    template.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({ Type: 'HTTP', Port: 80, ResourcePath: '/health', RequestInterval: 10, FailureThreshold: 3 }),
    });
    expect(pattern.standbyRegions).toEqual([]);
  });

  test('each site also has its own name, an alias to its load balancer in its own stack (no cross-region reference)', () => {
    sites.forEach((site, i) => {
      const region = ['eu-west-1', 'us-east-1'][i];
      Template.fromStack(site).hasResourceProperties('AWS::Route53::RecordSet', {
        Name: `${region}.engine.example.com.`, Type: 'A', HealthCheckId: Match.absent(),
        AliasTarget: Match.objectLike({ DNSName: { 'Fn::Join': ['', ['dualstack.', { 'Fn::GetAtt': [Match.stringLikeRegexp('SiteLoadBalancer'), 'DNSName'] }]] } }),
      });
    });
    template.resourcePropertiesCountIs('AWS::Route53::RecordSet', { Type: 'A' }, 0);
  });

  test('no failover records without a standby site', () => {
    template.resourcePropertiesCountIs('AWS::Route53::RecordSet', { Failover: Match.anyValue() }, 0);
  });

  test('every site runs nodes behind its own load balancer, upgraded by rolling deployments that roll back', () => {
    for (const site of sites) {
      const t = Template.fromStack(site);
      t.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
      t.hasResourceProperties('AWS::ECS::Service', {
        DesiredCount: 2,
        DeploymentConfiguration: {
          MinimumHealthyPercent: 100, MaximumPercent: 200,
          DeploymentCircuitBreaker: { Enable: true, Rollback: true },
          Alarms: { Enable: true, Rollback: true, AlarmNames: [{ Ref: Match.stringLikeRegexp('^(DnsEngine[0-9A-F]{8})?SiteDeploymentAlarm') }] },
        },
      });
      t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'HTTPCode_Target_5XX_Count', Threshold: 10, EvaluationPeriods: 2 });
    }
  });

  test('sites upgrade one at a time: each site stack depends on the previous one', () => {
    expect(sites[1].dependencies).toContain(sites[0]);
    expect(sites[0].dependencies).not.toContain(sites[1]);
  });

  test('a health-check alarm per site in us-east-1 triggers the failover alarm, through the LatencyDns of the active set', () => {
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { Namespace: 'AWS/Route53', MetricName: 'HealthCheckStatus', Statistic: 'Minimum', Threshold: 1 }, 2);
    template.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 2);
    expect(pattern.failoverTriggers).toHaveLength(1);
    const composites = template.findResources('AWS::CloudWatch::CompositeAlarm');
    const own = JSON.stringify(Object.entries(composites).find(([id]) => /^EngineFailoverAlarm/.test(id))![1].Properties);
    expect(own).toMatch(/ALARM\(\\"",\{"Fn::GetAtt":\["EngineActiveFailoverAlarm[0-9A-F]+","Arn"\]\}/);
    const set = JSON.stringify(Object.entries(composites).find(([id]) => /^EngineActiveFailoverAlarm/.test(id))![1].Properties.AlarmRule);
    expect(set).toMatch(/EngineActiveeuwest1HealthCheckAlarm[0-9A-F]+.*\) OR ALARM\(.*EngineActiveuseast1HealthCheckAlarm[0-9A-F]+/);
    // The set's composite is adopted as a trigger: it pages nobody itself.
    expect(Object.entries(composites).find(([id]) => /^EngineActiveFailoverAlarm/.test(id))![1].Properties.AlarmActions).toBeUndefined();
  });

  test('recovery objectives: health check + DNS cache for a site, target group + task start for a node', () => {
    const report = pattern.recoveryObjectives.toReport();
    expect(report.paths.find(p => p.name === 'site-outage')!.steps.map(s => [s.component, s.seconds])).toEqual([
      ['Route 53 health check (eu-west-1)', 30], ['DNS cache of engine.example.com', 15],
    ]);
    expect(pattern.siteFailoverTime.toSeconds()).toBe(45);
    expect(report.paths.find(p => p.name === 'node')!.totalSeconds).toBe(100);
    expect(report.paths.map(p => p.name)).not.toContain('standby-takeover');
  });
});

describe('health-check metrics', () => {
  test('stay in us-east-1 (the only region Route 53 publishes them in) even when another region is asked for', () => {
    const { pattern } = build(['eu-west-1', 'us-east-1']);
    const metric = pattern.metricHealthCheckStatus('eu-west-1', { region: 'eu-west-1', period: Duration.minutes(5) });
    expect(metric.region).toBe('us-east-1');
    expect(metric.period.toMinutes()).toBe(5);
    expect(metric.metricName).toBe('HealthCheckStatus');
  });
});

describe('a site in hot standby', () => {
  const { dns, sites, pattern } = build(['eu-west-1', 'us-east-1', 'ap-southeast-2'], { standby: ['ap-southeast-2'] });
  const template = Template.fromStack(dns);

  test('active sites form the PRIMARY set, standby sites the SECONDARY, both evaluating target health', () => {
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'engine.example.com.', Type: 'CNAME', Failover: 'PRIMARY', SetIdentifier: 'active',
      AliasTarget: { DNSName: 'active.engine.example.com', HostedZoneId: Match.anyValue(), EvaluateTargetHealth: true },
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'engine.example.com.', Type: 'CNAME', Failover: 'SECONDARY', SetIdentifier: 'standby',
      AliasTarget: { DNSName: 'standby.engine.example.com', HostedZoneId: Match.anyValue(), EvaluateTargetHealth: true },
    });
    for (const region of ['eu-west-1', 'us-east-1']) {
      template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'active.engine.example.com.', Region: region, HealthCheckId: Match.anyValue() });
    }
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'standby.engine.example.com.', Region: 'ap-southeast-2', HealthCheckId: Match.anyValue() });
    template.resourcePropertiesCountIs('AWS::Route53::RecordSet', { Name: 'standby.engine.example.com.' }, 1);
    expect(pattern.activeRegions).toEqual(['eu-west-1', 'us-east-1']);
    expect(pattern.standbyRegions).toEqual(['ap-southeast-2']);
  });

  test('the standby site keeps running its nodes (hot), told its mode', () => {
    const t = Template.fromStack(sites[2]);
    t.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 2 });
    t.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ Environment: Match.arrayWith([{ Name: 'SITE_MODE', Value: 'standby' }]) })],
    });
  });

  test('the failover records are created after the latency sets they alias', () => {
    const primary = Object.entries(template.findResources('AWS::Route53::RecordSet', { Properties: { Failover: 'PRIMARY' } }))[0][1];
    expect(primary.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^EngineActiveeuwest1CommonRecord/), expect.stringMatching(/^EngineActiveuseast1CommonRecord/)]));
  });

  test('declares the standby-takeover path and warns which sites are in standby', () => {
    expect(pattern.recoveryObjectives.paths.map(p => p.name)).toContain('standby-takeover');
    Annotations.fromStack(dns).hasWarning('/Dns/Engine', Match.stringLikeRegexp('ap-southeast-2 are in hot standby'));
  });
});

test('notifications: the failover alarm notifies on ALARM and OK', () => {
  const app = testApp();
  const dns = new Stack(app, 'Dns', { env: testEnv('us-east-1'), crossRegionReferences: true });
  const zone = new route53.PublicHostedZone(dns, 'Zone', { zoneName: 'example.com' });
  const notifications = new FailoverNotifications(dns, 'Notifications', { emails: ['ops@example.com'] });
  const sites = ['eu-west-1', 'eu-central-1'].map((r, i) => ({ stack: new Stack(app, `S${i}`, { env: testEnv(r), crossRegionReferences: true }) }));
  new MultiSiteActiveActive(dns, 'Engine', { zone, recordName: 'engine', image, sites, notifications, healthCheckInterval: Duration.seconds(30), failureThreshold: 2, sequentialUpgrades: false });
  const template = Template.fromStack(dns);
  template.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', { AlarmActions: [Match.anyValue()], OKActions: [Match.anyValue()] });
  template.hasResourceProperties('AWS::Route53::HealthCheck', { HealthCheckConfig: Match.objectLike({ RequestInterval: 30, FailureThreshold: 2 }) });
  expect(sites[1].stack.dependencies).not.toContain(sites[0].stack);
});

test('a site in the pattern\'s own stack stays out of the upgrade chain (no dependency cycle)', () => {
  const app = testApp();
  const dns = new Stack(app, 'Dns', { env: testEnv('us-east-1'), crossRegionReferences: true });
  const zone = new route53.PublicHostedZone(dns, 'Zone', { zoneName: 'example.com' });
  const eu = new Stack(app, 'Eu', { env: testEnv('eu-west-1'), crossRegionReferences: true });
  const ap = new Stack(app, 'Ap', { env: testEnv('ap-southeast-2'), crossRegionReferences: true });
  new MultiSiteActiveActive(dns, 'Engine', { zone, recordName: 'engine', image, sites: [{ stack: dns }, { stack: eu }, { stack: ap }] });
  app.synth();
  expect(ap.dependencies).toContain(eu);
  expect(eu.dependencies).not.toContain(ap);
  // The pattern's stack refers to the sites by literal names: it depends on none of them.
  expect(dns.dependencies).toEqual([]);
});

describe('validation', () => {
  test('fails when two sites are in the same region', () => {
    expect(() => build(['eu-west-1', 'eu-west-1'])).toThrow(
      "Dns/Engine: invalid prop 'sites[1].stack': received \"a stack in eu-west-1\"; expected a region of its own (sites[0] is already in eu-west-1): one site per region");
  });

  test('fails when every site is in standby', () => {
    expect(() => build(['eu-west-1', 'us-east-1'], { standby: ['eu-west-1', 'us-east-1'] })).toThrow(
      "Dns/Engine: invalid prop 'sites[].standby': received \"every site in standby\"; expected at least one active site");
  });

  test('fails when there is one site', () => {
    expect(() => build(['eu-west-1'])).toThrow("invalid prop 'sites': received \"1 site(s)\"; expected two or more sites");
  });

  test('fails when the pattern is not in us-east-1', () => {
    expect(() => build(['eu-west-1', 'us-east-1'], { dnsRegion: 'eu-west-1' })).toThrow("Dns/Engine: invalid prop 'scope': received \"a stack in eu-west-1\"; expected a stack in us-east-1");
  });

  test('fails when a site stack has no region', () => {
    const app = testApp();
    const dns = new Stack(app, 'Dns', { env: testEnv('us-east-1') });
    const zone = new route53.PublicHostedZone(dns, 'Zone', { zoneName: 'example.com' });
    expect(() => new MultiSiteActiveActive(dns, 'Engine', { zone, recordName: 'e', image, sites: [{ stack: new Stack(app, 'A') }, { stack: new Stack(app, 'B', { env: testEnv('eu-west-1') }) }] }))
      .toThrow("invalid prop 'sites[0].stack': received \"<environment-agnostic stack>\"; expected a stack with an explicit region (env: { account, region })");
  });

  test.each([[Duration.seconds(20)], [Duration.minutes(1)]])('fails when the health-check interval is %s', interval => {
    expect(() => build(['eu-west-1', 'us-east-1'], { props: { healthCheckInterval: interval } })).toThrow("invalid prop 'healthCheckInterval'");
  });

  test.each([[0], [11]])('fails when failureThreshold is %d', n => {
    expect(() => build(['eu-west-1', 'us-east-1'], { props: { failureThreshold: n } })).toThrow(`invalid prop 'failureThreshold': received ${n}; expected an integer from 1 to 10`);
  });

  test('fails when a site has no nodes', () => {
    const app = testApp();
    const dns = new Stack(app, 'Dns', { env: testEnv('us-east-1') });
    const zone = new route53.PublicHostedZone(dns, 'Zone', { zoneName: 'example.com' });
    const stacks = ['eu-west-1', 'eu-central-1'].map(r => new Stack(app, r, { env: testEnv(r) }));
    expect(() => new MultiSiteActiveActive(dns, 'Engine', { zone, recordName: 'e', image, sites: [{ stack: stacks[0] }, { stack: stacks[1], desiredCount: 0 }] }))
      .toThrow("invalid prop 'sites[1].desiredCount': received 0; expected an integer >= 1");
  });
});

describe('failure analysis', () => {
  test('the defaults survive the loss of either site\'s region and of a node', () => {
    const { app, pattern } = build(['eu-west-1', 'us-east-1']);
    expect(() => app.synth()).not.toThrow();
    expect(pattern.recoveryObjectives.scenarioOutcomes('site-outage').map(o => [o.scenario, o.survives])).toEqual([['region-loss of eu-west-1', true], ['region-loss of us-east-1', true]]);
    expect(pattern.recoveryObjectives.scenarioOutcomes('node').map(o => [o.scenario, o.survives])).toEqual([['task-loss of eu-west-1', true]]);
  });

  test('a site cut to one node (escape hatch) no longer survives a node loss: the analysis names the path, the capacity and the scenario', () => {
    const { app, pattern } = build(['eu-west-1', 'us-east-1']);
    (pattern.site('eu-west-1').service.node.defaultChild as ecs.CfnService).addPropertyOverride('DesiredCount', 1);
    expect(() => app.synth()).toThrow(/recovery path 'node' does not survive task-loss of eu-west-1: its capacity the other nodes of the eu-west-1 site \(.*\/Site\/Service\) serves 0 after failover; the load needs 1/);
  });
});

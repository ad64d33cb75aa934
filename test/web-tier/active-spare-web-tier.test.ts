import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import {
  ActiveSpareWebTier, ActiveSpareWebTierPath, AlarmRole, ActiveSpareWebTierProps, DnsRoutingPolicy, FailoverNotifications, HaDashboard, minHealthyPercent, SpareMode,
} from '../../lib';
import { createHaVpc } from '../../lib/private/network';
import { formatFindings, gateFindings, TEST_ACCOUNT, testApp, testEnv } from '../harness';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');

interface Placement {
  /** Regions of the spare stacks. @default ['us-east-1'] */
  readonly spareRegions?: string[];
  /** Region of a separate DNS stack. @default none */
  readonly dnsRegion?: string;
  readonly app?: App;
}

function build(props: Partial<ActiveSpareWebTierProps> = {}, placement: Placement = {}) {
  const app = placement.app ?? testApp();
  const stack = (id: string, region: string) => new Stack(app, id, { env: testEnv(region), crossRegionReferences: true });
  const shared = stack('Shared', 'eu-west-1');
  const zone = new route53.PublicHostedZone(shared, 'Zone', { zoneName: 'example.com' });
  const notifications = new FailoverNotifications(shared, 'Notifications', { emails: ['ops@example.com'] });
  const dashboard = new HaDashboard(shared, 'Dashboard');
  const primary = stack('Web-Primary', 'eu-west-1');
  const spares = (placement.spareRegions ?? ['us-east-1']).map((r, i) => ({ stack: stack(`Web-Spare${i ? i + 1 : ''}`, r) }));
  const tier = new ActiveSpareWebTier(primary, 'Web', {
    spares,
    dnsStack: placement.dnsRegion ? stack('Web-Dns', placement.dnsRegion) : undefined,
    image: IMAGE,
    activeCapacity: 2,
    zone,
    recordName: 'agents',
    notifications,
    dashboard,
    recoveryTargets: {
      paths: [
        { path: ActiveSpareWebTierPath.DNS, rto: Duration.seconds(90) },
        { path: ActiveSpareWebTierPath.BROWSER, rto: Duration.seconds(30) },
      ],
    },
    ...props,
  });
  return { app, shared, zone, tier };
}

describe('ActiveSpareWebTier with defaults (warm spare, failover DNS, HTTPS)', () => {
  const { tier, shared } = build();
  const [primaryStack, spareStack] = tier.stacks;
  const primary = Template.fromStack(primaryStack);
  const spare = Template.fromStack(spareStack);

  test('one stack per region, each with an explicit env; the DNS part lives in the us-east-1 stack', () => {
    expect(tier.stacks.map(s => [s.stackName, s.account, s.region])).toEqual([
      ['Web-Primary', TEST_ACCOUNT, 'eu-west-1'],
      ['Web-Spare', TEST_ACCOUNT, 'us-east-1'],
    ]);
    expect(Stack.of(tier.dns)).toBe(spareStack);
  });

  test.each([['primary', primary], ['spare', spare]])('the %s site has a VPC across two zones with an internet-facing ALB', (_name, template) => {
    const subnets = Object.values(template.findResources('AWS::EC2::Subnet')).map(s => JSON.stringify(s.Properties.AvailabilityZone));
    expect(new Set(subnets).size).toBe(2);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
        { Key: 'access_logs.s3.enabled', Value: 'true' },
      ]),
    });
  });

  test.each([['primary', primary], ['spare', spare]])('the %s site serves HTTPS with its certificate and redirects HTTP', (_name, template) => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: { Ref: Match.stringLikeRegexp('^Web(PrimaryWeb[0-9A-F]{8})?Certificate') } }],
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'redirect', RedirectConfig: { Port: '443', Protocol: 'HTTPS', StatusCode: 'HTTP_301' } }],
    });
  });

  test.each([['eu-west-1', primary], ['us-east-1', spare]])('the %s certificate covers the common and the site name, validated by DNS', (region, template) => {
    template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'agents.example.com',
      SubjectAlternativeNames: [`agents.${region}.example.com`],
      ValidationMethod: 'DNS',
    });
  });

  test('the primary runs N+1 = 3 tasks and deployments keep at least N = 2 healthy', () => {
    primary.hasResourceProperties('AWS::ECS::Service', {
      DesiredCount: 3,
      LaunchType: 'FARGATE',
      DeploymentConfiguration: Match.objectLike({
        MinimumHealthyPercent: 66,
        MaximumPercent: 200,
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      }),
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
    });
    expect(Math.ceil(3 * 66 / 100)).toBe(2);
  });

  test('the warm spare runs its floor of 1 task, set once by a custom resource: its template has no count a deploy would re-apply', () => {
    spare.hasResourceProperties('AWS::ECS::Service', { DesiredCount: Match.absent() });
    spare.hasResourceProperties('Custom::SpareDesiredCount', {
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebPrimaryWeb[0-9A-F]{8}SiteScaleUp'), 'Arn'] },
      Cluster: { Ref: Match.stringLikeRegexp('^WebPrimaryWeb[0-9A-F]{8}SiteCluster') },
      Service: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebPrimaryWeb[0-9A-F]{8}SiteService'), 'Name'] },
      DesiredCount: '1',
    });
    const [, count] = Object.entries(spare.findResources('Custom::SpareDesiredCount'))[0];
    expect(count.DependsOn).toContainEqual(expect.stringMatching(/^WebPrimaryWeb[0-9A-F]{8}SiteService/));
    expect(tier.spares[0].runningTasks).toBe(1);
  });

  test('the primary keeps its N+1 count in its template (no automation changes it)', () => {
    primary.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 3 });
    primary.resourceCountIs('Custom::SpareDesiredCount', 0);
  });

  test.each([['primary', primary], ['spare', spare]])('the %s target group keeps sessions on their task (load balancer cookie, 1 day) and checks /health every 10 s', (_name, template) => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/health',
      HealthCheckIntervalSeconds: 10,
      UnhealthyThresholdCount: 2,
      TargetGroupAttributes: Match.arrayWith([
        { Key: 'stickiness.enabled', Value: 'true' },
        { Key: 'stickiness.type', Value: 'lb_cookie' },
        { Key: 'stickiness.lb_cookie.duration_seconds', Value: '86400' },
      ]),
    });
  });

  test('the primary alarms on 5xx (load balancer + targets), unhealthy targets and running tasks below N', () => {
    primary.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 10,
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'FILL(elb, 0) + FILL(target, 0)' }),
        Match.objectLike({ Id: 'elb', MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'HTTPCode_ELB_5XX_Count' }) }) }),
        Match.objectLike({ Id: 'target', MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'HTTPCode_Target_5XX_Count' }) }) }),
      ]),
    });
    primary.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'UnHealthyHostCount', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    primary.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'ECS/ContainerInsights', MetricName: 'RunningTaskCount', Threshold: 2, ComparisonOperator: 'LessThanThreshold', Statistic: 'Minimum',
    });
    primary.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }] });
  });

  test('the spare alarms on running tasks below its floor', () => {
    spare.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'RunningTaskCount', Threshold: 1 });
  });

  test('the tier\'s failover alarm (the primary\'s) has a fixed name and notifies on ALARM and OK', () => {
    const topic = { 'Fn::ImportValue': Match.stringLikeRegexp('Notifications') };
    primary.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', {
      AlarmName: 'Web-Primary-Web-failover',
      AlarmActions: [topic],
      OKActions: [topic],
    });
    expect(Stack.of(tier.failoverAlarm)).toBe(primaryStack);
    expect(tier.failoverTriggers).toEqual([tier.primary.failoverAlarm]);
  });

  test('the primary site\'s own composite does not notify a second time', () => {
    const composites = Object.values(primary.findResources('AWS::CloudWatch::CompositeAlarm'));
    expect(composites).toHaveLength(2);
    expect(composites.filter(c => c.Properties.AlarmActions)).toHaveLength(1);
  });

  test('the spare site\'s failover alarm notifies through the regional replica topic in us-east-1; the DNS composite is informational', () => {
    const composites = spare.findResources('AWS::CloudWatch::CompositeAlarm');
    expect(Object.keys(composites)).toHaveLength(2);
    const site = Object.entries(composites).find(([id]) => /^WebPrimaryWeb[0-9A-F]{8}SiteFailoverAlarm/.test(id))![1];
    expect(site.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^FailoverNotifications/) }]);
    expect(site.Properties.OKActions).toEqual(site.Properties.AlarmActions);
    const dns = Object.entries(composites).find(([id]) => /^WebPrimaryWeb[0-9A-F]{8}DnsFailoverAlarm/.test(id))![1];
    expect(dns.Properties.AlarmActions).toBeUndefined();
    expect(dns.Properties.OKActions).toBeUndefined();
    expect(tier.roleOf(tier.dns.failoverAlarm)).toBe(AlarmRole.INFORMATIONAL);
    expect(tier.roleOf(tier.spares[0].failoverAlarm)).toBe(AlarmRole.NOTIFYING);
  });

  test('the spare\'s probe of the primary pages from the spare\'s region (the tier\'s failover alarm and us-east-1 may be lost); the Route 53 alarms do not', () => {
    const probe = spare.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'WatchedSiteHealthy' } });
    expect(Object.keys(probe)).toHaveLength(1);
    const props = Object.values(probe)[0].Properties;
    expect(props).toMatchObject({
      Namespace: 'CdkHaPatterns/WebTier',
      Dimensions: [{ Name: 'Site', Value: 'agents.eu-west-1.example.com' }],
      Statistic: 'Minimum', Period: 60, Threshold: 1, ComparisonOperator: 'LessThanThreshold', EvaluationPeriods: 2, TreatMissingData: 'breaching',
    });
    expect(props.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^FailoverNotifications/) }]);
    expect(props.OKActions).toEqual(props.AlarmActions);
    const checks = spare.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'HealthCheckStatus' } });
    for (const check of Object.values(checks)) expect(check.Properties.AlarmActions).toBeUndefined();
    expect(tier.roleOf(tier.primaryProbeAlarms[0])).toBe(AlarmRole.NOTIFYING);
    expect(tier.roleOf(tier.dns.healthCheckAlarm('eu-west-1'))).toBe(AlarmRole.INFORMATIONAL);
    expect(tier.failoverTriggers).toEqual([tier.primary.failoverAlarm]);
  });

  test('the scale-up function probes the primary site\'s health URL every minute from the spare\'s region', () => {
    spare.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ PROBE_URL: 'https://agents.eu-west-1.example.com/health', PROBE_SITE: 'agents.eu-west-1.example.com', PROBE_TIMEOUT_MS: '5000' }) },
    });
    spare.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebPrimaryWeb[0-9A-F]{8}SiteScaleUp'), 'Arn'] } })],
    });
  });

  test('health checks: HTTPS with SNI on each site name, 10 s interval, 3 failures (meets the 90 s DNS target with the 15 s TTL)', () => {
    for (const region of ['eu-west-1', 'us-east-1']) {
      spare.hasResourceProperties('AWS::Route53::HealthCheck', {
        HealthCheckConfig: Match.objectLike({ Type: 'HTTPS', EnableSNI: true, FullyQualifiedDomainName: `agents.${region}.example.com`, RequestInterval: 10, FailureThreshold: 3, ResourcePath: '/health' }),
      });
    }
  });

  test('the common name fails over from the primary to the spare: a CNAME to each site\'s name with a set identifier and a health check', () => {
    for (const [region, failover] of [['eu-west-1', 'PRIMARY'], ['us-east-1', 'SECONDARY']]) {
      spare.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: 'agents.example.com.', Type: 'CNAME', ResourceRecords: [`agents.${region}.example.com`], TTL: '15',
        Failover: failover, SetIdentifier: region, HealthCheckId: Match.anyValue(),
      });
    }
  });

  test.each([['eu-west-1', primary], ['us-east-1', spare]])('the %s site\'s own name is an alias to its load balancer, in its own stack', (region, template) => {
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: `agents.${region}.example.com.`, Type: 'A',
      AliasTarget: Match.objectLike({ DNSName: Match.anyValue(), EvaluateTargetHealth: true }),
    });
  });

  test('the health-check alarms use the us-east-1 metric of each health check; site metrics stay in their region', () => {
    spare.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { Namespace: 'AWS/Route53', MetricName: 'HealthCheckStatus' }, 2);
    expect(tier.metricHealthCheckStatus('eu-west-1').region).toBe('us-east-1');
    expect(tier.metricRunningTasks('eu-west-1').metricName).toBe('RunningTaskCount');
    expect(Stack.of(tier.site('us-east-1')).region).toBe('us-east-1');
    expect(() => tier.site('ap-south-1')).toThrow('Web: no site in ap-south-1');
  });

  test('the scale-up function runs in the spare region and may only describe and update the spare service', () => {
    spare.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DESIRED_COUNT: '3', CLUSTER_NAME: { Ref: Match.stringLikeRegexp('^WebPrimaryWeb[0-9A-F]{8}SiteCluster') } }) },
    });
    spare.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Effect: 'Allow',
          Action: ['ecs:DescribeServices', 'ecs:UpdateService'],
          Resource: { Ref: Match.stringLikeRegexp('^WebPrimaryWeb[0-9A-F]{8}SiteService') },
        }]),
      },
    });
  });

  test('the spare\'s rule starts the function on its probe alarm (in its own region) or the primary\'s failover alarm (by its ARN)', () => {
    spare.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        'resources': [
          { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebPrimaryWeb[0-9A-F]{8}SitePrimaryProbeAlarm'), 'Arn'] },
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:eu-west-1:123456789012:alarm:Web-Primary-Web-failover']] },
        ],
        'detail': { state: { value: ['ALARM'] } },
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebPrimaryWeb[0-9A-F]{8}SiteScaleUp'), 'Arn'] }, RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 4 }) })],
    });
  });

  test('the primary forwards its failover alarm to the spare region\'s default event bus (no cross-region reference)', () => {
    primary.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ resources: [Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':cloudwatch:eu-west-1:123456789012:alarm:Web-Primary-Web-failover'])] })] }),
      Targets: [Match.objectLike({ Arn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:us-east-1:123456789012:event-bus/default']] } })],
    });
  });

  test('recovery objectives list the DNS path and the browser path separately, within 90 s and 30 s', () => {
    const report = tier.recoveryObjectives.toReport();
    expect(report.paths.map(p => [p.name, p.totalSeconds, p.targetSeconds])).toEqual([['dns', 45, 90], ['browser', 26, 30]]);
    expect(report.paths[0].steps.map(s => s.component)).toEqual(['Route 53 health check (eu-west-1)', 'DNS cache of agents.example.com', 'spare capacity']);
    expect(tier.dnsFailoverTime.toSeconds()).toBe(45);
    expect(tier.browserFailoverTime.toSeconds()).toBe(26);
  });

  test('the dashboard shows both paths and the failover alarm, referenced by name (no dependency of the shared stack on the tier)', () => {
    const body = JSON.stringify(Template.fromStack(shared).findResources('AWS::CloudWatch::Dashboard'));
    expect(body).toContain('Worst-case RTO: **45 s** (dns 45 s, browser 26 s)');
    expect(body).toContain(':cloudwatch:eu-west-1:123456789012:alarm:Web-Primary-Web-failover');
    expect(shared.dependencies).toEqual([]);
  });

  test('per-site URLs carry the other site as the browser failover backup', () => {
    expect(tier.url).toBe('https://agents.example.com/');
    expect(tier.siteUrl('eu-west-1')).toBe('https://agents.eu-west-1.example.com/?site-1=agents.us-east-1.example.com');
    expect(tier.siteUrl('us-east-1')).toBe('https://agents.us-east-1.example.com/?site-1=agents.eu-west-1.example.com');
    expect(tier.browserFailoverOptions).toEqual({ heartbeatPath: '/health', heartbeatIntervalMs: 5000, heartbeatTimeoutMs: 3000, missedHeartbeats: 3, noticeMs: 2000 });
  });
});

describe('ActiveSpareWebTier spare modes', () => {
  test.each([
    [SpareMode.HOT, 3, 0],
    [SpareMode.WARM, 1, 1],
    [SpareMode.PILOT_LIGHT, 0, 1],
  ])('%s: the spare runs %i tasks; %i scale-up function(s)', (spareMode, tasks, functions) => {
    const { tier } = build({ spareMode, recoveryTargets: undefined });
    const template = Template.fromStack(tier.stacks[1]);
    if (functions) template.hasResourceProperties('Custom::SpareDesiredCount', { DesiredCount: String(tasks) });
    else template.hasResourceProperties('AWS::ECS::Service', { DesiredCount: tasks });
    template.resourceCountIs('AWS::Lambda::Function', functions + 3); // + VPC default-SG and cross-region reader providers, the browser helper's server
    expect(tier.scaleUpFunctions).toHaveLength(functions);
  });

  test('a warm spare takes the floor you choose', () => {
    const { tier } = build({ activeCapacity: 4, warmCapacity: 2 });
    Template.fromStack(tier.stacks[1]).hasResourceProperties('Custom::SpareDesiredCount', { DesiredCount: '2' });
    Template.fromStack(tier.stacks[1]).hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ DESIRED_COUNT: '5' }) } });
    Template.fromStack(tier.stacks[0]).hasResourceProperties('AWS::ECS::Service', { DesiredCount: 5, DeploymentConfiguration: Match.objectLike({ MinimumHealthyPercent: 80 }) });
  });

  test('a pilot-light spare has no running-task alarm, and its readiness (probe + task start + target health) is part of both paths', () => {
    const { tier } = build({ spareMode: SpareMode.PILOT_LIGHT, recoveryTargets: undefined });
    Template.fromStack(tier.stacks[1]).resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'RunningTaskCount' }, 0);
    const [dns, browser] = tier.recoveryObjectives.paths;
    expect(dns.steps.slice(2).map(s => [s.component, s.duration.toSeconds()])).toEqual([
      ['probe schedule', 60],
      ['probe alarm (starts the scale-up)', 120],
      // the rule in the spare's region and the scale-up function's UpdateService
      ['scale-up function (EventBridge rule in us-east-1)', 10],
      ['spare task start', 60],
      ['new task passes the load balancer health check', 20],
    ]);
    expect(dns.steps[3].derivation).toBe('2 x 60 s evaluation periods');
    expect(browser.total.toSeconds()).toBe(26 + 270);
  });

  test('a pilot light cannot meet a 90 s DNS target: synthesis fails naming the slowest component', () => {
    const { app } = build({ spareMode: SpareMode.PILOT_LIGHT });
    expect(() => app.synth()).toThrow(/Web\] recovery time target not met: the 'dns' path takes 5 min 15 s worst case, target 90 s \(recoveryTargets.paths\[0\].rto\).*No setting meets it: the fastest this path can be configured to is .*Raise recoveryTargets.paths\[0\].rto to at least/);
  });

  test('latency routing with a warm spare warns, and the warning reaches the cloud assembly (what cdk synth prints)', () => {
    const { app } = build({ routingPolicy: DnsRoutingPolicy.LATENCY });
    const warnings = app.synth().stacks.flatMap(s => s.messages).filter(m => m.level === 'warning').map(m => `${m.id} ${String(m.entry.data)}`);
    expect(warnings).toContainEqual(expect.stringMatching(
      /^\/Web-Primary\/Web Web-Primary\/Web uses latency routing with a WARM spare: clients near the spare region are sent to a site with fewer than N\+1 tasks\. \[ack: cdk-ha-patterns:latency-routing-cold-spare\]$/));
  });

  test('latency routing with a hot spare puts latency records on the common name', () => {
    const { tier } = build({ spareMode: SpareMode.HOT, routingPolicy: DnsRoutingPolicy.LATENCY });
    Template.fromStack(tier.stacks[1]).hasResourceProperties('AWS::Route53::RecordSet', { Name: 'agents.example.com.', Region: 'eu-west-1', SetIdentifier: 'eu-west-1' });
  });

  test('without us-east-1 among the sites, the DNS part goes to the dnsStack given', () => {
    const { tier } = build({}, { spareRegions: ['eu-central-1'], dnsRegion: 'us-east-1' });
    expect(tier.stacks.map(s => [s.stackName, s.region])).toEqual([['Web-Primary', 'eu-west-1'], ['Web-Spare', 'eu-central-1'], ['Web-Dns', 'us-east-1']]);
    expect(Stack.of(tier.dns).stackName).toBe('Web-Dns');
    // The spare's rule still listens to its own probe alarm, in its own region (defect: it listened to the
    // primary's failover alarm only, forwarded from the primary's region, so a region loss scaled nothing).
    Template.fromStack(tier.stacks[1]).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        resources: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^WebPrimaryWeb[0-9A-F]{8}SitePrimaryProbeAlarm'), 'Arn'] }, Match.objectLike({ 'Fn::Join': Match.anyValue() })],
      }),
    });
  });

  test('browser settings change the browser path', () => {
    const { tier } = build({ browserFailover: { heartbeatInterval: Duration.seconds(2), heartbeatTimeout: Duration.seconds(1), missedHeartbeats: 2, noticeDuration: Duration.seconds(3), pageLoadAllowance: Duration.seconds(4) } });
    expect(tier.browserFailoverTime.toSeconds()).toBe(2 * 2 + 1 + 3 + 4);
    expect(tier.browserFailoverOptions).toMatchObject({ heartbeatIntervalMs: 2000, heartbeatTimeoutMs: 1000, missedHeartbeats: 2, noticeMs: 3000 });
  });

  test('a browser target the settings cannot meet fails synthesis', () => {
    const { app } = build({ recoveryTargets: { paths: [{ path: ActiveSpareWebTierPath.BROWSER, rto: Duration.seconds(20) }] } });
    expect(() => app.synth()).toThrow(/the 'browser' path takes 26 s worst case, target 20 s \(recoveryTargets.paths\[0\].rto\).*To meet it, set browserFailover \(heartbeatInterval, missedHeartbeats, heartbeatTimeout, noticeDuration\) at its limit \(\u221220.9 s\) \u2192 5.1 s/);
  });

  test('without HTTPS, sites serve HTTP and the health checks use HTTP', () => {
    const { tier } = build({ https: false });
    Template.fromStack(tier.stacks[0]).resourceCountIs('AWS::CertificateManager::Certificate', 0);
    Template.fromStack(tier.stacks[0]).hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP', DefaultActions: [Match.objectLike({ Type: 'forward' })] });
    Template.fromStack(tier.stacks[1]).allResourcesProperties('AWS::Route53::HealthCheck', { HealthCheckConfig: Match.objectLike({ Type: 'HTTP', Port: 80 }) });
    expect(tier.siteUrl('eu-west-1')).toBe('http://agents.eu-west-1.example.com/?site-1=http://agents.us-east-1.example.com');
  });
});

describe('minHealthyPercent', () => {
  test.each(Array.from({ length: 30 }, (_, i) => i + 1))('N = %i: deployments of N+1 tasks keep exactly N healthy', n => {
    const p = minHealthyPercent(n);
    expect(Math.ceil(((n + 1) * p) / 100)).toBe(n);
  });
});

describe('ActiveSpareWebTier validation', () => {
  test.each<[string, Partial<ActiveSpareWebTierProps>, string, string]>([
    ['fails when N < 1', { activeCapacity: 0 }, 'activeCapacity', 'received 0; expected an integer from 1 to 98'],
    ['fails when N is not an integer', { activeCapacity: 1.5 }, 'activeCapacity', 'received 1.5; expected an integer from 1 to 98'],
    ['fails when the health-check path has no leading slash', { healthCheckPath: 'health' }, 'healthCheckPath', 'received "health"; expected a path starting with "/", e.g. "/health"'],
    ['fails when the warm floor exceeds N', { warmCapacity: 3 }, 'warmCapacity', 'received 3; expected an integer from 1 to 2'],
    ['fails when a warm floor is given for another spare mode', { spareMode: SpareMode.HOT, warmCapacity: 1 }, 'warmCapacity', 'expected no warmCapacity unless spareMode is SpareMode.WARM'],
    ['fails when there is no spare', { spares: [] }, 'spares', 'received []; expected at least one spare: an active-spare tier needs a second region'],
    ['fails when the heartbeat timeout is not shorter than the interval', { browserFailover: { heartbeatTimeout: Duration.seconds(5) } }, 'browserFailover.heartbeatTimeout', 'expected a timeout shorter than the heartbeat interval (5 seconds)'],
    ['fails when the Route 53 interval is unsupported', { healthCheckInterval: Duration.seconds(15) }, 'healthCheckInterval', 'received 15 seconds'],
  ])('%s', (_name, props, prop, message) => {
    expect(() => build(props)).toThrow(new RegExp(`^Web-Primary/Web(/Dns)?: invalid prop '${prop.replace(/[[\].]/g, '\\$&')}': .*${message.replace(/[()[\].*+?]/g, '\\$&')}`));
  });

  test.each<[string, Placement, string, string]>([
    ['fails when the spare stack is in the primary region', { spareRegions: ['eu-west-1'] }, 'spares[0].stack', 'received "eu-west-1"; expected a stack in another region than the primary (eu-west-1'],
    ['fails when two spares share a region', { spareRegions: ['us-east-1', 'us-east-1'] }, 'spares[].stack', 'received "us-east-1"; expected each region at most once'],
    ['fails when failover routing has two spares', { spareRegions: ['us-east-1', 'eu-central-1'] }, 'spares', 'received "2 spares"; expected one spare with DnsRoutingPolicy.FAILOVER'],
    ['fails when no stack is in us-east-1 and no dnsStack is given', { spareRegions: ['eu-central-1'] }, 'dnsStack', 'received undefined; expected a stack in us-east-1 for the health-check alarms'],
    ['fails when the dnsStack is not in us-east-1', { spareRegions: ['eu-central-1'], dnsRegion: 'us-west-2' }, 'dnsStack', 'received "us-west-2"; expected a stack in us-east-1'],
    ['fails when a spare stack\'s region is not an AWS region', { spareRegions: ['europe-1'] }, 'spares[0].stack', 'received "europe-1"; expected an AWS region name'],
  ])('%s', (_name, placement, prop, message) => {
    expect(() => build({}, placement)).toThrow(new RegExp(`^Web-Primary/Web: invalid prop '${prop.replace(/[[\].]/g, '\\$&')}': ${message.replace(/[()[\].*+?]/g, '\\$&')}`));
  });

  test('fails when the tier\'s stack has no explicit region', () => {
    const app = testApp();
    const stack = new Stack(app, 'Host');
    const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' });
    expect(() => new ActiveSpareWebTier(stack, 'Web', {
      spares: [{ stack: new Stack(app, 'Spare', { env: testEnv('us-east-1') }) }], image: IMAGE, activeCapacity: 2, zone, recordName: 'agents',
    })).toThrow("Host/Web: invalid prop 'scope': received \"<environment-agnostic stack>\"; expected a stack with an explicit region (env: { account, region })");
  });
});

describe('ActiveSpareWebTier placement', () => {
  test('two tiers with the same id in different stacks share a spare stack without collisions; a given VPC is used', () => {
    const app = testApp();
    const spare = new Stack(app, 'Spare', { env: testEnv('us-east-1'), crossRegionReferences: true });
    const zone = route53.PublicHostedZone.fromHostedZoneAttributes(spare, 'Zone', { hostedZoneId: 'Z1', zoneName: 'example.com' });
    const tiers = ['A', 'B'].map(name => {
      const primary = new Stack(app, name, { env: testEnv('eu-west-1'), crossRegionReferences: true });
      const vpc = createHaVpc(primary, 'SharedVpc');
      return new ActiveSpareWebTier(primary, 'Web', { spares: [{ stack: spare }], vpc, image: IMAGE, activeCapacity: 2, zone, recordName: name.toLowerCase() });
    });
    expect(() => app.synth()).not.toThrow();
    expect(tiers.map(t => t.spares[0].node.path)).toEqual([expect.stringMatching(/^Spare\/AWeb[0-9A-F]{8}\/Site$/), expect.stringMatching(/^Spare\/BWeb[0-9A-F]{8}\/Site$/)]);
    expect(tiers[0].primary.vpc).toBe(tiers[0].node.scope!.node.findChild('SharedVpc'));
    expect(tiers.map(t => Stack.of(t.dns).stackName)).toEqual(['Spare', 'Spare']);
  });
});

describe('ActiveSpareWebTier gates', () => {
  test('its stacks pass cdk-nag AwsSolutions and the CloudFormation validation with default rules', () => {
    const app = testApp({ validation: true });
    build({}, { app });
    expect(formatFindings(gateFindings(app))).toEqual([]);
  });
});

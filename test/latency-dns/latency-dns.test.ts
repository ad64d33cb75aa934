import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { DnsRoutingPolicy, FailoverNotifications, HealthCheckProtocol, LatencyDns, LatencyDnsProps, LatencyDnsSite, RecoveryObjectives } from '../../lib';
import { formatFindings, gateFindings, testApp, testEnv } from '../harness';

/** An alias target standing in for a load balancer of another stack. */
function albAlias(region: string): route53.RecordTarget {
  return route53.RecordTarget.fromAlias({
    bind: () => ({ dnsName: `dualstack.web-123.${region}.elb.amazonaws.com`, hostedZoneId: `Z${region.replace(/-/g, '').toUpperCase()}`, evaluateTargetHealth: true }),
  });
}

const SITES: LatencyDnsSite[] = [
  { region: 'eu-west-1', target: albAlias('eu-west-1') },
  { region: 'us-east-1', target: albAlias('us-east-1') },
];

function build(props: Partial<LatencyDnsProps> = {}, region = 'us-east-1') {
  const app = testApp();
  const stack = new Stack(app, 'Dns', { env: testEnv(region) });
  const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' });
  const notifications = new FailoverNotifications(stack, 'Notifications', { emails: ['ops@example.com'] });
  const dns = new LatencyDns(stack, 'Agents', { zone, recordName: 'agents', sites: SITES, notifications, ...props });
  return { app, stack, zone, dns };
}

describe('LatencyDns with defaults (latency routing, HTTPS checks)', () => {
  const { stack, dns } = build();
  const template = Template.fromStack(stack);

  test('exposes the zone of its names', () => {
    const built = build();
    expect(built.dns.zone).toBe(built.zone);
  });

  test('one health check and two records (site and common) per site, one alarm per health check, one failover alarm', () => {
    template.resourceCountIs('AWS::Route53::HealthCheck', 2);
    template.resourceCountIs('AWS::Route53::RecordSet', 4);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    template.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 1);
  });

  test.each(['eu-west-1', 'us-east-1'])('the %s health check is HTTPS with SNI on the site name, fast 10 s interval, 3 failures', region => {
    template.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: {
        Type: 'HTTPS',
        EnableSNI: true,
        FullyQualifiedDomainName: `agents.${region}.example.com`,
        Port: 443,
        ResourcePath: '/health',
        RequestInterval: 10,
        FailureThreshold: 3,
      },
    });
  });

  test.each(['eu-west-1', 'us-east-1'])('the common name has a latency CNAME to the %s site\'s name, 15 s TTL, with its set identifier and its own health check', region => {
    const hc = stack.getLogicalId(dns.healthCheck(region).node.defaultChild as route53.CfnHealthCheck);
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'agents.example.com.',
      Type: 'CNAME',
      ResourceRecords: [`agents.${region}.example.com`],
      TTL: '15',
      Region: region,
      SetIdentifier: region,
      HealthCheckId: { Ref: hc },
      Failover: Match.absent(),
      AliasTarget: Match.absent(),
    });
  });

  test.each(['eu-west-1', 'us-east-1'])('the %s site\'s own name is an alias to its target', region => {
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: `agents.${region}.example.com.`,
      Type: 'A',
      AliasTarget: { DNSName: `dualstack.web-123.${region}.elb.amazonaws.com`, EvaluateTargetHealth: true },
    });
  });

  test.each(['eu-west-1', 'us-east-1'])('the %s site has its own name, a simple record', region => {
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: `agents.${region}.example.com.`,
      SetIdentifier: Match.absent(),
      Region: Match.absent(),
      HealthCheckId: Match.absent(),
    });
    expect(dns.siteDomainName(region)).toBe(`agents.${region}.example.com`);
  });

  test('health-check status metrics live in us-east-1, and the alarms on them fire below 1', () => {
    expect(dns.metricHealthCheckStatus('eu-west-1').region).toBe('us-east-1');
    expect(dns.metricHealthCheckStatus('eu-west-1', { region: 'eu-west-1' }).region).toBe('us-east-1');
    const hc = stack.getLogicalId(dns.healthCheck('eu-west-1').node.defaultChild as route53.CfnHealthCheck);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Route53',
      MetricName: 'HealthCheckStatus',
      Dimensions: [{ Name: 'HealthCheckId', Value: { Ref: hc } }],
      Statistic: 'Minimum',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 1,
    });
  });

  test('the failover alarm is a composite over the health-check alarms, notifying on ALARM and OK', () => {
    const topic = { Ref: Match.stringLikeRegexp('^Notifications[0-9A-F]{8}$') };
    template.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', { AlarmActions: [topic], OKActions: [topic] });
    expect(dns.failoverTriggers).toEqual([dns.healthCheckAlarm('eu-west-1'), dns.healthCheckAlarm('us-east-1')]);
  });

  test('recovery objectives: detection 10 s x 3 + the CNAME\'s 15 s TTL = 45 s', () => {
    expect(dns.detectionTime.toSeconds()).toBe(30);
    expect(dns.failoverTime.toSeconds()).toBe(45);
    const [path] = RecoveryObjectives.within(dns)[0].paths;
    expect(path.name).toBe('dns');
    expect(path.steps.map(s => s.duration.toSeconds())).toEqual([30, 15]);
  });

  test('changes to the L1 common record count in the figures', () => {
    const { dns: other } = build();
    (other.commonRecord('eu-west-1').node.defaultChild as route53.CfnRecordSet).ttl = '5';
    expect(other.failoverTime.toSeconds()).toBe(35);
  });

  test('changes to the L1 health check count in the figures', () => {
    const { dns: other } = build();
    const cfn = other.healthCheck('eu-west-1').node.defaultChild as route53.CfnHealthCheck;
    cfn.healthCheckConfig = { ...(cfn.healthCheckConfig as route53.CfnHealthCheck.HealthCheckConfigProperty), failureThreshold: 5 };
    expect(other.detectionTime.toSeconds()).toBe(50);
  });
});

describe('LatencyDns in failover mode (active-spare)', () => {
  const { stack } = build({ routingPolicy: DnsRoutingPolicy.FAILOVER });
  const template = Template.fromStack(stack);

  test.each([['eu-west-1', 'PRIMARY'], ['us-east-1', 'SECONDARY']])('the %s record is %s, with its health check', (region, failover) => {
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'agents.example.com.',
      Failover: failover,
      SetIdentifier: region,
      Region: Match.absent(),
      HealthCheckId: Match.anyValue(),
    });
  });
});

describe('LatencyDns settings', () => {
  test('recordTtl sets the TTL of the common name and of site records that are not aliases, and the figures use it', () => {
    const { stack, dns } = build({
      recordTtl: Duration.seconds(20),
      sites: [{ region: 'eu-west-1', target: route53.RecordTarget.fromIpAddresses('192.0.2.10') }, { region: 'us-east-1', target: route53.RecordTarget.fromIpAddresses('192.0.2.20') }],
    });
    const template = Template.fromStack(stack);
    template.allResourcesProperties('AWS::Route53::RecordSet', { TTL: '20' });
    expect(dns.failoverTime.toSeconds()).toBe(30 + 20);
  });

  test.each([
    [Duration.seconds(45), 3],
    [Duration.seconds(44), 2],
    [Duration.seconds(35), 2],
    [Duration.seconds(34), 1],
    [Duration.seconds(300), 3],
  ])('the default failure threshold meets recoveryTargets.rto %s: %i', (rto, threshold) => {
    const { stack } = build({ recoveryTargets: { rto } });
    Template.fromStack(stack).allResourcesProperties('AWS::Route53::HealthCheck', { HealthCheckConfig: Match.objectLike({ FailureThreshold: threshold }) });
  });

  test('a target the settings do not meet fails synthesis, naming every prop it takes (off a single-sample threshold) and the figure', () => {
    const { app } = build({ recoveryTargets: { rto: Duration.seconds(20) }, recordTtl: Duration.seconds(15) });
    expect(() => app.synth()).toThrow(/Dns\/Agents\] recovery time target not met: the 'dns' path takes 25 s worst case, target 20 s \(recoveryTargets.rto\).*To meet it, set failureThreshold: 2 \(\+10 s\) and recordTtl: 0 s \(\u221215 s\) \u2192 20 s\. The fastest this path can be configured to is 10 s/);
  });

  test('HTTP checks on port 80 without SNI, a custom path, port, 30 s interval and site name', () => {
    const { stack } = build({
      healthCheckProtocol: HealthCheckProtocol.HTTP,
      healthCheckInterval: Duration.seconds(30),
      failureThreshold: 2,
      sites: [{ region: 'eu-west-1', target: albAlias('eu-west-1'), healthCheckPath: '/ping', siteRecordName: 'dc1', port: 8080 }, SITES[1]],
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: { Type: 'HTTP', EnableSNI: Match.absent(), FullyQualifiedDomainName: 'dc1.example.com', Port: 8080, ResourcePath: '/ping', RequestInterval: 30, FailureThreshold: 2 },
    });
    template.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: { Type: 'HTTP', FullyQualifiedDomainName: 'agents.us-east-1.example.com', Port: 80 },
    });
  });
});

describe('LatencyDns validation', () => {
  test.each<[string, Partial<LatencyDnsProps>, string, string]>([
    ['fails when a region is listed twice', { sites: [SITES[0], { ...SITES[1], region: 'eu-west-1' }] }, 'sites[].region', 'received "eu-west-1"; expected each region at most once (it appears twice)'],
    ['fails when a health-check path has no leading slash', { sites: [{ ...SITES[0], healthCheckPath: 'health' }, SITES[1]] }, 'sites[0].healthCheckPath', 'received "health"; expected a path starting with "/", e.g. "/health"'],
    ['fails when a health-checked record has a TTL above 60 s', { recordTtl: Duration.seconds(300) }, 'recordTtl', 'received 5 minutes; expected at most 60 seconds on a health-checked record'],
    ['fails when failover mode has three sites', { routingPolicy: DnsRoutingPolicy.FAILOVER, sites: [...SITES, { region: 'ap-southeast-2', target: albAlias('ap-southeast-2') }] }, 'sites', 'received "3 site(s)"; expected exactly two sites with DnsRoutingPolicy.FAILOVER'],
    ['fails when failover mode has a single site', { routingPolicy: DnsRoutingPolicy.FAILOVER, sites: [SITES[0]] }, 'sites', 'received "1 site(s)"'],
    ['fails when there are no sites', { sites: [] }, 'sites', 'received []; expected at least one site'],
    ['fails when a region is not a region name', { sites: [{ ...SITES[0], region: 'Ireland' }] }, 'sites[0].region', 'received "Ireland"; expected an AWS region name'],
    ['fails when the interval is neither 10 nor 30 s', { healthCheckInterval: Duration.seconds(20) }, 'healthCheckInterval', 'received 20 seconds; expected 10 seconds (fast) or 30 seconds'],
    ['fails when the failure threshold is out of range', { failureThreshold: 11 }, 'failureThreshold', 'received 11; expected an integer from 1 to 10'],
    ['fails when the record name is not a DNS name', { recordName: 'Agents!' }, 'recordName', 'received "Agents!"'],
  ])('%s', (_name, props, prop, message) => {
    expect(() => build(props)).toThrow(`Dns/Agents: invalid prop '${prop}': ${message}`);
  });

  test('fails when the stack is not in us-east-1 (where Route 53 health-check metrics are)', () => {
    expect(() => build({}, 'eu-west-1')).toThrow(
      "Dns/Agents: invalid prop 'scope': received \"a stack in eu-west-1\"; expected a stack in us-east-1: Route 53 publishes health-check metrics only there");
  });

  test('warns when the stack has no explicit region', () => {
    const app = testApp();
    const stack = new Stack(app, 'Agnostic');
    const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' });
    new LatencyDns(stack, 'Agents', { zone, recordName: 'agents', sites: SITES });
    const warnings = app.synth().getStackArtifact(stack.artifactId).messages.filter(m => m.level === 'warning').map(m => String(m.entry.data));
    expect(warnings.some(w => w.includes('cdk-ha-patterns:latency-dns-region-unknown'))).toBe(true);
  });
});

describe('LatencyDns gates', () => {
  test('passes cdk-nag AwsSolutions and the CloudFormation validation with default rules', () => {
    const app = testApp({ validation: true });
    const stack = new Stack(app, 'Dns', { env: testEnv('us-east-1') });
    const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' });
    const notifications = new FailoverNotifications(stack, 'Notifications', { emails: ['ops@example.com'] });
    new LatencyDns(stack, 'Agents', { zone, recordName: 'agents', sites: SITES, notifications, routingPolicy: DnsRoutingPolicy.FAILOVER });
    expect(formatFindings(gateFindings(app))).toEqual([]);
  });
});

describe('LatencyDns failover alarm rule (issue 13: the operator of a composite with two or more triggers)', () => {
  test('is exactly ALARM(first site) OR ALARM(second site): one failing site is a failover', () => {
    const { stack, dns } = build();
    const rule = stack.resolve((dns.failoverAlarm.node.defaultChild as cloudwatch.CfnCompositeAlarm).alarmRule);
    const [eu, us] = ['eu-west-1', 'us-east-1'].map(r => stack.getLogicalId(dns.healthCheckAlarm(r).node.defaultChild as cloudwatch.CfnAlarm));
    expect(rule).toEqual({ 'Fn::Join': ['', ['(ALARM("', { 'Fn::GetAtt': [eu, 'Arn'] }, '") OR ALARM("', { 'Fn::GetAtt': [us, 'Arn'] }, '"))']] });
  });

  test('three sites: OR over all three', () => {
    const { stack, dns } = build({ sites: [...SITES, { region: 'ap-southeast-2', target: albAlias('ap-southeast-2') }] });
    const rule = JSON.stringify(stack.resolve((dns.failoverAlarm.node.defaultChild as cloudwatch.CfnCompositeAlarm).alarmRule));
    expect(rule.match(/ OR /g)).toHaveLength(2);
    expect(rule).not.toContain('AND');
  });
});

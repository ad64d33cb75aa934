import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { FailoverNotifications, LeaseMode, StandbyServerRole, WarmStandbyPair, WarmStandbyPairPath, WarmStandbyPairProps } from '../../lib';
import { createHaVpc } from '../../lib/private/network';
import { formatFindings, gateFindings, testApp, testEnv } from '../harness';

const IMAGE = 'public.ecr.aws/docker/library/busybox:stable';
const COMMAND = ['sh', '-c', 'nc -lk -p 2775 -e cat'];

function build(app: App, props: Partial<WarmStandbyPairProps> = {}) {
  const stack = new Stack(app, 'Gw', { env: testEnv() });
  const vpc = createHaVpc(stack, 'Vpc');
  const notifications = new FailoverNotifications(stack, 'Notifications', { emails: ['ops@example.com'] });
  const pair = new WarmStandbyPair(stack, 'Pair', {
    vpc,
    image: ecs.ContainerImage.fromRegistry(IMAGE),
    command: COMMAND,
    tcpPort: 2775,
    udpPort: 5060,
    notifications,
    leaseMode: LeaseMode.LAUNCHER,
    ...props,
  });
  return { stack, pair };
}

/** A container definition as synthesized (the fields the tests read). */
type Container = { Name: string; Environment: Array<{ Name: string; Value: unknown }>; Command: string[]; PortMappings?: unknown } & Record<string, unknown>;

/** The task definitions of the pair, by role (their containers' environment names the role). */
function taskDefinitions(template: Template): Record<string, { ContainerDefinitions: Container[] }> {
  const out: Record<string, { ContainerDefinitions: Container[] }> = {};
  for (const td of Object.values(template.findResources('AWS::ECS::TaskDefinition'))) {
    const server = td.Properties.ContainerDefinitions.find((c: { Name: string }) => c.Name === 'Server');
    const role = server.Environment.find((e: { Name: string }) => e.Name === 'HA_SERVER_ROLE').Value;
    out[role] = td.Properties;
  }
  return out;
}

const env = (container: Container) => Object.fromEntries(container.Environment.map(e => [e.Name, e.Value]));

describe('WarmStandbyPair with leaseMode LAUNCHER', () => {
  const { stack, pair } = build(testApp());
  const template = Template.fromStack(stack);
  const tds = taskDefinitions(template);

  test('each server\'s task runs the launcher beside the unmodified server, which waits behind the gate', () => {
    expect(Object.keys(tds).sort()).toEqual(['PRIMARY', 'SECONDARY']);
    for (const td of Object.values(tds)) {
      const [server, launcher] = ['Server', 'Launcher'].map(n => td.ContainerDefinitions.find(c => c.Name === n)!);
      expect(launcher).toMatchObject({ Image: 'public.ecr.aws/docker/library/node:22-alpine', Essential: true, EntryPoint: ['node'], StopTimeout: 10 });
      expect(server.EntryPoint).toEqual(['/bin/sh', '-c', expect.stringContaining('/ha-lease/held'), 'ha-gate']);
      expect(server.Command).toEqual(COMMAND);
      expect(server.StopTimeout).toBe(10);
      expect(server.DependsOn).toEqual([{ ContainerName: 'Launcher', Condition: 'START' }]);
      expect(server.MountPoints).toEqual([{ SourceVolume: 'LeaseGate', ContainerPath: '/ha-lease', ReadOnly: true }]);
    }
    expect(pair.leaseMode).toBe(LeaseMode.LAUNCHER);
  });

  test('the primary\'s launcher claims the lease, the secondary\'s gives it back; both contend for one lease of the pair\'s table', () => {
    const launcherEnv = (role: string) => env(tds[role].ContainerDefinitions.find(c => c.Name === 'Launcher')!);
    const tableRef = { Ref: stack.getLogicalId(pair.leaseTable!.table.node.defaultChild as never) };
    expect(launcherEnv('PRIMARY')).toMatchObject({
      HA_LAUNCHER_FAILBACK: 'claim', HA_LEASE_TABLE_NAME: tableRef, HA_LEASE_NAME: 'warm-standby',
      HA_LEASE_DURATION_MS: '45000', HA_LEASE_RENEW_INTERVAL_MS: '10000', HA_LEASE_MAX_CLOCK_SKEW_MS: '1000', HA_LAUNCHER_STOP_MARGIN_MS: '15000',
    });
    expect(launcherEnv('SECONDARY')).toMatchObject({ HA_LAUNCHER_FAILBACK: 'yield', HA_LEASE_TABLE_NAME: tableRef, HA_LEASE_NAME: 'warm-standby' });
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    for (const role of [StandbyServerRole.PRIMARY, StandbyServerRole.SECONDARY]) {
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: stack.getLogicalId(pair.taskRole(role).node.defaultChild as never) }],
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({
            Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
            Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['warm-standby'] } },
          })]),
        },
      });
    }
  });

  test('the launcher listens on its health port; both target groups (TCP and UDP) check it, and the VPC may reach it', () => {
    for (const td of Object.values(tds)) {
      const launcher = td.ContainerDefinitions.find(c => c.Name === 'Launcher')!;
      expect(launcher.PortMappings).toEqual([{ ContainerPort: 8099, Protocol: 'tcp' }]);
      expect(launcher.Command[1]).toMatch(/;require\("net"\)\.createServer\(function\(s\)\{s\.destroy\(\)\}\)\.listen\(8099\);$/);
      expect(launcher.Command[1].startsWith('"use strict"')).toBe(true);
    }
    const groups = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::TargetGroup'));
    expect(groups).toHaveLength(4);
    for (const g of groups) expect(g.Properties).toMatchObject({ HealthCheckPort: '8099', HealthCheckProtocol: 'TCP' });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: Match.arrayWith([Match.objectLike({ IpProtocol: 'tcp', FromPort: 8099, ToPort: 8099, Description: 'launcher health port (load balancer health checks)' })]),
    });
  });

  test('LeaseNotRenewedAlarm: no launcher renewed the lease for 2 minutes (a 45 s lease), from the heartbeats the launchers publish', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'LeaseHeartbeat',
      Namespace: 'CdkHaPatterns/Lease',
      Dimensions: Match.arrayWith([{ Name: 'LeaseName', Value: 'warm-standby' }]),
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 2,
      TreatMissingData: 'breaching',
    });
    expect(pair.alarms).toContain(pair.leaseNotRenewedAlarm);
    expect(pair.metricLeaseAcquisitions().metricName).toBe('LeaseAcquired');
  });

  test('figures: each path is the later of its listener switch and the lease handover (45 + 2 + 10 + 1 = 58 s): takeover max(25, 58), unresponsive max(57, 58)', () => {
    const report = pair.recoveryObjectives.toReport();
    expect(report.paths.map(p => [p.name, p.totalSeconds])).toEqual([['takeover', 58], ['unresponsive', 58]]);
    expect(report.paths[0].steps).toEqual([expect.objectContaining({ component: 'the later of the listener switch and the lease handover', seconds: 58 })]);
    expect(pair.takeoverTime.toSeconds()).toBe(58);
    const longer = build(testApp(), { leaseDuration: Duration.seconds(60) }).pair;
    expect(longer.takeoverTime.toSeconds()).toBe(60 + 2 + 10 + 1);
    // Without the probe, the load balancer's alarm (95 s) is the slower branch of the unresponsive path until the lease is longer.
    const noProbe = (leaseDuration: Duration) => build(testApp(), { leaseDuration, primaryProbe: false }).pair.recoveryObjectives.path(WarmStandbyPairPath.UNRESPONSIVE).total.toSeconds();
    expect(noProbe(Duration.seconds(45))).toBe(95);
    expect(noProbe(Duration.seconds(90))).toBe(103);
  });

  test('both paths name the lease table among their links, and survive their scenarios', () => {
    expect([WarmStandbyPairPath.TAKEOVER, WarmStandbyPairPath.UNRESPONSIVE].flatMap(p => pair.recoveryObjectives.scenarioOutcomes(p)).map(o => o.survives))
      .toEqual([true, true]);
    const report = JSON.stringify(pair.recoveryObjectives.toReport());
    expect(report).toContain('lease lapse');
    expect(report).toContain('launcher gate');
  });

  test('passes cdk-nag AwsSolutions and the CloudFormation validation with default rules', () => {
    const app = testApp({ validation: true });
    build(app);
    expect(formatFindings(gateFindings(app))).toEqual([]);
  });
});

describe('WarmStandbyPair leaseMode validation', () => {
  test('the default mode has no launcher, no lease table, health checks on the server port, and the figures of today', () => {
    const { stack, pair } = build(testApp(), { leaseMode: undefined });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 0);
    for (const td of Object.values(template.findResources('AWS::ECS::TaskDefinition'))) {
      expect(td.Properties.ContainerDefinitions.map((c: { Name: string }) => c.Name)).toEqual(['Server']);
    }
    template.allResourcesProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { HealthCheckPort: '2775' });
    expect(pair.takeoverTime.toSeconds()).toBe(25);
    expect(pair.leaseNotRenewedAlarm).toBeUndefined();
    expect(() => pair.metricLeaseHeartbeats()).toThrow("Gw/Pair: invalid prop 'leaseMode': received \"IN_PROCESS\"; expected LeaseMode.LAUNCHER to call metricLeaseHeartbeats()");
  });

  test('warns when launcher-only props are given without leaseMode LAUNCHER', () => {
    const { stack } = build(testApp(), { leaseMode: LeaseMode.IN_PROCESS, leaseDuration: Duration.seconds(60), launcherHealthPort: 9000 });
    Annotations.fromStack(stack).hasWarning('/Gw/Pair', Match.stringLikeRegexp('leaseDuration, launcherHealthPort apply to leaseMode LAUNCHER only'));
  });

  test('fails when the lease cannot outlast the launcher\'s stop margin (D > R + S + stopTimeout + 5 s)', () => {
    expect(() => build(testApp(), { leaseDuration: Duration.seconds(26), stopTimeout: Duration.seconds(10) }))
      .toThrow("Gw/Pair: invalid prop 'leaseDuration': received 26 seconds; expected with leaseMode LAUNCHER, a duration longer than renewInterval (10000 ms) + " +
        'maxClockSkew (1000 ms) + stopTimeout (10000 ms) + 5000 ms stop latency = 26000 ms');
  });

  test('fails when there is no command line for the gate', () => {
    expect(() => build(testApp(), { command: undefined }))
      .toThrow("Gw/Pair: invalid prop 'command': received undefined; expected with leaseMode LAUNCHER, the full command line of your program");
  });

  test('fails when the launcher\'s health port is the server\'s TCP port', () => {
    expect(() => build(testApp(), { launcherHealthPort: 2775 }))
      .toThrow("Gw/Pair: invalid prop 'launcherHealthPort': received 2775; expected a port other than tcpPort (2775)");
  });

  test('fails when the stop timeout is out of Fargate\'s range', () => {
    expect(() => build(testApp(), { stopTimeout: Duration.seconds(121) })).toThrow("Gw/Pair: invalid prop 'stopTimeout'");
  });
});

describe('WarmStandbyPair promotion in launcher mode', () => {
  test('the promotion runbook sets the primary\'s service to 0 tasks (its launcher would claim the lease back), allowed on that service only', () => {
    const { stack, pair } = build(testApp());
    const template = Template.fromStack(stack);
    const doc = template.toJSON().Resources[stack.getLogicalId(pair.promoteRunbook)].Properties;
    const primaryService = stack.getLogicalId(pair.service(StandbyServerRole.PRIMARY).node.defaultChild as never);
    expect(doc.Content.mainSteps.map((st: { name: string }) => st.name)).toEqual(
      ['StopFailback', 'StopTakeover', 'StopFastTakeover', 'StopPrimaryServer', 'ForwardTcp', 'ForwardUdp', 'GrantConfigWriteToSecondary', 'RevokeConfigWriteFromPrimary']);
    expect(doc.Content.mainSteps[3].inputs).toEqual({
      Service: 'ecs', Api: 'UpdateService', cluster: { Ref: stack.getLogicalId(pair.cluster.node.defaultChild as never) },
      service: { 'Fn::GetAtt': [primaryService, 'Name'] }, desiredCount: 0,
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Action: 'ecs:UpdateService', Effect: 'Allow', Resource: { Ref: primaryService } }]) },
    });
    // The default mode's promotion leaves the primary's service alone.
    const plain = build(testApp(), { leaseMode: undefined });
    const plainDoc = Template.fromStack(plain.stack).toJSON().Resources[plain.stack.getLogicalId(plain.pair.promoteRunbook)].Properties;
    expect(plainDoc.Content.mainSteps.map((st: { name: string }) => st.name)).not.toContain('StopPrimaryServer');
  });
});

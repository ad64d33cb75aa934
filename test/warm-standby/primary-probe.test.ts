import * as net from 'net';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { WarmStandbyPair } from '../../lib';
import { tcpConnect } from '../../lib/failover/data-plane';
import { createHaVpc } from '../../lib/private/network';
import { checkPrimary } from '../../lib/warm-standby/handler/probe';
import { testApp, testEnv } from '../harness';

function build(app: App) {
  const stack = new Stack(app, 'Gw', { env: testEnv() });
  const pair = new WarmStandbyPair(stack, 'Pair', {
    vpc: createHaVpc(stack, 'Vpc'), image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable'), tcpPort: 2775,
  });
  return { stack, pair };
}

describe('WarmStandbyPair primary probe', () => {
  const { stack, pair } = build(testApp());
  const template = Template.fromStack(stack);
  const id = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);

  test('a function in the pair\'s VPC connects to the primary\'s direct listener (tcpPort + 10000), sampling every 5 s with a 2 s timeout', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Gw/Pair: samples the primary server through its direct listener every 5 s',
      VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }),
      Timeout: 69,
      Environment: {
        Variables: Match.objectLike({
          PRIMARY_HOST: { 'Fn::GetAtt': [id(pair.loadBalancer), 'DNSName'] },
          PRIMARY_PORT: '12775',
          PAIR: 'Gw/Pair',
          PROBE_INTERVAL_MS: '5000',
          PROBE_TIMEOUT_MS: '2000',
          PROBE_RUN_MS: '55000',
        }),
      },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [id(pair.primaryProbeFunction!), 'Arn'] } })],
    });
  });

  test('it calls no AWS API: its role may write its logs and attach to the VPC, nothing else', () => {
    const role = (pair.primaryProbeFunction as unknown as { role: { node: { defaultChild: unknown } } }).role;
    const policies = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter(p => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: stack.getLogicalId(role.node.defaultChild as never) }]));
    const actions = policies.flatMap(p => p.Properties.PolicyDocument.Statement.flatMap((st: { Action: string | string[] }) => [st.Action].flat()));
    expect(actions.filter(a => !a.startsWith('logs:') && !a.startsWith('ec2:'))).toEqual([]);
  });

  test('PrimaryProbeAlarm: every sample failed in 3 consecutive 10 s periods (high resolution); a silent probe is not a failure', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'CdkHaPatterns/WarmStandby', MetricName: 'PrimaryUnreachable', Dimensions: [{ Name: 'Pair', Value: 'Gw/Pair' }],
      Statistic: 'Minimum', Period: 10, EvaluationPeriods: 3, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'CdkHaPatterns/WarmStandby', MetricName: 'PrimaryUnreachable', Statistic: 'SampleCount', Period: 60, EvaluationPeriods: 3,
      ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching',
    });
    expect(pair.failoverTriggers).toContain(pair.primaryProbeAlarm);
  });
});

describe('checkPrimary (the probe\'s sample)', () => {
  test('a connection accepted is a good sample, one refused a failed sample', async () => {
    const server = net.createServer(s => s.destroy());
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    expect(await checkPrimary({ host: '127.0.0.1', port, timeoutMs: 1000 }, tcpConnect)).toEqual({ unreachable: 0, detail: `127.0.0.1:${port} accepts connections` });
    await new Promise<void>(r => server.close(() => r()));
    const refused = await checkPrimary({ host: '127.0.0.1', port, timeoutMs: 1000 }, tcpConnect);
    expect(refused.unreachable).toBe(1);
    expect(refused.detail).toMatch(/ECONNREFUSED/);
  });

  test('a connection not accepted in time is a failed sample, with the timeout given', async () => {
    const seen: Array<[string, number, number]> = [];
    const sample = await checkPrimary({ host: 'gw.example', port: 12775, timeoutMs: 2000 }, async (host, port, timeoutMs) => {
      seen.push([host, port, timeoutMs]);
      return { ok: false, detail: `${host}:${port}: no connection in ${timeoutMs} ms` };
    });
    expect(seen).toEqual([['gw.example', 12775, 2000]]);
    expect(sample).toEqual({ unreachable: 1, detail: 'gw.example:12775: no connection in 2000 ms' });
  });
});

describe('the entry point on the probe schedule\'s event', () => {
  test('samples the primary and logs each sample as a high-resolution EMF line of the pair\'s metric', async () => {
    const server = net.createServer(s => s.destroy());
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    Object.assign(process.env, {
      PRIMARY_HOST: '127.0.0.1', PRIMARY_PORT: String(port), PAIR: 'Gw/Pair',
      PROBE_INTERVAL_MS: '50', PROBE_TIMEOUT_MS: '40', PROBE_RUN_MS: '120',
    });
    const { handler } = require('../../lib/warm-standby/handler/index') as typeof import('../../lib/warm-standby/handler/index');
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const summary = await handler({ 'detail-type': 'Scheduled Event' });
      expect(summary.samples).toBeGreaterThanOrEqual(2);
      expect(summary.unreachable).toBe(0);
      const line = JSON.parse(log.mock.calls[0][0] as string);
      expect(line).toMatchObject({
        _aws: { CloudWatchMetrics: [{ Namespace: 'CdkHaPatterns/WarmStandby', Dimensions: [['Pair']], Metrics: [{ Name: 'PrimaryUnreachable', StorageResolution: 1 }] }] },
        Pair: 'Gw/Pair', PrimaryUnreachable: 0,
      });
      await new Promise<void>(r => server.close(() => r()));
      expect((await handler({ 'detail-type': 'Scheduled Event' })).unreachable).toBeGreaterThanOrEqual(2);
    } finally {
      log.mockRestore();
    }
  });
});

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { HotStandbyConsumer, HotStandbyConsumerPath, LeaseMode, SingletonDaemon, SingletonDaemonPath, SingletonDaemonProps } from '../../lib';
import { LAUNCHER_GATE_SCRIPT, LAUNCHER_IMAGE } from '../../lib/lease/launcher-container';
import { testApp, testEnv } from '../harness';

const image = ecs.ContainerImage.fromRegistry('vendor.example.com/etl-server:7.2');
const command = ['/opt/vendor/bin/etl-server', '--config', '/etc/etl.conf'];

function build(props: Partial<SingletonDaemonProps> = {}, app = testApp()) {
  const stack = new Stack(app, 'S', { env: testEnv() });
  const daemon = new SingletonDaemon(stack, 'Etl', { image, command, leaseMode: LeaseMode.LAUNCHER, ...props });
  return { app, stack, daemon };
}

function containers(stack: Stack): Array<Record<string, unknown>> {
  const defs = Template.fromStack(stack).findResources('AWS::ECS::TaskDefinition');
  return Object.values(defs)[0].Properties.ContainerDefinitions as Array<Record<string, unknown>>;
}

describe('SingletonDaemon with leaseMode LAUNCHER', () => {
  const { stack, daemon } = build();
  const [app, launcher] = containers(stack);

  test('an essential launcher container on the public Node.js image holds the lease, with the lease and launcher settings', () => {
    expect(launcher).toMatchObject({
      Name: 'Launcher',
      Image: LAUNCHER_IMAGE,
      Essential: true,
      EntryPoint: ['node'],
      ReadonlyRootFilesystem: true,
      MountPoints: [{ SourceVolume: 'LeaseGate', ContainerPath: '/ha-lease', ReadOnly: false }],
    });
    const env = Object.fromEntries((launcher.Environment as Array<{ Name: string; Value: unknown }>).map(e => [e.Name, e.Value]));
    expect(env).toMatchObject({
      HA_LEASE_NAME: 'singleton', HA_LEASE_DURATION_MS: '45000', HA_LEASE_RENEW_INTERVAL_MS: '10000', HA_LEASE_MAX_CLOCK_SKEW_MS: '1000',
      HA_LAUNCHER_STOP_MARGIN_MS: '15000', HA_LAUNCHER_GATE_DIR: '/ha-lease', AWS_REGION: testEnv().region,
    });
    const script = (launcher.Command as string[]);
    expect(script[0]).toBe('-e');
    expect(script[1]).toContain('LeaseHeartbeat');
    expect(script[1]).not.toMatch(/require\("@aws-sdk/);
  });

  test('the unmodified image runs behind the gate: sh waits for the marker, then executes the command; it starts after and stops before the launcher', () => {
    expect(app).toMatchObject({
      Name: 'Daemon',
      Image: 'vendor.example.com/etl-server:7.2',
      Essential: true,
      EntryPoint: ['/bin/sh', '-c', LAUNCHER_GATE_SCRIPT, 'ha-gate'],
      Command: command,
      StopTimeout: 10,
      DependsOn: [{ ContainerName: 'Launcher', Condition: 'START' }],
      MountPoints: [{ SourceVolume: 'LeaseGate', ContainerPath: '/ha-lease', ReadOnly: true }],
    });
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::TaskDefinition', { Volumes: Match.arrayWith([{ Name: 'LeaseGate' }]) });
  });

  test('the takeover includes the launcher gate: 45 + 2 x 1 + 10 + 1 = 58 s', () => {
    expect(daemon.takeoverTime.toSeconds()).toBe(58);
    expect(daemon.recoveryObjectives.path(SingletonDaemonPath.TASK_FAILURE).steps.map(s => s.component)).toEqual([
      'lease lapse', 'standby poll', 'launcher gate (the program starts once the launcher holds the lease)',
    ]);
    expect(daemon.leaseMode).toBe(LeaseMode.LAUNCHER);
    expect(daemon.launcherContainer?.containerName).toBe('Launcher');
  });

  test('both services still run two contenders (the standby runs the launcher and the waiting gate, not the program)', () => {
    Template.fromStack(stack).resourceCountIs('AWS::ECS::Service', 2);
  });

  test('synthesizes without Docker: the launcher image is pulled from ECR Public, no container asset', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'launcher-'));
    const assembly = build({}, new App({ outdir: dir })).app.synth();
    const manifest = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'S.assets.json'), 'utf8'));
    expect(Object.keys(manifest.dockerImages ?? {})).toEqual([]);
  });

  test('in-process mode (the default) has no launcher', () => {
    const s = new Stack(testApp(), 'P', { env: testEnv() });
    const d = new SingletonDaemon(s, 'Etl', { image });
    expect(d.launcherContainer).toBeUndefined();
    expect(containers(s)).toHaveLength(1);
    expect(d.takeoverTime.toSeconds()).toBe(42);
  });

  test('fails when the lease cannot cover the stop timeout: leaseDuration <= renewInterval + skew + stopTimeout + 5 s', () => {
    expect(() => build({ leaseDuration: Duration.seconds(30), stopTimeout: Duration.seconds(20) }))
      .toThrow(/leaseDuration.*with leaseMode LAUNCHER, a duration longer than renewInterval \(10000 ms\) \+ maxClockSkew \(1000 ms\) \+ stopTimeout \(20000 ms\) \+ 5000 ms stop latency = 36000 ms/);
  });

  test('warns when only one renewal fits before the launcher must exit', () => {
    const { daemon: d } = build({ leaseDuration: Duration.seconds(30) });
    Annotations.fromStack(Stack.of(d)).hasWarning('/S/Etl', Match.stringLikeRegexp('launcher-single-renewal'));
  });

  test('fails when there is no command line for the gate', () => {
    expect(() => build({ command: undefined })).toThrow(/command.*with leaseMode LAUNCHER, the full command line of your program/);
  });

  test('fails when stopTimeout is above what Fargate allows (120 s)', () => {
    expect(() => build({ stopTimeout: Duration.seconds(121), leaseDuration: Duration.minutes(5) })).toThrow(/stopTimeout/);
  });

  test('fails when leaseMode is not a LeaseMode', () => {
    expect(() => build({ leaseMode: 'SIDECAR' as LeaseMode })).toThrow(/leaseMode/);
  });
});

describe('HotStandbyConsumer with leaseMode LAUNCHER', () => {
  const stack = new Stack(testApp(), 'H', { env: testEnv() });
  const consumer = new HotStandbyConsumer(stack, 'Agg', { image, command: ['/opt/agg'], leaseMode: LeaseMode.LAUNCHER });

  test('gates the consumer behind the launcher; the takeover is 30 + 2 + 5 + 1 = 38 s', () => {
    const [app, launcher] = containers(stack);
    expect(app).toMatchObject({ Name: 'Consumer', EntryPoint: ['/bin/sh', '-c', LAUNCHER_GATE_SCRIPT, 'ha-gate'], Command: ['/opt/agg'] });
    expect(launcher).toMatchObject({ Name: 'Launcher', Essential: true });
    expect(consumer.takeoverTime.toSeconds()).toBe(38);
    expect(consumer.recoveryObjectives.path(HotStandbyConsumerPath.LEADER_FAILURE).steps).toHaveLength(3);
  });
});

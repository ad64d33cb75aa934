/**
 * The workforce-management placeholders behave like real lease daemons for
 * the alarms: each lease pattern's synthesized container (entry point,
 * command, environment, read from the template) is run against dynalite
 * through a stand-in `aws` CLI (test/fixtures/fake-aws-cli.js), and what it
 * prints must satisfy every lease alarm that treats missing data as
 * breaching: the alarm's namespace, metric name and dimensions, with values
 * that keep it OK. Nothing is hard-coded twice: the metrics come from the
 * alarms in the template, the script from the example.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { LEASE_PLACEHOLDER_IMAGE, SCRATCH_PATH } from '../../examples/workforce-management/lease-placeholder';
import { LeaseAttributes, LeaseEnvironment, RUNTIME_METRICS_NAMESPACE, RuntimeMetricNames } from '../../lib/runtime';
import { LocalDynamoDb, startLocalDynamoDb } from '../runtime/local-dynamodb';
import { until } from '../until';
import { synthExample } from './example-suite';

/** Fast lease timings for the run (the template's are 15 to 30 s). */
const FAST = { [LeaseEnvironment.DURATION_MS]: '2000', [LeaseEnvironment.RENEW_INTERVAL_MS]: '300', [LeaseEnvironment.MAX_CLOCK_SKEW_MS]: '100' };

interface Container {
  readonly Name: string;
  readonly Image: string;
  readonly EntryPoint?: string[];
  readonly Command?: string[];
  readonly Environment: Array<{ Name: string; Value: unknown }>;
}

interface AlarmProps {
  readonly Namespace?: string;
  readonly MetricName?: string;
  readonly Statistic?: string;
  readonly Threshold: number;
  readonly ComparisonOperator: string;
  readonly TreatMissingData?: string;
  readonly Dimensions?: Array<{ Name: string; Value: unknown }>;
}

interface Emf {
  readonly namespace: string;
  readonly metric: string;
  readonly dimensions: Record<string, string>;
  readonly value: number;
}

const { templates } = synthExample('workforce-management');
const processes = templates['workforce-management-Processes'];

/** The lease daemon's container of a pattern, by the pattern's construct id. */
function container(template: Template, pattern: string): Container {
  const defs = Object.entries(template.findResources('AWS::ECS::TaskDefinition'))
    .filter(([id]) => id.startsWith(`${pattern}TaskDefinition`))
    .flatMap(([, r]) => r.Properties.ContainerDefinitions as Container[]);
  expect(defs).toHaveLength(1);
  return defs[0];
}

function env(c: Container, name: string): unknown {
  return c.Environment.find(e => e.Name === name)?.Value;
}

/** The alarms on the runtime's lease metrics of one lease (same table, same lease name). */
function leaseAlarms(template: Template, c: Container): AlarmProps[] {
  const table = JSON.stringify(env(c, LeaseEnvironment.TABLE_NAME));
  const lease = env(c, LeaseEnvironment.LEASE_NAME);
  return Object.values(template.findResources('AWS::CloudWatch::Alarm'))
    .map(a => a.Properties as AlarmProps)
    .filter(a => a.Namespace === RUNTIME_METRICS_NAMESPACE
      && a.Dimensions?.some(d => d.Name === 'LeaseName' && d.Value === lease)
      && a.Dimensions?.some(d => d.Name === 'TableName' && JSON.stringify(d.Value) === table));
}

/** Whether an alarm stays OK with these values of its metric in one period. */
function staysOk(alarm: AlarmProps, values: number[]): boolean {
  const stat = alarm.Statistic === 'Sum' ? values.reduce((a, b) => a + b, 0) : Math.max(...values);
  switch (alarm.ComparisonOperator) {
    case 'LessThanThreshold': return stat >= alarm.Threshold;
    case 'LessThanOrEqualToThreshold': return stat > alarm.Threshold;
    case 'GreaterThanThreshold': return stat <= alarm.Threshold;
    case 'GreaterThanOrEqualToThreshold': return stat < alarm.Threshold;
    default: throw new Error(`unknown operator ${alarm.ComparisonOperator}`);
  }
}

function parseEmf(stdout: string): Emf[] {
  return stdout.split('\n').filter(l => l.startsWith('{')).map(line => {
    const doc = JSON.parse(line) as Record<string, unknown> & { _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> } };
    const [directive] = doc._aws.CloudWatchMetrics;
    const metric = directive.Metrics[0].Name;
    return {
      namespace: directive.Namespace,
      metric,
      dimensions: Object.fromEntries(directive.Dimensions[0].map(d => [d, String(doc[d])])),
      value: Number(doc[metric]),
    };
  });
}

let db: LocalDynamoDb;
let endpoint: string;
let bin: string;

beforeAll(async () => {
  db = await startLocalDynamoDb();
  endpoint = await (db.client.config.endpoint!)().then(e => `${e.protocol}//${e.hostname}:${e.port}`);
  bin = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-aws-'));
  const cli = path.join(bin, 'aws');
  fs.writeFileSync(cli, `#!/bin/sh\nNODE_NO_WARNINGS=1 exec "${process.execPath}" "${path.join(__dirname, '..', 'fixtures', 'fake-aws-cli.js')}" "$@"\n`, { mode: 0o755 });
});

afterAll(async () => {
  await db.stop();
  fs.rmSync(bin, { recursive: true, force: true });
});

/** A running placeholder: its process, what it printed so far, and the file of the AWS calls it made. */
interface Run {
  readonly child: ChildProcess;
  readonly out: string[];
  readonly err: string[];
  readonly exited: Promise<number | null>;
  readonly calls: string;
}

/** Every placeholder started by the current test. */
const runs: Run[] = [];

/** Runs a container's entry point + command as the task would, with its environment and a local table. */
function run(c: Container, tableName: string): Run {
  const calls = path.join(bin, `calls-${tableName}-${Date.now()}.log`);
  const environment: Record<string, string> = {
    PATH: `${bin}:${process.env.PATH}`,
    AWS_ENDPOINT_URL_DYNAMODB: endpoint, AWS_REGION: 'local', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x',
    FAKE_AWS_CALLS: calls,
  };
  for (const e of c.Environment) if (typeof e.Value === 'string') environment[e.Name] = e.Value;
  Object.assign(environment, FAST, { [LeaseEnvironment.TABLE_NAME]: tableName });
  const [file, ...args] = [...(c.EntryPoint ?? []), ...(c.Command ?? [])];
  // its own process group, so a test that fails can end it with everything it started
  const child = spawn(file, args, { env: environment, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const out: string[] = [];
  const err: string[] = [];
  child.stdout!.on('data', d => out.push(String(d)));
  child.stderr!.on('data', d => err.push(String(d)));
  const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)));
  const started = { child, out, err, exited, calls };
  runs.push(started);
  return started;
}

afterEach(async () => {
  for (const r of runs.splice(0)) {
    try {
      process.kill(-r.child.pid!, 'SIGKILL');
    } catch {
      // the group has ended
    }
    await r.exited;
  }
});

async function stop(r: Run): Promise<number | null> {
  r.child.kill('SIGTERM');
  return r.exited;
}

// The ETL server and the notification daemon run behind the lease-gated launcher (vendor software): test/runtime/launcher-bundle.test.ts
// runs the launcher's code; here only the data aggregator runs the in-process lease placeholder.
const daemons = ['DataAggregator'];
const launched = ['EtlServer', 'NotificationDaemon'];

describe('workforce-management lease placeholders', () => {
  test.each(daemons)('%s runs the lease placeholder: the AWS CLI image, a shell entry point, a read-only root file system with a writable /tmp', pattern => {
    const c = container(processes, pattern) as Container & { ReadonlyRootFilesystem?: boolean; MountPoints?: unknown[] };
    expect(c.Image).toBe(LEASE_PLACEHOLDER_IMAGE);
    expect(c.EntryPoint).toEqual(['sh', '-c']);
    expect(c.Command).toHaveLength(1);
    expect(c.ReadonlyRootFilesystem).toBe(true);
    // AWS CLI v2 needs a writable temporary directory: the task's ephemeral storage
    expect(c.MountPoints).toEqual([{ ContainerPath: SCRATCH_PATH, SourceVolume: 'scratch', ReadOnly: false }]);
    expect(env(c, 'HOME')).toBe(SCRATCH_PATH);
    processes.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ Name: c.Name })],
      Volumes: [{ Name: 'scratch' }],
    });
  });

  test.each(daemons)('%s: the lease alarms without data are breaching ones (heartbeats); the others treat missing data as not breaching', pattern => {
    const alarms = leaseAlarms(processes, container(processes, pattern));
    expect(alarms.filter(a => a.TreatMissingData === 'breaching').length).toBeGreaterThan(0);
    // e.g. CheckpointLag: a placeholder that processes no record publishes none, and the alarm stays OK
    for (const a of alarms.filter(x => x.TreatMissingData !== 'breaching')) expect(a.TreatMissingData).toBe('notBreaching');
  });

  test.each(daemons)('%s: the placeholder publishes every metric its lease alarms wait for, with the alarms\' dimensions, and keeps them OK', async pattern => {
    const c = container(processes, pattern);
    const table = `Leases${pattern}`;
    await db.createTable(table);
    const r = run(c, table);
    const leaseName = String(env(c, LeaseEnvironment.LEASE_NAME));
    const alarms = leaseAlarms(processes, c).filter(a => a.TreatMissingData === 'breaching');
    const emitted = () => parseEmf(r.out.join(''));
    // at least three renewals after the acquisition
    await until('renewals', () => emitted().filter(e => e.value === 1).length >= 8);
    expect(await stop(r)).toBe(0);
    const metrics = emitted();
    for (const alarm of alarms) {
      const dimensions = Object.fromEntries(alarm.Dimensions!.map(d => [d.Name, d.Name === 'TableName' ? table : String(d.Value)]));
      const data = metrics.filter(m => m.namespace === alarm.Namespace && m.metric === alarm.MetricName);
      expect({ metric: alarm.MetricName, published: data.length > 0 }).toEqual({ metric: alarm.MetricName, published: true });
      for (const m of data) expect(m.dimensions).toEqual(dimensions);
      expect({ metric: alarm.MetricName, ok: staysOk(alarm, data.map(m => m.value)) }).toEqual({ metric: alarm.MetricName, ok: true });
    }
    expect(r.err.join('')).toBe('');
    // it calls nothing its task role is not granted: UpdateItem, on its own lease item (metrics are log lines, no API call)
    expect([...new Set(fs.readFileSync(r.calls, 'utf8').trim().split('\n'))]).toEqual(['dynamodb:UpdateItem']);
    const statements = Object.values(processes.findResources('AWS::IAM::Policy'))
      .filter(p => JSON.stringify(p.Properties.Roles).includes(`${pattern}TaskDefinitionTaskRole`))
      .flatMap(p => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Condition?: unknown }>);
    expect(statements.find(s => ([] as string[]).concat(s.Action).includes('dynamodb:UpdateItem'))?.Condition)
      .toEqual({ 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [leaseName] } });
    // released on SIGTERM, so a replacement takes over at once
    const item = await db.client.send(new GetItemCommand({ TableName: table, Key: { [LeaseAttributes.KEY]: { S: leaseName } }, ConsistentRead: true }));
    expect(item.Item?.[LeaseAttributes.EXPIRES_AT]).toEqual({ N: '0' });
    expect(item.Item?.[LeaseAttributes.HOLDER]).toBeUndefined();
  });

  test.each(launched)('%s runs an unmodified placeholder behind the launcher, which holds the lease the alarms watch', pattern => {
    const defs = Object.entries(processes.findResources('AWS::ECS::TaskDefinition'))
      .filter(([id]) => id.startsWith(`${pattern}TaskDefinition`))
      .flatMap(([, r]) => r.Properties.ContainerDefinitions as Array<Container & { Essential?: boolean; EntryPoint?: string[]; DependsOn?: unknown }>);
    const c = defs.find(x => x.Name === 'Daemon')!;
    expect(c.EntryPoint?.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(c.DependsOn).toEqual([{ ContainerName: 'Launcher', Condition: 'START' }]);
    const launcher = defs.find(x => x.Name === 'Launcher')!;
    expect(launcher.Essential).toBe(true);
    // The heartbeat alarm's dimensions are the launcher's lease: the metrics the launcher publishes (EMF, TableName and LeaseName).
    const alarms = leaseAlarms(processes, launcher).filter(a => a.TreatMissingData === 'breaching');
    expect(alarms.length).toBeGreaterThan(0);
    for (const a of alarms) {
      expect(a.Dimensions!.find(d => d.Name === 'LeaseName')?.Value).toBe(env(launcher, LeaseEnvironment.LEASE_NAME));
    }
  });

  test.each(['DataAggregator'])('two placeholders of %s (a hot standby): one leads, the other stands by and takes over when the leader stops', async pattern => {
    const c = container(processes, pattern);
    const table = `LeasesTakeover${pattern}`;
    await db.createTable(table);
    const held = (r: Run) => parseEmf(r.out.join('')).filter(e => e.metric === RuntimeMetricNames.HELD).map(e => e.value);
    const leader = run(c, table);
    await until('the leader', () => held(leader).includes(1));
    const standby = run(c, table);
    await until('the standby polling', () => held(standby).length >= 3);
    expect(held(standby)).not.toContain(1);
    expect(await stop(leader)).toBe(0);
    await until('the takeover', () => held(standby).includes(1));
    expect(parseEmf(standby.out.join('')).filter(e => e.metric === RuntimeMetricNames.ACQUIRED)).toHaveLength(1);
    expect(await stop(standby)).toBe(0);
  });
});

/**
 * The launcher command a warm standby pair synthesizes (its bundle followed
 * by the health listener), run by Node.js against dynalite: the health port
 * accepts connections while the launcher waits for the lease (a standby the
 * load balancer must keep) and while it holds it, and closes when the
 * launcher exits (here on SIGTERM: the task stops).
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { LeaseMode, WarmStandbyPair } from '../../lib';
import { tcpConnect } from '../../lib/failover/data-plane';
import { createHaVpc } from '../../lib/private/network';
import { LeaseClient } from '../../lib/runtime';
import { testEnv } from '../harness';
import { until } from '../until';
import { LocalDynamoDb, startLocalDynamoDb } from './local-dynamodb';

/** A TCP port nobody listens on now. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>(r => server.close(() => r()));
  return port;
}

let db: LocalDynamoDb;
let endpoint: string;
let healthPort: number;
let commands: Record<string, string[]>;
beforeAll(async () => {
  healthPort = await freePort();
  const stack = new Stack(new App(), 'Gw', { env: testEnv() });
  new WarmStandbyPair(stack, 'Pair', {
    vpc: createHaVpc(stack, 'Vpc'), image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable'),
    command: ['sh', '-c', 'nc -lk -p 2775 -e cat'], tcpPort: 2775, leaseMode: LeaseMode.LAUNCHER, launcherHealthPort: healthPort, primaryProbe: false,
  });
  commands = {};
  for (const td of Object.values(Template.fromStack(stack).findResources('AWS::ECS::TaskDefinition'))) {
    const containers = td.Properties.ContainerDefinitions as Array<{ Name: string; Command: string[]; Environment: Array<{ Name: string; Value: string }> }>;
    const role = containers.find(c => c.Name === 'Server')!.Environment.find(e => e.Name === 'HA_SERVER_ROLE')!.Value;
    const launcher = containers.find(c => c.Name === 'Launcher')!;
    commands[role] = launcher.Command;
  }
  // After the synthesis (it blocks the event loop long enough for the server to close the client's idle connection).
  db = await startLocalDynamoDb();
  await db.createTable('Leases');
  endpoint = String(await db.client.config.endpoint!().then(e => `${e.protocol}//${e.hostname}:${e.port}`));
}, 60_000);
afterAll(async () => db.stop());

function run(command: string[], gateDir: string, failback: string): { child: ChildProcess; exit: Promise<number | null> } {
  const child = spawn(process.execPath, command, {
    env: {
      PATH: process.env.PATH,
      AWS_REGION: 'local', AWS_ENDPOINT_URL_DYNAMODB: endpoint, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x',
      HA_LEASE_TABLE_NAME: 'Leases', HA_LEASE_NAME: 'warm-standby', HA_LEASE_DURATION_MS: '4000', HA_LEASE_RENEW_INTERVAL_MS: '500',
      HA_LEASE_MAX_CLOCK_SKEW_MS: '100', HA_LAUNCHER_STOP_MARGIN_MS: '1500', HA_LAUNCHER_GATE_DIR: gateDir, HA_LAUNCHER_FAILBACK: failback,
    },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  return { child, exit: new Promise(resolve => child.on('exit', code => resolve(code))) };
}

const answers = async () => (await tcpConnect('127.0.0.1', healthPort, 500)).ok;

test('the health port answers while the launcher waits and while it holds the lease, and closes when it exits', async () => {
  expect(commands.PRIMARY[0]).toBe('-e');
  expect(commands.SECONDARY[1]).toBe(commands.PRIMARY[1]);
  expect(await answers()).toBe(false);
  // Another holds the lease: the launcher waits (a standby), and its health port answers.
  const other = new LeaseClient({ client: db.client, tableName: 'Leases', leaseName: 'warm-standby', holderId: 'other', leaseDurationMs: 4000, renewIntervalMs: 500, maxClockSkewMs: 100 });
  expect(await other.acquire()).toBe(true);
  const gate = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-gate-'));
  const launcher = run(commands.SECONDARY, gate, 'yield');
  await until('the health port', answers);
  await new Promise(r => setTimeout(r, 1000));
  expect(fs.existsSync(path.join(gate, 'held'))).toBe(false);
  expect(await answers()).toBe(true);
  // The lease is released: the launcher takes it, opens the gate, and still answers.
  await other.release();
  await until('the marker', () => fs.existsSync(path.join(gate, 'held')));
  expect(await answers()).toBe(true);
  launcher.child.kill('SIGTERM');
  expect(await launcher.exit).toBe(0);
  expect(await answers()).toBe(false);
}, 30_000);

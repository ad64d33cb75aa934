/**
 * The launcher's shipped code end to end: the bundle the constructs put in
 * the task definition (`node -e`), run by Node.js against dynalite with the
 * environment the constructs set. No AWS SDK in the bundle: it signs its
 * requests itself (dynalite does not check the signatures).
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DeleteTableCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { launcherScript } from '../../lib/lease/launcher-container';
import { until } from '../until';
import { LocalDynamoDb, startLocalDynamoDb } from './local-dynamodb';

let db: LocalDynamoDb;
let endpoint: string;
beforeAll(async () => {
  db = await startLocalDynamoDb();
  await db.createTable('Leases');
  endpoint = String(await db.client.config.endpoint!().then(e => `${e.protocol}//${e.hostname}:${e.port}`));
});
afterAll(async () => db.stop());

function run(gateDir: string, leaseName: string, extraEnv: Record<string, string> = {}): { child: ChildProcess; out: string[]; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['-e', launcherScript()], {
    env: {
      PATH: process.env.PATH,
      AWS_REGION: 'local', AWS_ENDPOINT_URL_DYNAMODB: endpoint, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x',
      HA_LEASE_TABLE_NAME: 'Leases', HA_LEASE_NAME: leaseName, HA_LEASE_DURATION_MS: '4000', HA_LEASE_RENEW_INTERVAL_MS: '500',
      HA_LEASE_MAX_CLOCK_SKEW_MS: '100', HA_LAUNCHER_STOP_MARGIN_MS: '1500', HA_LAUNCHER_GATE_DIR: gateDir, ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  child.stdout!.on('data', d => out.push(String(d)));
  child.stderr!.on('data', d => out.push(String(d)));
  return { child, out, exit: new Promise(resolve => child.on('exit', code => resolve(code))) };
}

const item = async (name: string) => (await db.client.send(new GetItemCommand({ TableName: 'Leases', Key: { pk: { S: name } }, ConsistentRead: true }))).Item;

test('the bundle takes the lease, opens the gate, publishes the lease metrics; a second launcher waits; SIGTERM releases and the second takes over', async () => {
  const dirA = fs.mkdtempSync(path.join(os.tmpdir(), 'gate-a-'));
  const dirB = fs.mkdtempSync(path.join(os.tmpdir(), 'gate-b-'));
  const a = run(dirA, 'bundle');
  await until('the first launcher\'s marker', () => fs.existsSync(path.join(dirA, 'held')));
  const b = run(dirB, 'bundle');
  await until('a renewal metric', () => a.out.join('').split('"LeaseHeartbeat":1').length > 3);
  expect(a.out.join('')).toContain('"LeaseAcquired":1');
  expect(a.out.join('')).toContain('"Namespace":"CdkHaPatterns/Lease"');
  expect(fs.existsSync(path.join(dirB, 'held'))).toBe(false);
  expect((await item('bundle'))?.fencingToken).toEqual({ N: '1' });

  a.child.kill('SIGTERM');
  expect(await a.exit).toBe(0);
  await until('the second launcher\'s marker', () => fs.existsSync(path.join(dirB, 'held')), 5_000);
  expect((await item('bundle'))?.fencingToken).toEqual({ N: '2' });

  // The second loses its table access (here: the table is gone): it exits at its deadline, before the lease lapses.
  const started = Date.now();
  await db.client.send(new DeleteTableCommand({ TableName: 'Leases' }));
  const code = await Promise.race([b.exit, new Promise(r => setTimeout(() => r('still running'), 8_000))]);
  if (code === 'still running') b.child.kill('SIGKILL');
  expect(code).toBe(1);
  expect(Date.now() - started).toBeLessThan(4000 - 100 - 1500 + 1000);
  expect(b.out.join('')).toContain('lease not renewed in time');
  await db.createTable('Leases');
}, 30_000);

test('failback in the bundle: a secondary (HA_LAUNCHER_FAILBACK=yield) gives the lease back when a primary (claim) claims it, and the primary takes it', async () => {
  const dirS = fs.mkdtempSync(path.join(os.tmpdir(), 'gate-s-'));
  const dirP = fs.mkdtempSync(path.join(os.tmpdir(), 'gate-p-'));
  const secondary = run(dirS, 'failback', { HA_LAUNCHER_FAILBACK: 'yield' });
  await until('the secondary\'s marker', () => fs.existsSync(path.join(dirS, 'held')));
  // Nobody claims: it keeps the lease over several renewals (its GetItem of the claim answers no claim).
  await new Promise(r => setTimeout(r, 1_500));
  expect(secondary.child.exitCode).toBeNull();
  const primary = run(dirP, 'failback', { HA_LAUNCHER_FAILBACK: 'claim' });
  expect(await Promise.race([secondary.exit, new Promise(r => setTimeout(() => r('still running'), 5_000))])).toBe(3);
  expect(secondary.out.join('')).toContain('gave the lease back');
  // It did not release: the primary takes the lease once it lapsed (4 s lease), then clears its claim.
  await until('the primary\'s marker', () => fs.existsSync(path.join(dirP, 'held')), 8_000);
  await until('the claim cleared', async () => (await item('failback'))?.claimant === undefined);
  expect((await item('failback'))?.fencingToken).toEqual({ N: '2' });
  primary.child.kill('SIGTERM');
  expect(await primary.exit).toBe(0);
}, 30_000);

test('fails when HA_LAUNCHER_FAILBACK has an unknown value', async () => {
  const bad = run(fs.mkdtempSync(path.join(os.tmpdir(), 'gate-x-')), 'bad', { HA_LAUNCHER_FAILBACK: 'primary' });
  expect(await bad.exit).not.toBe(0);
  expect(bad.out.join('')).toContain("HA_LAUNCHER_FAILBACK is 'primary': expected 'claim', 'yield' or unset");
});

test('the script in the task definition has no "${" (CloudFormation tooling reads it as a substitution outside Fn::Sub, cfn-lint E1029)', () => {
  const script = launcherScript();
  expect(script.length).toBeGreaterThan(1000);
  expect(script).not.toContain('${');
});

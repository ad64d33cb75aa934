/**
 * `cdk-ha-patterns report` over an app that is none of the examples: a
 * two-region web tier whose sites notify through it, an Aurora database
 * with a secondary region, a singleton daemon and one topic, synthesized to
 * a temporary cdk.out; then the command's function over that directory.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack, Stage } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import {
  ActiveSpareWebTier, AlarmRole, buildResilienceReport, Drills, FailoverNotifications, HaDatabase, PATTERN_REPORT_METADATA,
  readResilienceReport, ReportedComponent, SingletonDaemon,
} from '../../lib';
import { runCli } from '../../lib/cli/cli';
import { runProve } from '../../lib/cli/prove-command';
import { ProveOptions, prove, proveDrills, ProveVerdict } from '../../lib/prove';
import { peeredVpcs } from '../config-server/site-vpc';
import { testApp, testEnv } from '../harness';

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');

/** The user's app: one topic in a shared stack, a web tier (eu-west-1, spare in us-east-1), a global database, a singleton. */
function userApp(app: App): ActiveSpareWebTier {
  const shared = new Stack(app, 'Shared', { env: testEnv('eu-west-1') });
  const primary = new Stack(app, 'Primary', { env: testEnv('eu-west-1') });
  const spare = new Stack(app, 'Spare', { env: testEnv('us-east-1') });
  const notifications = new FailoverNotifications(shared, 'Failover', { emails: ['ops@example.com'], smsNumbers: ['+12025550123'] });
  const { primaryVpc, secondaryVpc } = peeredVpcs(primary, spare);
  const zone = route53.PublicHostedZone.fromHostedZoneAttributes(primary, 'Zone', { hostedZoneId: 'Z0123456789', zoneName: 'example.com' });
  const tier = new ActiveSpareWebTier(primary, 'Web', {
    vpc: primaryVpc, spares: [{ stack: spare, vpc: secondaryVpc }], image, activeCapacity: 2, zone, recordName: 'shop', notifications,
  });
  new HaDatabase(primary, 'Orders', {
    vpc: primaryVpc, secondary: { stack: spare, vpc: secondaryVpc }, globalClusterIdentifier: 'orders', notifications,
    recoveryTargets: { rpo: Duration.seconds(30) },
  });
  new SingletonDaemon(primary, 'Etl', { image, notifications });
  new Drills(shared, 'Drills');
  return tier;
}

/** Directories the command-line tests write (removed after them). */
const scratch: string[] = [];
afterAll(() => scratch.splice(0).forEach(dir => fs.rmSync(dir, { recursive: true, force: true })));

function scratchDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

/** Runs the command; what it printed and its exit code. */
function run(args: string[], cwd = process.cwd()): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = runCli(args, { stdout: t => { stdout += t; }, stderr: t => { stderr += t; } }, cwd);
  return { code: code as number, stdout, stderr };
}

const app = testApp();
const tier = userApp(app);
app.synth();
const outdir = app.outdir;
/** The spare site and the DNS part, under the tier's scope in the spare's stack (`Spare/PrimaryWeb<hash>/...`). */
const spareSite = tier.spares[0].node.path;
const dns = tier.dns.node.path;

function component(report: { components: ReportedComponent[] }, constructPath: string): ReportedComponent {
  const found = report.components.find(c => c.constructPath === constructPath);
  if (!found) throw new Error(`no component ${constructPath} in ${report.components.map(c => c.constructPath).join(', ')}`);
  return found;
}

describe('cdk-ha-patterns report over an app that is not an example', () => {
  test('lists every pattern of the app, in construct-tree order, as the live report does', () => {
    const read = readResilienceReport(outdir, { title: 'shop' });
    expect(spareSite).toMatch(/^Spare\/PrimaryWeb[0-9A-F]{8}\/Site$/);
    expect(read.components.map(c => `${c.pattern} ${c.constructPath}`)).toEqual([
      'ActiveSpareWebTier Primary/Web',
      'WebTierSite Primary/Web/Site',
      'HaDatabase Primary/Orders',
      'SingletonDaemon Primary/Etl',
      `WebTierSite ${spareSite}`,
      `LatencyDns ${dns}`,
    ]);
    // The records are the live report, through the cloud assembly (JSON: no undefined members).
    expect(read.components).toEqual(JSON.parse(JSON.stringify(buildResilienceReport(app).components)));
    expect(read.drills).toEqual(JSON.parse(JSON.stringify(Drills.describe(app))));
    expect(read.drills.length).toBeGreaterThan(0);
  });

  test("the database's in-region path loses nothing; its cross-region path loses up to the lag alarm's threshold", () => {
    const db = component(readResilienceReport(outdir), 'Primary/Orders');
    expect(db.rpoSeconds).toBe(30);
    const inRegion = db.paths.find(p => p.name === 'in-region-failover')!;
    const crossRegion = db.paths.find(p => p.name === 'cross-region-failover')!;
    expect(inRegion).toMatchObject({ totalSeconds: 35, dataLoss: { component: 'Aurora in-region storage', seconds: 0 } });
    // No path-specific bound: the pattern's RPO, the global replication lag alarm's threshold.
    expect(crossRegion.dataLoss).toBeUndefined();
    expect(crossRegion.totalSeconds).toBe(117);
    expect(db.dataLoss.map(d => [d.component.split(' (')[0], d.seconds])).toEqual([
      ['Aurora in-region storage', 0], ['Aurora Global Database replication', 30],
    ]);
  });

  test('the scenario matrix: a row per scenario, the path, its RTO / RPO and the analysis per component', () => {
    const { code, stdout } = run(['report', outdir, '--title', 'shop']);
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines.slice(0, 3)).toEqual(['# Resilience report', '', '## shop']);
    const header = lines.find(l => l.startsWith('| scenario |'))!;
    const columns = header.split(' | ').slice(1).map(c => c.replace(/[`| ]/g, ''));
    const row = (scenario: string) => {
      const cells = lines.find(l => l.startsWith(`| ${scenario} |`))!.split(' | ').slice(1).map(c => c.replace(/ \|$/, '').trim());
      return Object.fromEntries(columns.map((c, i) => [c, cells[i]]).filter(([, cell]) => cell));
    };
    expect(row('database-writer-loss of eu-west-1')).toEqual({ 'Primary/Orders': 'in-region-failover: 35 s / 0 s, survives' });
    expect(row('zone-loss of eu-west-1')).toEqual({
      'Primary/Web/Site': 'zone: 100 s / 0 s, survives',
      'Primary/Orders': 'in-region-failover: 35 s / 0 s, survives',
      'Primary/Etl': expect.stringMatching(/^task-failure: \d+ s \/ 0 s, survives$/),
    });
    expect(row('region-loss of eu-west-1')).toEqual({
      'Primary/Web': 'dns: 45 s / 0 s, survives<br>browser: 26 s / 0 s, survives',
      'Primary/Orders': 'cross-region-failover: 117 s / 30 s, survives',
      [dns]: 'dns: 45 s / 0 s, survives',
    });
    expect(row('task-loss of us-east-1')).toEqual({ [spareSite]: 'task: 80 s / 0 s, survives' });
  });

  test('per path: its steps, figures and data loss; the drills with their start commands', () => {
    const { stdout } = run(['report', outdir]);
    expect(stdout).toContain('- recovery path **in-region-failover** (writer instance or its zone lost): Aurora Multi-AZ failover to a reader 30 s [');
    expect(stdout).toContain('= **35 s**; fastest configurable 35 s (AWS service times only); data loss on this path: Aurora in-region storage 0 s [');
    expect(stdout).toMatch(/- recovery path \*\*cross-region-failover\*\* \(primary region lost: the probe in us-east-1 detects it and the secondary is promoted \(automatically\)\): writer probe sampling 12 s \[.*\] = \*\*117 s\*\*/);
    expect(stdout).toContain('- data-loss bound: Aurora Global Database replication (AuroraGlobalDBRPOLag alarm threshold; typical lag ~1 s) 30 s [');
    expect(stdout).toContain('\n# Drills\n\nStart each drill with its command once its stack is deployed.\n\n## ');
    expect(stdout).toMatch(/\| fis-experiment `[^`]+` \| HaDatabase \| database-writer-loss of eu-west-1 \| in-region-failover \(35 s\) \| .* \| `aws fis start-experiment --region eu-west-1 /);
  });

  test("the web tier's sites are notified through the tier; its DNS part is informational there", () => {
    const report = readResilienceReport(outdir);
    const topic = 'Shared/Failover';
    expect(component(report, 'Primary/Web').notifications).toEqual({ topic, subscribers: '1 email, 1 SMS' });
    expect(component(report, 'Primary/Web/Site')).toMatchObject({
      notifications: { topic, subscribers: '1 email, 1 SMS', through: 'Primary/Web', role: AlarmRole.FAILOVER_TRIGGER },
      notified: 'SNS Shared/Failover (1 email, 1 SMS) on ALARM and OK, through the failover alarm of Primary/Web (which its failover alarm triggers)',
    });
    expect(component(report, spareSite)).toMatchObject({
      notifications: { topic, subscribers: '1 email, 1 SMS', through: 'Primary/Web', role: AlarmRole.NOTIFYING },
      notified: 'SNS Shared/Failover (1 email, 1 SMS) on ALARM and OK, through Primary/Web (which notifies on its failover alarm)',
    });
    expect(component(report, dns)).toMatchObject({
      notifications: { through: 'Primary/Web', role: AlarmRole.INFORMATIONAL },
      notified: 'none: its failover alarm is informational in Primary/Web (dashboard only)',
    });
    const { stdout } = run(['report', outdir]);
    expect(stdout).not.toContain('no notifications configured');
  });

  test('--json: the report as data, with regions of the patterns and alarms', () => {
    const { code, stdout } = run(['report', outdir, '--json', '--title', 'shop']);
    expect(code).toBe(0);
    const json = JSON.parse(stdout);
    expect(Object.keys(json)).toEqual(['schemaVersion', 'title', 'components', 'drills']);
    expect(json).toMatchObject({ schemaVersion: 1, title: 'shop' });
    expect(json.components).toHaveLength(6);
    const site = json.components.find((c: ReportedComponent) => c.constructPath === spareSite);
    expect(site).toMatchObject({ pattern: 'WebTierSite', region: 'us-east-1', stacks: ['Spare'], rtoSeconds: 100, rpoSeconds: 0 });
    expect(site.alarms.every((a: { region: string; role: string }) => a.region === 'us-east-1' && Object.values(AlarmRole).includes(a.role as AlarmRole))).toBe(true);
    const db = json.components.find((c: ReportedComponent) => c.constructPath === 'Primary/Orders');
    expect(db.paths.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['in-region-failover', 'cross-region-failover']));
    expect(db.paths.find((p: { name: string }) => p.name === 'in-region-failover').scenarios).toEqual([
      { scenario: 'database-writer-loss of eu-west-1', path: 'in-region-failover', survives: true, brokenLinks: [] },
      { scenario: 'zone-loss of eu-west-1', path: 'in-region-failover', survives: true, brokenLinks: [] },
    ]);
    expect(new Set(db.alarms.map((a: { region: string }) => a.region))).toEqual(new Set(['eu-west-1', 'us-east-1']));
    expect(json.drills[0]).toEqual(expect.objectContaining({ kind: expect.any(String), startCommand: expect.stringMatching(/^aws /) }));
  });

  test('the records are small: no template in them', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
    const file = manifest.artifacts.Primary.additionalMetadataFile;
    const metadata = JSON.parse(fs.readFileSync(path.join(outdir, file), 'utf8')) as Record<string, Array<{ type: string; data: unknown }>>;
    const records = Object.entries(metadata).flatMap(([p, entries]) => entries.filter(e => e.type === PATTERN_REPORT_METADATA).map(e => [p, e.data] as const));
    expect(records.map(([p]) => p).sort()).toEqual(['/Primary/Etl', '/Primary/Orders', '/Primary/Web', '/Primary/Web/Site']);
    for (const [, data] of records) expect(JSON.stringify(data).length).toBeLessThan(20_000);
  });
});

describe('cdk-ha-patterns report: the command line', () => {
  test('reads ./cdk.out by default', () => {
    const cwd = scratchDir('ha-report-cwd-');
    fs.symlinkSync(outdir, path.join(cwd, 'cdk.out'));
    const { code, stdout } = run(['report'], cwd);
    expect(code).toBe(0);
    // The title defaults to the app's directory: the one holding cdk.out.
    expect(stdout).toContain(`## ${path.basename(cwd)}\n`);
  });

  test('fails when there is no cloud assembly, naming the directory and what to run (exit 1)', () => {
    const missing = path.join(os.tmpdir(), 'ha-report-missing-dir');
    const { code, stdout, stderr } = run(['report', missing]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(`cdk-ha-patterns report: no cloud assembly in ${missing} (no manifest.json): synthesize the app first (npx cdk synth), ` +
      'or name the directory it wrote (cdk.json "output", default cdk.out)\n');
  });

  test('fails when the assembly records no pattern (exit 1)', () => {
    const plain = testApp();
    new Stack(plain, 'Plain', { env: testEnv() });
    plain.synth();
    const { code, stderr } = run(['report', plain.outdir]);
    expect(code).toBe(1);
    expect(stderr).toContain(`cdk-ha-patterns report: the cloud assembly in ${plain.outdir} records no cdk-ha-patterns pattern (no 'cdk-ha-patterns:report' metadata)`);
  });

  test('fails on records of a later schema version (exit 1)', () => {
    const dir = scratchDir('ha-report-later-');
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({
      version: '1', artifacts: { S: { type: 'aws:cloudformation:stack', metadata: { '/S/P': [{ type: PATTERN_REPORT_METADATA, data: { schemaVersion: 99, order: 0 } }] } } },
    }));
    const { code, stderr } = run(['report', dir]);
    expect(code).toBe(1);
    expect(stderr).toContain('was written by a later cdk-ha-patterns (report schema 99; this version reads up to 1)');
  });

  test('fails on a record whose report could not be computed, naming its stack and the reason (exit 1)', () => {
    const dir = scratchDir('ha-report-error-');
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({
      version: '1', artifacts: { S: { type: 'aws:cloudformation:stack', additionalMetadataFile: 'S.metadata.json' } },
    }));
    fs.writeFileSync(path.join(dir, 'S.metadata.json'), JSON.stringify({
      '/S/P': [{ type: PATTERN_REPORT_METADATA, data: { schemaVersion: 1, order: 0, stackName: 'S', errorMessage: 'a step failed' } }],
    }));
    const { code, stderr } = run(['report', dir]);
    expect(code).toBe(1);
    expect(stderr).toBe(`cdk-ha-patterns report: the cloud assembly in ${dir} records a pattern of stack S whose report could not be computed: a step failed\n`);
  });

  test('reads the assemblies of stages (nested cloud assemblies)', () => {
    const staged = testApp();
    const stage = new Stage(staged, 'Prod');
    new SingletonDaemon(new Stack(stage, 'Processes', { env: testEnv() }), 'Etl', { image });
    staged.synth();
    const report = readResilienceReport(staged.outdir);
    expect(report.components.map(c => c.constructPath)).toEqual(['Prod/Processes/Etl']);
  });

  test.each([
    [['report', '--yaml'], "cdk-ha-patterns report: unknown option '--yaml'"],
    [['report', 'a', 'b'], 'cdk-ha-patterns report: one cloud assembly directory, got 2: a b'],
    [['report', '--title'], 'cdk-ha-patterns report: --title needs a value'],
    [['deploy'], "cdk-ha-patterns: unknown command 'deploy'"],
    [[], 'usage: cdk-ha-patterns <command> [options]'],
  ])('fails on a wrong command line %j (exit 2, with the usage)', (args, message) => {
    const { code, stdout, stderr } = run(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.split('\n')[0]).toBe(message);
    expect(stderr).toContain('usage: cdk-ha-patterns');
  });

  test('help prints the usage of both commands (exit 0)', () => {
    expect(run(['help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('report [<cdk.out>] [--json] [--title <name>]') });
    expect(run(['help']).stdout).toContain('prove [<cdk.out>] [--json] [--title <name>]');
    expect(run(['report', '--help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('usage: cdk-ha-patterns report') });
  });

  test('the executable entry runs the command and sets its exit code', () => {
    const main = path.join(__dirname, '..', '..', 'lib', 'cli', 'main.ts');
    expect(fs.readFileSync(main, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const tsx = require.resolve('tsx/cli');
    const ok = spawnSync(process.execPath, [tsx, main, 'report', outdir, '--json'], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).components).toHaveLength(6);
    const missing = spawnSync(process.execPath, [tsx, main, 'report', path.join(os.tmpdir(), 'ha-report-missing-dir')], { encoding: 'utf8' });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^cdk-ha-patterns report: no cloud assembly in /);
  });
});

describe('cdk-ha-patterns prove over the same cloud assembly', () => {
  /** Runs `prove` with `runner` in place of the AWS ledger; what it printed and its exit code. */
  async function runWith(args: string[], runner: (o: ProveOptions) => Promise<{ dryRun: boolean; rows: never[]; exitCode: number }>) {
    let stdout = '';
    let stderr = '';
    const code = await runProve(args, { stdout: t => { stdout += t; }, stderr: t => { stderr += t; } }, process.cwd(), runner);
    return { code, stdout, stderr };
  }

  test('the assembly records what prove reads of every drill: the same identifiers and computed figures as the app', () => {
    const recorded = readResilienceReport(outdir).proveDrills;
    expect(recorded).toEqual(JSON.parse(JSON.stringify(proveDrills(app))));
    expect(recorded.length).toBeGreaterThan(0);
    const plan = recorded.find(d => d.plan);
    expect(plan?.plan).toMatchObject({ planName: expect.stringMatching(/^[A-Za-z0-9-]+$/), region: 'us-east-1' });
    expect(recorded.find(d => d.experiment)?.experiment?.nameTag).toEqual(expect.any(String));
    // The database's cross-region drill is judged against the path the database computes.
    const db = recorded.find(d => d.description.patternPath === 'Primary/Orders' && d.plan);
    const orders = app.node.findChild('Primary').node.findChild('Orders') as HaDatabase;
    expect(db?.paths).toEqual([{ id: 'cross-region-failover', computedSeconds: orders.recoveryObjectives.path('cross-region-failover').total.toSeconds() }]);
  });

  test('without credentials it lists what it would read and exits 0', async () => {
    const { code, stdout } = await runWith([outdir], o => prove({ ...o, hasCredentials: async () => false }) as never);
    expect(code).toBe(0);
    const planName = readResilienceReport(outdir).proveDrills.find(d => d.plan)!.plan!.planName;
    expect(stdout).toContain(planName);
  });

  test('hands the recorded drills to the ledger and returns its exit code (1 when a figure is over)', async () => {
    let seen: ProveOptions | undefined;
    const { code } = await runWith([outdir, '--json', '--title', 'shop'], async o => { seen = o; return { dryRun: false, rows: [], exitCode: 1 }; });
    expect(code).toBe(1);
    expect(seen).toMatchObject({ json: true, title: 'shop' });
    expect(seen!.drills).toEqual(readResilienceReport(outdir).proveDrills);
    expect(ProveVerdict.OVER).toBe('OVER');
  });

  test('fails with a clear message on a missing assembly (exit 1) and a wrong command line (exit 2)', async () => {
    const never = async () => { throw new Error('not reached'); };
    const missing = await runWith([path.join(os.tmpdir(), 'ha-prove-missing-dir')], never);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^cdk-ha-patterns prove: no cloud assembly in /);
    const wrong = await runWith(['--fast'], never);
    expect(wrong).toMatchObject({ code: 2, stderr: expect.stringContaining("cdk-ha-patterns prove: unknown option '--fast'") });
  });
});

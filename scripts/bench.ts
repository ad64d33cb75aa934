/**
 * npm run bench [-- --skip-synth] [-- --skip-tests]
 *
 * Prints figures a later change can be compared to:
 * - synth: wall time of `cdk synth` of the default app (all examples, Lambda
 *   bundling and the built-in CloudFormation validation on), median of 3
 *   (`--skip-synth` leaves it out);
 * - construct: wall time of building and synthesizing each example in
 *   process without validation or bundling (the unit tests' path), median of 3;
 * - tests: wall time of `npm test` (once), and on Linux the CPU time it used
 *   (user + system of all its processes), which other load on the machine
 *   disturbs far less than the wall time (`--skip-tests` leaves it out).
 * The load average at the start says how busy the machine already was.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { App } from 'aws-cdk-lib';
import { EXAMPLES } from '../examples';
import { projectContext } from '../examples/project-context';

const ROOT = path.join(__dirname, '..');
const RUNS = 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return (performance.now() - t0) / 1000;
}

function row(name: string, seconds: number, detail: string): void {
  process.stdout.write(`${name.padEnd(34)} ${seconds.toFixed(2).padStart(8)} s   ${detail}\n`);
}

/**
 * CPU seconds (user + system) of the child processes this process has waited
 * for, from /proc/self/stat (Linux); undefined elsewhere.
 */
function childCpuSeconds(): number | undefined {
  if (!fs.existsSync('/proc/self/stat')) return undefined;
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  // fields 16 and 17 (cutime, cstime) in clock ticks; count from after the command name, which ends with ')'
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticksPerSecond = 100; // USER_HZ, 100 on every Linux architecture Node supports
  return (Number(fields[16 - 3]) + Number(fields[17 - 3])) / ticksPerSecond;
}

process.stdout.write(`cdk-ha-patterns bench on ${os.cpus().length} cores, node ${process.version}, ` +
  `load average ${os.loadavg().map(l => l.toFixed(2)).join(' ')}\n`);

if (!process.argv.includes('--skip-synth')) {
  const synthTimes: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ha-bench-'));
    synthTimes.push(time(() => execFileSync('npx', ['cdk', 'synth', '-q', '--output', out], { cwd: ROOT, stdio: 'ignore' })));
  }
  row('synth (cdk synth, default app)', median(synthTimes), `median of ${RUNS}: ${synthTimes.map(t => t.toFixed(1)).join(', ')}`);
}

for (const example of EXAMPLES) {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    times.push(time(() => {
      const app = new App({
        outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'ha-bench-')),
        builtinCloudFormationValidation: false,
        context: { ...projectContext(), 'aws:cdk:bundling-stacks': [] },
      });
      example.build(app);
      app.synth();
    }));
  }
  row(`construct+synth ${example.name}`, median(times), `median of ${RUNS}, in process, no validation/bundling`);
}

if (!process.argv.includes('--skip-tests')) {
  const cpuBefore = childCpuSeconds();
  const t = time(() => execFileSync('npm', ['test', '--silent'], { cwd: ROOT, stdio: 'ignore' }));
  const cpuAfter = childCpuSeconds();
  const cpu = cpuBefore === undefined || cpuAfter === undefined ? '' : `, ${(cpuAfter - cpuBefore).toFixed(0)} s CPU`;
  row('tests (npm test)', t, `once, --maxWorkers=2${cpu}`);
}

/**
 * npm run mutate [-- <chunk> ...] [-- --summary-only]
 *
 * Runs StrykerJS over the code that decides failover, one chunk of the scope
 * after another (stryker.config.mjs: handlers, runtime, lib/core in three, constructs),
 * each incrementally against its own reports/mutation/<chunk>/ files, then
 * adds the chunks' JSON reports up: per chunk and in total, the mutation
 * score (killed + timed out, of the mutants that compiled and ran) and each
 * survivor, marked when test/mutation/equivalent-mutants.md explains it.
 * Writes reports/mutation/summary.md. With chunk names, runs only those
 * (the summary still adds every chunk's last report); `--summary-only` runs
 * none. `--recheck` runs none either: it reruns, for each survivor the list
 * says a later test kills, the test files its row names with the mutant
 * applied, and the summary counts the ones they kill
 * (reports/mutation/recheck.json keeps the results until the source or the
 * tests change).
 */
import { execFileSync, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const CHUNKS = ['handlers', 'runtime', 'core-paths', 'core-patterns', 'core-report', 'prove', 'constructs'];
const EQUIVALENTS = path.join(ROOT, 'test', 'mutation', 'equivalent-mutants.md');
const RECHECKS = path.join(ROOT, 'reports', 'mutation', 'recheck.json');

type Position = { readonly line: number; readonly column: number };
interface Mutant {
  readonly id: string;
  readonly mutatorName: string;
  readonly replacement?: string;
  readonly status: string;
  readonly statusReason?: string;
  readonly location: { readonly start: Position; readonly end: Position };
}
interface Report {
  readonly files: Record<string, { readonly source: string; readonly mutants: Mutant[] }>;
}

/** A survivor as the equivalent-mutant list names it: `path:line mutator`. */
export function survivorKey(file: string, m: Mutant): string {
  return `${file}:${m.location.start.line} ${m.mutatorName}`;
}

/**
 * The survivors `test/mutation/equivalent-mutants.md` explains: table rows
 * `| path:line | mutator | reason |`. The mutator cell may name the
 * replacement too, as a code span (`` ConditionalExpression `false` ``, or
 * with more backticks when the replacement has one): the row then covers only
 * that mutant of the line, not the mutator's others.
 */
export function listedEquivalents(markdown: string): Map<string, string> {
  return new Map(equivalentRows(markdown).map(r => [r.key, r.reason]));
}

/** The table rows of the list, in order: key (`path:line mutator`, maybe with `` `replacement` ``) and reason. */
function equivalentRows(markdown: string): Array<{ key: string; reason: string }> {
  const rows: Array<{ key: string; reason: string }> = [];
  for (const line of markdown.split('\n')) {
    const cells = line.split('|').map(c => c.trim());
    if (cells.length >= 5 && /^`?[\w./-]+:\d+`?$/.test(cells[1])) {
      const [, mutator, , replacement] = /^(\w+)(?:\s+(`+) ?(.*?) ?\2)?$/.exec(cells[2]) ?? [undefined, cells[2].replace(/`/g, '')];
      rows.push({ key: `${cells[1].replace(/`/g, '')} ${mutator}${replacement === undefined ? '' : ` \`${replacement}\``}`, reason: cells[3] });
    }
  }
  return rows;
}

/** Whether the list's reason says a test kills the mutant (it is no equivalent). */
export function claimsKilled(reason: string | undefined): boolean {
  return reason !== undefined && /^not equivalent\b/.test(reason);
}

/**
 * The test files that kill each mutant the list says a later test kills: the
 * `test/...test.ts` paths its reason names in backticks, or, when it names
 * none ("as above"), the previous such row's.
 */
export function killingTests(markdown: string): Map<string, string[]> {
  const tests = new Map<string, string[]>();
  let previous: string[] = [];
  for (const { key, reason } of equivalentRows(markdown)) {
    if (!claimsKilled(reason)) continue;
    const named = [...reason.matchAll(/`(test\/[\w./-]+\.test\.ts)`/g)].map(m => m[1]);
    previous = named.length > 0 ? [...new Set(named)] : previous;
    tests.set(key, previous);
  }
  return tests;
}

/** The list's reason for a mutant: its replacement's row, else its mutator's row on the line. */
export function listedReason<T>(listed: Map<string, T>, file: string, m: Mutant): T | undefined {
  const key = survivorKey(file, m);
  return listed.get(`${key} \`${m.replacement ?? ''}\``) ?? listed.get(key);
}

interface Tally { killed: number; killedAtSetup: number; survived: number; noCoverage: number; other: number; rechecked: number }

/** Errors of a program that is wrong rather than of an architecture rejected: not counted as kills. */
const PROGRAMMING_ERROR = /\b(TypeError|ReferenceError|SyntaxError|RangeError): /;
/** A stack frame of the library, of aws-cdk-lib or of constructs (aws-cdk-lib shortens its own frames to `...X in aws-cdk-lib...`). */
const BUILDING_FRAME = /\/lib\/[\w./-]+\.ts:\d+|\/node_modules\/(aws-cdk-lib|constructs)\/| in aws-cdk-lib\.\.\./;

/**
 * A mutant the tests caught while building their stacks, outside any test
 * (a describe block synthesizes, and the mutated library rejects the
 * architecture it builds): Jest fails the file before its tests run and
 * Stryker calls that a runtime error, which it does not count. The tests did
 * fail, so it is a kill. Only an architecture rejected counts: synthesis'
 * validation, an `HaValidationError`, or an error the library, aws-cdk-lib
 * or constructs threw while building the tree (a duplicate id, an invalid
 * IAM action, a cross-environment reference); not a TypeError and the like
 * (the mutant broke the program), not a crashed runner (no stack).
 */
export function isSetupKill(m: { status: string; statusReason?: string }): boolean {
  if (m.status !== 'RuntimeError') return false;
  const reason = m.statusReason ?? '';
  if (/^(Validation failed with the following errors:|HaValidationError: |.*: invalid prop ')/.test(reason)) return true;
  const stack = reason.search(/\n\s+(at |\.\.\.)/);
  if (stack < 0) return false;
  const firstFrame = reason.slice(stack).split('\n')[1];
  return !PROGRAMMING_ERROR.test(reason.slice(0, stack)) && BUILDING_FRAME.test(firstFrame);
}

/**
 * Detected (killed, timed out or killed at setup) of the mutants that ran or had no test (compile
 * and other runtime errors, ignored: not counted); with `withRechecked`, the survivors a later
 * test killed on recheck count as detected too.
 */
export function score(t: Omit<Tally, 'rechecked'> & { readonly rechecked?: number }, withRechecked = false): number {
  const detected = t.killed + t.killedAtSetup + (withRechecked ? t.rechecked ?? 0 : 0);
  const valid = t.killed + t.killedAtSetup + t.survived + t.noCoverage;
  return valid === 0 ? 100 : (100 * detected) / valid;
}

/**
 * A timed-out mutant the equivalent-mutant list explains as equivalent (its reason does not
 * begin "not equivalent"): it timed out because the machine was busy, not because a test
 * caught it, so it counts as a survivor (explained), not as a kill.
 */
export function isEquivalentTimeout(m: { status: string }, reason: string | undefined): boolean {
  return m.status === 'Timeout' && reason !== undefined && !claimsKilled(reason);
}

/** A survivor of a chunk's last run, with what the list and the rechecks say of it. */
interface Survivor {
  readonly file: string;
  readonly mutant: Mutant;
  readonly source: string;
  readonly reason?: string;
  readonly equivalentTimeout: boolean;
}

function tally(report: Report, listed: Map<string, string>, survivors: Survivor[]): Tally {
  const t: Tally = { killed: 0, killedAtSetup: 0, survived: 0, noCoverage: 0, other: 0, rechecked: 0 };
  for (const [file, { source, mutants }] of Object.entries(report.files)) {
    for (const m of mutants) {
      const reason = listedReason(listed, file, m);
      const equivalentTimeout = isEquivalentTimeout(m, reason);
      if (m.status === 'Killed' || (m.status === 'Timeout' && !equivalentTimeout)) t.killed++;
      else if (isSetupKill(m)) t.killedAtSetup++;
      else if (m.status === 'Survived' || m.status === 'NoCoverage' || equivalentTimeout) {
        if (m.status === 'NoCoverage') t.noCoverage++; else t.survived++;
        survivors.push({ file, mutant: m, source, reason, equivalentTimeout });
      } else t.other++;
    }
  }
  return t;
}

/** A recheck's result, valid while the mutated file, the test files and the mutant are the same (`fingerprint`). */
interface Recheck { readonly mutant: string; readonly tests: string[]; readonly killed: boolean }

/** The source with the mutant applied (positions 1-based, as tested mutants give them). */
export function applyMutant(source: string, m: { replacement?: string; location: { start: Position; end: Position } }): string {
  const lines = source.split('\n');
  const offset = (p: Position) => lines.slice(0, p.line - 1).reduce((n, l) => n + l.length + 1, 0) + p.column - 1;
  return source.slice(0, offset(m.location.start)) + (m.replacement ?? '') + source.slice(offset(m.location.end));
}

/**
 * A survivor's recheck, when the list claims a later test kills it and names the test files:
 * those files, and the fingerprint of the mutant, its file and the tests its result holds for.
 */
function recheckPlan(s: Survivor, killing: Map<string, string[]>): { tests: string[]; fingerprint: string } | undefined {
  const tests = claimsKilled(s.reason) ? listedReason(killing, s.file, s.mutant) ?? [] : [];
  if (tests.length === 0) return undefined;
  const hash = createHash('sha256').update(mutantKey(s.file, s.mutant)).update(s.source);
  for (const t of tests) hash.update(t).update(fs.readFileSync(path.join(ROOT, t)));
  return { tests, fingerprint: hash.digest('hex') };
}

/** A mutated run longer than this is a kill, as Stryker counts a timeout (an endless loop): 5 minutes, far above any unit test file's run. */
const RECHECK_TIMEOUT_MS = 5 * 60_000;

function jest(tests: string[]): boolean {
  // Jest itself, in band: the only process, so the timeout's SIGKILL leaves nothing running (through npx, the kill would reach npx alone).
  const r = spawnSync(process.execPath, [require.resolve('jest/bin/jest', { paths: [ROOT] }), '--silent', '--ci', '--runInBand', ...tests],
    { cwd: ROOT, stdio: 'ignore', timeout: RECHECK_TIMEOUT_MS, killSignal: 'SIGKILL' });
  return r.status === 0;
}

/**
 * Reruns the test files each "killed by a later test" survivor's row names, with the mutant
 * applied to the file (restored afterwards, also on Ctrl-C), and records whether they fail: a
 * failure or a timeout is a kill. Results whose fingerprint still matches are reused.
 */
function recheck(survivors: Survivor[], killing: Map<string, string[]>, done: Record<string, Recheck>): void {
  const due = survivors.flatMap(s => {
    const plan = recheckPlan(s, killing);
    return plan && !done[plan.fingerprint] ? [{ s, t: plan.tests, f: plan.fingerprint }] : [];
  });
  if (due.length === 0) return;
  const all = [...new Set(due.flatMap(d => d.t))];
  if (!jest(all)) throw new Error(`the tests the list names fail without any mutant: ${all.join(' ')}`);
  for (const [i, { s, t, f }] of due.entries()) {
    const file = path.join(ROOT, s.file);
    // A finished run's report carries the source it mutated: once the file has changed, its positions mean nothing (and restoring would undo the change).
    if (fs.readFileSync(file, 'utf8') !== s.source) {
      process.stdout.write(`${i + 1}/${due.length} ${s.file}:${s.mutant.location.start.line} ${s.mutant.mutatorName} -> not rechecked: the file changed since its run\n`);
      continue;
    }
    const restore = () => fs.writeFileSync(file, s.source);
    const interrupted = () => { restore(); process.exit(130); };
    process.once('SIGINT', interrupted);
    fs.writeFileSync(file, applyMutant(s.source, s.mutant));
    try {
      done[f] = { mutant: mutantKey(s.file, s.mutant), tests: t, killed: !jest(t) };
    } finally {
      restore();
      process.removeListener('SIGINT', interrupted);
    }
    process.stdout.write(`${i + 1}/${due.length} ${s.file}:${s.mutant.location.start.line} ${s.mutant.mutatorName} -> ${done[f].killed ? 'killed' : 'SURVIVED'} (${t.join(' ')})\n`);
    fs.writeFileSync(RECHECKS, JSON.stringify(done, null, 1));
  }
}

/** The summary's row of a survivor; a claimed kill the recheck saw survive is not explained. */
export function survivorRow(s: Survivor, recheck: Recheck | undefined): string {
  const m = s.mutant;
  const code = (s.source.split('\n')[m.location.start.line - 1] ?? '').trim().slice(0, 90).replace(/\|/g, '\\|');
  const replacement = (m.replacement ?? '').slice(0, 40).replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const why = recheck?.killed === false ? `**not explained**: the list says a test kills it, but ${recheck.tests.join(', ')} passed with it applied`
    : recheck?.killed ? `killed on recheck by ${recheck.tests.join(', ')}`
      : s.reason ? `explained${claimsKilled(s.reason) ? ' (a claimed kill, not rechecked: npm run mutate -- --recheck)' : ''}: ${s.reason}` : '**not explained**';
  return `| \`${s.file}:${m.location.start.line}\` | ${m.mutatorName} | ${s.equivalentTimeout ? 'Timeout (equivalent)' : m.status} | \`${code}\` → \`${replacement}\` | ${why} |`;
}

/** A mutant's identity across runs (ids are per run): file, span (1-based, as tested mutants give it), mutator and replacement. */
function mutantKey(file: string, m: { mutatorName: string; replacement?: string; location: { start: Position; end: Position } }, zeroBased = false): string {
  const at = (p: Position) => zeroBased ? `${p.line + 1}:${p.column + 1}` : `${p.line}:${p.column}`;
  return `${file}:${at(m.location.start)}-${at(m.location.end)} ${m.mutatorName} ${m.replacement ?? ''}`;
}

/** The path from lib/ on of a file a run named absolutely (maybe in another worktree). */
function fromLib(fileName: string): string {
  return path.isAbsolute(fileName) ? fileName.slice(fileName.lastIndexOf('/lib/') + 1) : fileName;
}

/**
 * A chunk's last run: its JSON report when the run finished; else, when it was stopped, the
 * mutants its event recorder saw tested (`partial` says how many of how many). A stopped run
 * may be continued by runs over the rest of the chunk (`stryker run --mutate <file:lines>`),
 * whose events are kept beside it as `events-<n>`: the mutants of all of them count, a later
 * run's result replacing an earlier one's for the same mutant, and when together they tested
 * every mutant the first run planned, the chunk counts as measured in full (`runs`).
 */
export function lastRun(dir: string): { report: Report; partial?: string; runs?: number } | undefined {
  const json = path.join(dir, 'mutation.json');
  const events = path.join(dir, 'events');
  const finished = fs.existsSync(json) ? fs.statSync(json).mtimeMs : -1;
  const started = fs.existsSync(events) ? fs.statSync(events).mtimeMs : -1;
  if (finished >= 0 && finished >= started) return { report: JSON.parse(fs.readFileSync(json, 'utf8')) as Report };
  if (started < 0) return undefined;
  const dirs = [events, ...fs.readdirSync(dir).filter(n => /^events-\d+$/.test(n))
    .sort((a, b) => Number(a.slice(7)) - Number(b.slice(7))).map(n => path.join(dir, n))];
  const read = (d: string, name: string) => JSON.parse(fs.readFileSync(path.join(d, name), 'utf8'));
  const firstNames = fs.readdirSync(events);
  const plan = firstNames.find(n => n.endsWith('-onMutationTestingPlanReady.json'));
  // The plan gives positions 0-based, tested mutants 1-based.
  const planned = plan ? new Set((read(events, plan).mutantPlans as Array<{ mutant: Mutant & { fileName: string; location: { end: Position } } }>)
    .map(p => mutantKey(fromLib(p.mutant.fileName), p.mutant, true))) : undefined;
  const tested = new Map<string, { file: string; mutant: Mutant }>();
  for (const d of dirs) {
    for (const name of fs.readdirSync(d).sort().filter(n => n.endsWith('-onMutantTested.json'))) {
      const m = read(d, name) as Mutant & { fileName: string; location: { end: Position } };
      const file = fromLib(m.fileName);
      tested.set(mutantKey(file, m), { file, mutant: m });
    }
  }
  const files: Record<string, { source: string; mutants: Mutant[] }> = {};
  for (const { file, mutant } of tested.values()) {
    files[file] ??= { source: fs.existsSync(path.join(ROOT, file)) ? fs.readFileSync(path.join(ROOT, file), 'utf8') : '', mutants: [] };
    files[file].mutants.push(mutant);
  }
  const done = planned ? [...planned].filter(k => tested.has(k)).length : tested.size;
  if (planned && done === planned.size) return { report: { files }, runs: dirs.length };
  return { report: { files }, partial: `${done} of ${planned?.size ?? '?'} mutants${dirs.length > 1 ? ` in ${dirs.length} runs` : ''}` };
}

function main(): void {
  const args = process.argv.slice(2);
  const summaryOnly = args.includes('--summary-only') || args.includes('--recheck');
  const wanted = args.filter(a => !a.startsWith('--'));
  const unknown = wanted.filter(c => !CHUNKS.includes(c));
  if (unknown.length > 0) throw new Error(`unknown chunk(s) ${unknown.join(', ')}: expected ${CHUNKS.join(', ')}`);
  if (!summaryOnly) {
    for (const chunk of wanted.length > 0 ? wanted : CHUNKS) {
      process.stdout.write(`\n== stryker: ${chunk}\n`);
      execFileSync('npx', ['stryker', 'run'], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, MUTATE_CHUNK: chunk } });
    }
  }
  const markdown = fs.existsSync(EQUIVALENTS) ? fs.readFileSync(EQUIVALENTS, 'utf8') : '';
  const listed = listedEquivalents(markdown);
  const tests = killingTests(markdown);
  const chunks = CHUNKS.map(chunk => {
    const run = lastRun(path.join(ROOT, 'reports', 'mutation', chunk));
    const survivors: Survivor[] = [];
    return { chunk, run, survivors, t: run ? tally(run.report, listed, survivors) : undefined };
  });
  fs.mkdirSync(path.join(ROOT, 'reports', 'mutation'), { recursive: true });
  const done: Record<string, Recheck> = fs.existsSync(RECHECKS) ? JSON.parse(fs.readFileSync(RECHECKS, 'utf8')) : {};
  if (args.includes('--recheck')) recheck(chunks.flatMap(c => c.survivors), tests, done);
  const recheckOf = (s: Survivor) => {
    const plan = recheckPlan(s, tests);
    return plan ? done[plan.fingerprint] : undefined;
  };
  const rows: string[] = [];
  const survivorRows: string[] = [];
  const total: Tally = { killed: 0, killedAtSetup: 0, survived: 0, noCoverage: 0, other: 0, rechecked: 0 };
  for (const { chunk, run, survivors, t } of chunks) {
    if (!run || !t) {
      rows.push(`| ${chunk} | not run | | | | | | | |`);
      continue;
    }
    for (const s of survivors) {
      const r = recheckOf(s);
      if (r?.killed) t.rechecked++;
      survivorRows.push(survivorRow(s, r));
    }
    (Object.keys(total) as Array<keyof Tally>).forEach(k => { total[k] += t[k]; });
    const how = run.partial ? ` (stopped: ${run.partial})` : run.runs && run.runs > 1 ? ` (in ${run.runs} runs)` : '';
    rows.push(`| ${chunk}${how} | ${score(t).toFixed(1)} % | ${score(t, true).toFixed(1)} % | ${t.killed} | ${t.killedAtSetup} | ${t.survived} | ${t.noCoverage} | ${t.rechecked} | ${t.other} |`);
  }
  const unexplained = survivorRows.filter(r => r.includes('| **not explained**')).length;
  const unchecked = survivorRows.filter(r => r.includes('| explained (a claimed kill, not rechecked')).length;
  const summary = [
    '# Mutation score (npm run mutate)', '',
    '| chunk | score | with the rechecked kills | killed or timed out | killed at setup (synthesis failed) | survived | no coverage | of the survivors, killed by a later test (rechecked) | not counted (compile/other runtime error, ignored) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    `| **total** | **${score(total).toFixed(1)} %** | **${score(total, true).toFixed(1)} %** | ${total.killed} | ${total.killedAtSetup} | ${total.survived} | ${total.noCoverage} | ${total.rechecked} | ${total.other} |`, '',
    `Survivors: ${survivorRows.length}, of which ${survivorRows.length - unexplained} explained in test/mutation/equivalent-mutants.md ` +
      `(${total.rechecked} killed by a later test on recheck, ${unchecked} claimed kills not rechecked) and ${unexplained} not explained.`, '',
    '| mutant | mutator | status | code → replacement | why it lives |', '|---|---|---|---|---|',
    ...survivorRows, '',
  ].join('\n');
  fs.writeFileSync(path.join(ROOT, 'reports', 'mutation', 'summary.md'), summary);
  process.stdout.write(`\n${summary.split('\n').slice(0, rows.length + 6).join('\n')}\n(reports/mutation/summary.md)\n`);
}

if (require.main === module) main();

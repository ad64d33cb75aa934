/**
 * Test harness: apps with the project's context (availability zones, feature
 * flags), validation on or off, and the gates (cdk-nag AwsSolutions, the
 * built-in CloudFormation validation with default rules, optionally the AWS
 * Guard rules) over an app.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Environment, IPolicyValidationContextBeta1, IPolicyValidationPluginBeta1, PolicyValidationPluginReportBeta1, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { projectContext } from '../examples/project-context';
import { HaErrors, RegionSwitchPlan } from '../lib';

/** The account the tests and examples synthesize for. */
export const TEST_ACCOUNT = '123456789012';

/** `{ account, region }` of the test account. */
export function testEnv(region = 'eu-west-1'): Environment {
  return { account: TEST_ACCOUNT, region };
}

export { projectContext } from '../examples/project-context';

export interface TestAppOptions {
  /**
   * Run the built-in CloudFormation validation with default rules (slow: about 2 s).
   * @default false
   */
  readonly validation?: boolean;
  /**
   * Bundle Lambda handlers with esbuild.
   * @default false
   */
  readonly bundling?: boolean;
  /** Extra context. */
  readonly context?: Record<string, unknown>;
}

/** The cloud assemblies of this test file's apps: removed after its tests (a full run makes a few thousand). */
const outdirs: string[] = [];
if (typeof afterAll === 'function') {
  afterAll(() => {
    for (const dir of outdirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });
}

/** An app with the project's context; validation and bundling off unless asked. */
export function testApp(options: TestAppOptions = {}): App {
  const context: Record<string, unknown> = { ...projectContext(), ...options.context };
  if (!options.bundling) context['aws:cdk:bundling-stacks'] = [];
  context['@aws-cdk/core:validateAgainstDefaultRules'] = !!options.validation;
  // No stack traces in the construct metadata (every L1's creation stack, every metadata entry's):
  // nothing here reads them, and capturing them through Jest's source maps was about an eighth of
  // a construct test's CPU time.
  context['aws:cdk:disable-stack-trace'] = true;
  context['aws:cdk:disable-creation-stack-traces'] = true;
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-ha-test-'));
  outdirs.push(outdir);
  return new App({
    outdir,
    builtinCloudFormationValidation: !!options.validation,
    context,
  });
}

/** The plugin name of the AWS Guard rules (`CfnGuardValidator`) in findings. */
export const GUARD_PLUGIN = 'cdk-validator-cfnguard';

/** The Control Tower rule files `CfnGuardValidator` runs by default. */
export const GUARD_RULES_DIR = path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')), 'rules', 'control-tower', 'cfn-guard');

/** A Guard rule file and the resource types it names (`AWS::S3::Bucket`). */
export interface GuardRuleFile {
  readonly file: string;
  readonly types: ReadonlySet<string>;
}

let guardRuleFiles: GuardRuleFile[] | undefined;

/** Every rule file of `GUARD_RULES_DIR` with the resource types it names. */
export function listGuardRuleFiles(): GuardRuleFile[] {
  guardRuleFiles ??= (fs.readdirSync(GUARD_RULES_DIR, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter(d => d.isFile() && d.name.endsWith('.guard'))
    .map(d => path.join(d.parentPath, d.name))
    .sort()
    .map(file => ({ file, types: new Set(fs.readFileSync(file, 'utf8').match(/AWS::[A-Za-z0-9]+::[A-Za-z0-9]+/g) ?? []) }));
  return guardRuleFiles;
}

/** The rule files that name at least one of `types`: the only ones that can select a resource of templates with those types. */
export function guardRulesFor(types: ReadonlySet<string>): string[] {
  return listGuardRuleFiles().filter(r => [...r.types].some(t => types.has(t))).map(r => r.file);
}

/**
 * `CfnGuardValidator` (the AWS Guard rules, Control Tower proactive controls)
 * run over the rule files that can find something in the templates: each
 * rule selects resources by type (`Resources.*[ Type == %S3_BUCKET_TYPE ]`,
 * the type a literal of its file), so a file that names none of the
 * templates' types has nothing to check, and cfn-guard spends more than half
 * its time parsing such files. test/harness.test.ts checks that every rule
 * file selects resources by type only, and that the findings are those of
 * the full set. Reported under the plugin's own name, so acknowledgements
 * (`cdk-validator-cfnguard::<rule>`) apply unchanged.
 */
export class TypeScopedGuardValidator implements IPolicyValidationPluginBeta1 {
  public readonly name = GUARD_PLUGIN;
  public readonly version: string = require('@cdklabs/cdk-validator-cfnguard/package.json').version;

  public validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const types = new Set<string>();
    for (const template of context.templatePaths) {
      const resources = (JSON.parse(fs.readFileSync(template, 'utf8')) as { Resources?: Record<string, { Type: string }> }).Resources ?? {};
      for (const r of Object.values(resources)) types.add(r.Type);
    }
    const rules = guardRulesFor(types);
    if (rules.length === 0) return { success: true, violations: [] };
    return new CfnGuardValidator({ controlTowerRulesEnabled: false, rules }).validate(context);
  }
}

/** One unacknowledged finding of a gate. */
export interface Finding {
  readonly plugin: string;
  readonly rule: string;
  readonly description: string;
  readonly constructPath: string;
}

/** One finding that an acknowledgement (`Validations.of(scope).acknowledge`) suppressed. */
export interface AcknowledgedFinding extends Finding {
  /** The id the acknowledgement named, such as `cdk-validator-cfnguard::sqs_dlq_check`. */
  readonly acknowledgedId: string;
  /** The path of the construct the acknowledgement was made on. */
  readonly acknowledgedAt: string;
  /** The reason the acknowledgement gave. */
  readonly reason: string;
}

/** What the validation plugins reported over one synthesis of an app. */
export interface GateReport {
  /** Unacknowledged findings of every plugin (errors; warnings and infos left out). */
  readonly findings: Finding[];
  /** Unacknowledged warnings and infos of every plugin (a value outside a schema's enum, for one). */
  readonly warnings: Finding[];
  /**
   * Findings that aws-cdk-lib suppressed by an acknowledgement (same severities).
   * cdk-nag applies acknowledgements itself and reports none of its own here.
   */
  readonly acknowledged: AcknowledgedFinding[];
}

/**
 * Adds cdk-nag's AwsSolutions pack to `app`, synthesizes it, and returns
 * the unacknowledged findings of every validation plugin (the built-in
 * CloudFormation validation included when the app has it on).
 * Call on an app made with `testApp({ validation: true })` for both gates;
 * `guard: true` adds the AWS Guard rules of `@cdklabs/cdk-validator-cfnguard`.
 */
export function gateFindings(app: App, options: { guard?: boolean } = {}): Finding[] {
  return gateReport(app, options).findings;
}

/**
 * Like `gateFindings`, and also returns the findings that acknowledgements
 * suppressed, so one synthesis answers both "what is left" and "what was
 * acknowledged". The cloud assembly stays in `app.outdir` (its templates are
 * written before validation runs, so they are there even when a gate fails).
 */
export function gateReport(app: App, options: { guard?: boolean } = {}): GateReport {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  // AWS Guard rules (Control Tower proactive controls); the plugin ships its own cfn-guard binary.
  if (options.guard) Validations.of(app).addPlugins(new TypeScopedGuardValidator());
  const quiet = muteConsole();
  const reportPath = path.join(app.outdir, 'validation-report.json');
  try {
    app.synth();
  } catch (e) {
    if (!fs.existsSync(reportPath)) throw e;
  } finally {
    quiet.restore();
  }
  // Read the report even when synthesis succeeded: once any rule of a plugin
  // is acknowledged, aws-cdk-lib 2.276 marks that plugin's report a success
  // (and does not fail synthesis) although unacknowledged violations remain
  // in it. Acknowledged violations are not among `violations`; aws-cdk-lib
  // lists them under `suppressedViolations`, with the acknowledgement.
  if (!fs.existsSync(reportPath)) return { findings: [], warnings: [], acknowledged: [] };
  const report = JSON.parse(fs.readFileSync(reportPath, 'utf8')) as ValidationReport;
  return {
    findings: report.pluginReports.flatMap(p => findingsOf(p.pluginName, p.violations)),
    warnings: report.pluginReports.flatMap(p => findingsOf(p.pluginName, p.violations, v => !isError(v))),
    acknowledged: report.pluginReports.flatMap(p => (p.suppressedViolations ?? [])
      .flatMap(v => findingsOf(p.pluginName, [v]).map(f => ({
        ...f, acknowledgedId: v.acknowledgedId, acknowledgedAt: v.acknowledgedAt ?? '', reason: v.reason ?? '',
      })))),
  };
}

function isError(v: ReportedViolation): boolean {
  return v.severity !== 'warning' && v.severity !== 'info';
}

function findingsOf(plugin: string, violations: ReportedViolation[], keep: (v: ReportedViolation) => boolean = isError): Finding[] {
  return violations.filter(keep).flatMap(v => v.violatingConstructs.map(c => ({
    plugin,
    rule: v.ruleName,
    description: v.description,
    constructPath: c.constructPath,
  })));
}

/** Formats findings one per line, for a readable assertion failure. */
export function formatFindings(findings: Finding[]): string[] {
  return findings.map(f => `${f.plugin} ${f.rule} at ${f.constructPath}: ${f.description}`);
}

/** The parts of aws-cdk-lib's validation-report.json the gates read. */
interface ValidationReport {
  pluginReports: Array<{
    pluginName: string;
    violations: ReportedViolation[];
    suppressedViolations?: Array<ReportedViolation & { acknowledgedId: string; acknowledgedAt?: string; reason?: string }>;
  }>;
}

interface ReportedViolation {
  ruleName: string;
  description: string;
  severity?: string;
  violatingConstructs: Array<{ constructPath: string }>;
}

/** Validation plugins print their whole report; the assertion prints what matters. */
function muteConsole(): { restore(): void } {
  const saved = { error: console.error, log: console.log, warn: console.warn };
  console.error = console.log = console.warn = () => undefined;
  return { restore: () => Object.assign(console, saved) };
}

/**
 * Takes every statement allowing `action` out of `plan`'s role policy (an
 * escape hatch, as a user could), so the failure analysis must find the call
 * the plan can no longer make.
 */
export function revokeFromPlanRole(plan: RegionSwitchPlan, action: string): void {
  const policy = plan.node.findChild('Policy').node.defaultChild as iam.CfnPolicy;
  const document = Stack.of(plan).resolve(policy.policyDocument) as { Statement: Array<{ Action: string | string[] }> };
  policy.addPropertyOverride('PolicyDocument.Statement', document.Statement.filter(st => !([] as string[]).concat(st.Action).includes(action)));
}

/** Expects `build` to throw an HaValidationError whose message matches `message`. */
export function expectHaValidationError(build: () => unknown, message: RegExp): void {
  let error: unknown;
  try {
    build();
  } catch (e) {
    error = e;
  }
  expect(HaErrors.isHaValidationError(error)).toBe(true);
  expect((error as Error).message).toMatch(message);
}

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
import { App, Environment, Stack, Validations } from 'aws-cdk-lib';
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

/** An app with the project's context; validation and bundling off unless asked. */
export function testApp(options: TestAppOptions = {}): App {
  const context: Record<string, unknown> = { ...projectContext(), ...options.context };
  if (!options.bundling) context['aws:cdk:bundling-stacks'] = [];
  context['@aws-cdk/core:validateAgainstDefaultRules'] = !!options.validation;
  return new App({
    outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-ha-test-')),
    builtinCloudFormationValidation: !!options.validation,
    context,
  });
}

/** The plugin name of the AWS Guard rules (`CfnGuardValidator`) in findings. */
export const GUARD_PLUGIN = 'cdk-validator-cfnguard';

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
  if (options.guard) Validations.of(app).addPlugins(new CfnGuardValidator());
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
  if (!fs.existsSync(reportPath)) return { findings: [], acknowledged: [] };
  const report = JSON.parse(fs.readFileSync(reportPath, 'utf8')) as ValidationReport;
  return {
    findings: report.pluginReports.flatMap(p => findingsOf(p.pluginName, p.violations)),
    acknowledged: report.pluginReports.flatMap(p => (p.suppressedViolations ?? [])
      .flatMap(v => findingsOf(p.pluginName, [v]).map(f => ({
        ...f, acknowledgedId: v.acknowledgedId, acknowledgedAt: v.acknowledgedAt ?? '', reason: v.reason ?? '',
      })))),
  };
}

function isError(v: ReportedViolation): boolean {
  return v.severity !== 'warning' && v.severity !== 'info';
}

function findingsOf(plugin: string, violations: ReportedViolation[]): Finding[] {
  return violations.filter(isError).flatMap(v => v.violatingConstructs.map(c => ({
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

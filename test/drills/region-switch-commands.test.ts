/**
 * Every Region switch command and plan the examples generate, checked against
 * the AWS SDK's model of the API (a vendored excerpt: test/fixtures/sdk-models,
 * with its source), never against the library's own constants.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EXAMPLES } from '../../examples';
import { addDrills, DRILLS_CONTEXT } from '../../examples/drills';
import { DrillKind, Drills, RegionSwitchPlan } from '../../lib';
import { testApp } from '../harness';

interface Member { readonly target: string; readonly traits?: Record<string, unknown> }
interface Shape { readonly type: string; readonly members?: Record<string, Member>; readonly traits?: Record<string, unknown> }

const NS = 'com.amazonaws.arcregionswitch#';
const model = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'sdk-models', 'arc-region-switch.json'), 'utf8')) as { shapes: Record<string, Shape> };

function shape(name: string): Shape {
  const found = model.shapes[name.includes('#') ? name : NS + name];
  if (!found) throw new Error(`no shape ${name} in the model`);
  return found;
}

/** The values of an enum shape of the model. */
function enumValues(name: string): string[] {
  const s = shape(name);
  if (s.type !== 'enum') throw new Error(`${name} is a ${s.type}, not an enum`);
  return Object.values(s.members ?? {}).map(m => String(m.traits?.['smithy.api#enumValue']));
}

const request = shape('StartPlanExecutionRequest');
const requestMembers = request.members ?? {};
const maxComment = (shape(requestMembers.comment.target).traits?.['smithy.api#length'] as { max: number }).max;

/** The CLI options of a command (`--plan-arn x` -> planArn), quoted values unquoted. */
function options(command: string): Record<string, string> {
  const out: Record<string, string> = {};
  // The plan's ARN read from the stack's outputs (a command substitution) is one value.
  const flat = command.replace(/"\$\(aws cloudformation describe-stacks [^)]*\)"/g, '<plan-arn>');
  for (const m of flat.matchAll(/--([a-z-]+) ('([^']*)'|"([^"]*)"|\S+)/g)) {
    const key = m[1].replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    out[key] = m[3] ?? m[4] ?? m[2];
  }
  return out;
}

/** A stack output's value as text, tokens as `<token>`. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  return join && Array.isArray(join[1]) ? join[1].map(text).join(join[0]) : '<token>';
}

function checkCommand(command: string, regions: string[]): void {
  expect(command).toMatch(/^aws arc-region-switch start-plan-execution /);
  const opts = options(command);
  // Every option is a member of the API's request (or the CLI's --region), every required member is there.
  expect(Object.keys(opts).filter(k => k !== 'region' && !(k in requestMembers))).toEqual([]);
  const required = Object.entries(requestMembers).filter(([, m]) => m.traits?.['smithy.api#required'] !== undefined).map(([k]) => k);
  expect(required.filter(k => !(k in opts))).toEqual([]);
  expect(enumValues(requestMembers.mode.target)).toContain(opts.mode);
  expect(enumValues(requestMembers.action.target)).toContain(opts.action);
  expect(opts.comment.length).toBeLessThanOrEqual(maxComment);
  expect(regions).toContain(opts.targetRegion);
  expect(opts.region).toBe(opts.targetRegion);
}

interface PlanJson {
  readonly RecoveryApproach: string;
  readonly Regions: string[];
  readonly Workflows: Array<{ WorkflowTargetAction: string; WorkflowTargetRegion?: string; Steps: Array<{ ExecutionBlockType: string; ExecutionBlockConfiguration: Record<string, Record<string, unknown>> }> }>;
}

// The examples with a multi-region pattern (web tier, configuration server, active/active sites).
const withPlans = EXAMPLES.filter(e => ['agent-workspace', 'automation-engine'].includes(e.name));

test('the model excerpt is the API\'s: graceful and ungraceful are its only modes (no practice mode)', () => {
  expect(enumValues(requestMembers.mode.target).sort()).toEqual(['graceful', 'ungraceful']);
  expect(maxComment).toBe(1024);
});

test('automation-engine with a third site and its drills fails synthesis, naming the prop to change (a plan spans two regions)', () => {
  const app = testApp({ context: { [DRILLS_CONTEXT]: 'true', thirdRegion: 'eu-central-1' } });
  const definition = EXAMPLES.find(e => e.name === 'automation-engine')!;
  expect(() => addDrills(definition.build(app))).toThrow(/invalid prop 'sites': received "3 sites \(.*eu-central-1\)"; expected at most two sites while Drills creates Region switch plans.*regionSwitchPlans: false/);
});

describe.each(withPlans.map(e => [e.name, e]))('the Region switch plans of %s', (_name, definition) => {
  const app = testApp({ context: { [DRILLS_CONTEXT]: 'true' } });
  addDrills(definition.build(app));
  const stacks = app.node.findAll().filter(Stack.isStack);
  const plans = app.node.findAll().filter((c): c is RegionSwitchPlan => c instanceof RegionSwitchPlan);
  const templates = stacks.map(s => Template.fromStack(s));

  test('every start command it describes is valid against the API model', () => {
    const described = Drills.describe(app).filter(d => d.kind === DrillKind.REGION_SWITCH);
    expect(described.length).toBeGreaterThan(0);
    for (const d of described) {
      const plan = plans.find(p => p.node.path === d.constructPath)!;
      checkCommand(d.startCommand, plan.regions);
      expect(d.startCommand).not.toMatch(/practice/);
    }
  });

  test('every command in the stack outputs is valid against the API model; ungraceful ones only where allowed, described as data-losing', () => {
    let seen = 0;
    for (const t of templates) {
      for (const [id, output] of Object.entries(t.findOutputs('*'))) {
        const value = text((output as { Value: unknown }).Value);
        if (!value.includes('arc-region-switch start-plan-execution')) continue;
        seen++;
        const plan = plans.find(p => id.startsWith(p.node.id) || value.includes(p.regions[0]))!;
        checkCommand(value, plan.regions);
        if (options(value).mode === 'ungraceful') {
          expect(id).toMatch(/Ungraceful/);
          expect((output as { Description: string }).Description).toMatch(/^DATA-LOSING/);
        }
      }
    }
    expect(seen).toBeGreaterThan(0);
    // The examples do not opt in to ungraceful commands.
    expect(plans.filter(p => p.ungracefulStartCommand !== undefined)).toEqual([]);
  });

  test('every plan spans two regions, has workflows for both directions (active/active: deactivate and activate) and uses the API\'s enums', () => {
    const actions = enumValues('WorkflowTargetAction');
    const blocks = enumValues('ExecutionBlockType');
    const aurora = enumValues('GlobalAuroraDefaultBehavior');
    for (const t of templates) {
      for (const resource of Object.values(t.findResources('AWS::ARCRegionSwitch::Plan'))) {
        const plan = (resource as { Properties: PlanJson }).Properties;
        expect(plan.Regions).toHaveLength(2);
        for (const w of plan.Workflows) {
          expect(actions).toContain(w.WorkflowTargetAction);
          for (const step of w.Steps) {
            expect(blocks).toContain(step.ExecutionBlockType);
            // Capacity blocks size from a 24-hour sample: a same-day deploy would scale nothing and report success.
            expect(['EC2AutoScaling', 'ECSServiceScaling', 'EKSResourceScaling']).not.toContain(step.ExecutionBlockType);
            const behavior = step.ExecutionBlockConfiguration.GlobalAuroraConfig?.Behavior;
            if (behavior !== undefined) expect(aurora).toContain(behavior);
          }
        }
        if (plan.RecoveryApproach === 'activeActive') {
          expect(plan.Workflows.map(w => w.WorkflowTargetAction).sort()).toEqual(['activate', 'deactivate']);
        }
      }
    }
  });
});

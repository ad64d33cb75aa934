/**
 * Every FIS experiment of every example, read from the synthesized
 * templates (not from the library's own figures): its actions are FIS
 * actions with the targets and parameters FIS takes, and it runs long
 * enough for its stop conditions to act.
 *
 * FIS checks stop conditions only while an experiment runs: an experiment
 * that ends at its instantaneous fault (a stopped task, a failover) can
 * never be stopped by its alarms. The figure: from the start of its last
 * fault action to its end, an experiment runs at least as long as its
 * slowest stop alarm takes to go into ALARM, that is evaluation periods x
 * period (a composite alarm: its slowest child) + 1 minute for CloudWatch
 * to publish the datapoint and evaluate the alarm.
 *
 * The FIS actions' targets and parameters are those of the FIS actions
 * reference (docs.aws.amazon.com/fis/latest/userguide/fis-actions-reference.html):
 * the CloudFormation schema of AWS::FIS::ExperimentTemplate takes any
 * action id, and the FIS API model (aws-sdk apis/fis-2020-12-01) lists no
 * action ids (they are data, listed by the ListActions call), so neither
 * can check them.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EXAMPLES } from '../../examples';
import { addDrills, DRILLS_CONTEXT } from '../../examples/drills';
import { testApp } from '../harness';

/** The FIS actions the library uses: the key and resource type of their target, their parameters. */
const FIS_ACTIONS: Record<string, { target?: [string, string]; required: string[]; optional: string[] }> = {
  'aws:ecs:stop-task': { target: ['Tasks', 'aws:ecs:task'], required: [], optional: [] },
  'aws:rds:failover-db-cluster': { target: ['Clusters', 'aws:rds:cluster'], required: [], optional: [] },
  'aws:rds:reboot-db-instances': { target: ['DBInstances', 'aws:rds:db'], required: [], optional: ['forceFailover'] },
  'aws:dynamodb:global-table-pause-replication': { target: ['Tables', 'aws:dynamodb:global-table'], required: ['duration'], optional: [] },
  'aws:network:disrupt-connectivity': { target: ['Subnets', 'aws:ec2:subnet'], required: ['duration'], optional: ['scope'] },
  'aws:fis:wait': { required: ['duration'], optional: [] },
  'aws:ssm:start-automation-execution': { required: ['documentArn', 'maxDuration'], optional: ['documentParameters'] },
};

/** CloudWatch's allowance between a period's end and the alarm's state change (publication, then a once-a-minute evaluation). */
const EVALUATION_ALLOWANCE_SECONDS = 60;

type Json = Record<string, unknown>;
interface Resource { readonly Type: string; readonly Properties: Json }
interface FisAction { readonly ActionId: string; readonly Parameters?: Record<string, string>; readonly Targets?: Record<string, string>; readonly StartAfter?: string[] }
interface FisTarget { readonly ResourceType: string; readonly SelectionMode: string; readonly ResourceArns?: unknown[]; readonly Parameters?: Json; readonly ResourceTags?: Json }
interface Experiment { readonly example: string; readonly stack: string; readonly id: string; readonly properties: Json }

/** Seconds of an ISO 8601 duration as FIS takes it (`PT90S`, `PT5M`, `PT1H30M`). */
function isoSeconds(value: string): number {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/.exec(value);
  if (!m || value === 'PT') throw new Error(`not an ISO 8601 duration FIS takes: ${value}`);
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

/** Every stack of every example, synthesized with its drills on. */
function drilledExamples(): Array<{ example: string; app: App; templates: Map<string, Json> }> {
  return EXAMPLES.map(definition => {
    const app = testApp({ context: { [DRILLS_CONTEXT]: 'true' } });
    addDrills(definition.build(app));
    const stacks = app.node.children.filter((c): c is Stack => Stack.isStack(c));
    return { example: definition.name, app, templates: new Map(stacks.map(s => [s.stackName, Template.fromStack(s).toJSON() as Json])) };
  });
}

const examples = drilledExamples();
const experiments: Experiment[] = examples.flatMap(({ example, templates }) => [...templates.entries()].flatMap(([stack, t]) =>
  Object.entries((t.Resources ?? {}) as Record<string, Resource>)
    .filter(([, r]) => r.Type === 'AWS::FIS::ExperimentTemplate')
    .map(([id, r]) => ({ example, stack, id, properties: r.Properties }))));

/** The resource an alarm ARN names: `Fn::GetAtt` in the same template, or an export of another stack of the example. */
function alarmResource(example: string, stack: string, value: unknown): Resource {
  const { templates } = examples.find(e => e.example === example)!;
  const v = value as Json;
  if ('Fn::GetAtt' in v) {
    const [id] = v['Fn::GetAtt'] as string[];
    return ((templates.get(stack)!.Resources as Record<string, Resource>)[id]);
  }
  if ('Fn::ImportValue' in v) {
    for (const [other, t] of templates) {
      const output = Object.values((t.Outputs ?? {}) as Record<string, { Value: unknown; Export?: { Name: unknown } }>)
        .find(o => JSON.stringify(o.Export?.Name) === JSON.stringify(v['Fn::ImportValue']));
      if (output) return alarmResource(example, other, output.Value);
    }
  }
  throw new Error(`${example}/${stack}: cannot find the alarm ${JSON.stringify(value)}`);
}

/** Evaluation periods x period of a metric alarm; the slowest child of a composite alarm (named in its rule). */
function detectionSeconds(example: string, stack: string, alarm: Resource): number {
  if (alarm.Type === 'AWS::CloudWatch::Alarm') {
    const p = alarm.Properties as { EvaluationPeriods: number; Period?: number; Metrics?: Array<{ Period?: number; MetricStat?: { Period: number } }> };
    const period = p.Period ?? Math.max(...(p.Metrics ?? []).flatMap(m => [m.Period, m.MetricStat?.Period].filter((x): x is number => typeof x === 'number')));
    expect(Number.isFinite(period)).toBe(true);
    return p.EvaluationPeriods * period;
  }
  expect(alarm.Type).toBe('AWS::CloudWatch::CompositeAlarm');
  const children = JSON.stringify(alarm.Properties.AlarmRule).match(/\{"Fn::GetAtt":\["[A-Za-z0-9]+","Arn"\]\}/g) ?? [];
  expect(children.length).toBeGreaterThan(0);
  return Math.max(...children.map(c => detectionSeconds(example, stack, alarmResource(example, stack, JSON.parse(c)))));
}

/** When each action starts and ends (seconds from the experiment's start), following `StartAfter`. */
function timeline(actions: Record<string, FisAction>): Map<string, { start: number; end: number }> {
  const times = new Map<string, { start: number; end: number }>();
  const place = (name: string): { start: number; end: number } => {
    const known = times.get(name);
    if (known) return known;
    const action = actions[name];
    expect(action).toBeDefined();
    const start = Math.max(0, ...(action.StartAfter ?? []).map(before => place(before).end));
    // A fault without a duration is instantaneous; the automation's own run (seconds) is not counted.
    const placed = { start, end: start + (action.Parameters?.duration ? isoSeconds(action.Parameters.duration) : 0) };
    times.set(name, placed);
    return placed;
  };
  Object.keys(actions).forEach(place);
  return times;
}

describe('the FIS experiments of every example, with drills on', () => {
  test('there are experiments in every example that has a pattern to drill', () => {
    expect(new Set(experiments.map(e => e.example))).toEqual(new Set(EXAMPLES.map(e => e.name)));
  });

  test.each(experiments.map(e => [`${e.example}/${e.stack}/${e.id}`, e] as const))(
    '%s runs, from the start of its last fault, at least as long as its slowest stop alarm takes to fire', (_, e) => {
      const stopConditions = e.properties.StopConditions as Array<{ Source: string; Value: unknown }>;
      expect(stopConditions.length).toBeGreaterThan(0);
      const required = Math.max(...stopConditions.map(c => {
        expect(c.Source).toBe('aws:cloudwatch:alarm');
        return detectionSeconds(e.example, e.stack, alarmResource(e.example, e.stack, c.Value));
      })) + EVALUATION_ALLOWANCE_SECONDS;
      const actions = e.properties.Actions as Record<string, FisAction>;
      const times = timeline(actions);
      const faults = Object.keys(actions).filter(name => actions[name].ActionId !== 'aws:fis:wait');
      expect(faults.length).toBeGreaterThan(0);
      const lastFault = Math.max(...faults.map(name => times.get(name)!.start));
      const end = Math.max(...[...times.values()].map(t => t.end));
      expect(end - lastFault).toBeGreaterThanOrEqual(required);
      // FIS runs an experiment 12 hours at most.
      expect(end).toBeLessThanOrEqual(12 * 3600);
    });

  test.each(experiments.map(e => [`${e.example}/${e.stack}/${e.id}`, e] as const))(
    '%s uses FIS actions with the targets and parameters FIS takes', (_, e) => {
      const actions = e.properties.Actions as Record<string, FisAction>;
      const targets = (e.properties.Targets ?? {}) as Record<string, FisTarget>;
      const used = new Set<string>();
      for (const [name, action] of Object.entries(actions)) {
        const spec = FIS_ACTIONS[action.ActionId];
        expect({ name, known: spec !== undefined }).toEqual({ name, known: true });
        const parameters = Object.keys(action.Parameters ?? {});
        expect(parameters.filter(p => ![...spec.required, ...spec.optional].includes(p))).toEqual([]);
        expect(spec.required.filter(p => !parameters.includes(p))).toEqual([]);
        for (const key of ['duration', 'maxDuration']) {
          const value = action.Parameters?.[key];
          if (value !== undefined) expect(isoSeconds(value)).toBeGreaterThanOrEqual(1);
        }
        if (action.Parameters?.scope !== undefined) expect(['all', 'availability-zone', 'dynamodb', 'prefix-list', 's3']).toContain(action.Parameters.scope);
        if (action.Parameters?.forceFailover !== undefined) expect(['true', 'false']).toContain(action.Parameters.forceFailover);
        if (spec.target) {
          const [key, resourceType] = spec.target;
          expect(Object.keys(action.Targets ?? {})).toEqual([key]);
          const target = targets[action.Targets![key]];
          expect(target?.ResourceType).toBe(resourceType);
          expect(target.SelectionMode).toMatch(/^(ALL|COUNT\([1-9]\d*\)|PERCENT\(([1-9]\d?|100)\))$/);
          expect((target.ResourceArns ?? []).length > 0 || target.Parameters !== undefined || target.ResourceTags !== undefined).toBe(true);
          used.add(action.Targets![key]);
        } else {
          expect(action.Targets ?? {}).toEqual({});
        }
        for (const before of action.StartAfter ?? []) expect(Object.keys(actions)).toContain(before);
      }
      expect(Object.keys(targets).sort()).toEqual([...used].sort());
    });

  test.each(experiments.filter(e => String((e.properties.Tags as Json)['cdk-ha-patterns:scenario']).startsWith('region-loss'))
    .map(e => [`${e.example}/${e.stack}/${e.id}`, e] as const))(
    '%s (a region loss) stops every task of the services it targets, not some', (_, e) => {
      const targets = Object.values((e.properties.Targets ?? {}) as Record<string, FisTarget>).filter(t => t.ResourceType === 'aws:ecs:task');
      for (const t of targets) expect(t.SelectionMode).toBe('ALL');
    });
});

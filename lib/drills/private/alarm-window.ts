/**
 * How long a CloudWatch alarm can take to go into ALARM once its condition
 * holds, read from its CloudFormation properties: what an experiment's stop
 * condition needs to act.
 */
import { CfnElement, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { IConstruct } from 'constructs';

/**
 * The allowance for CloudWatch between a metric's period ending and its
 * alarm changing state: the datapoint is published, then the alarm is
 * evaluated (once a minute). An estimate: CloudWatch publishes no bound.
 */
export const ALARM_EVALUATION_ALLOWANCE = Duration.minutes(1);

/**
 * The longest time `alarm` can take to go into ALARM once its condition
 * holds: evaluation periods x period for a metric alarm (the longest
 * period of a math expression's metrics), the longest of its children for
 * a composite alarm (any child may be the one that fires), plus
 * `ALARM_EVALUATION_ALLOWANCE`. Undefined when an alarm is imported or
 * holds tokens.
 */
export function alarmDetectionTime(alarm: cloudwatch.IAlarm): Duration | undefined {
  const seconds = detectionSeconds(alarm.node.defaultChild, new Set());
  return seconds === undefined ? undefined : Duration.seconds(seconds + ALARM_EVALUATION_ALLOWANCE.toSeconds());
}

function detectionSeconds(cfn: IConstruct | undefined, seen: Set<IConstruct>): number | undefined {
  if (!cfn || seen.has(cfn)) return undefined;
  seen.add(cfn);
  const stack = Stack.of(cfn);
  if (cfn instanceof cloudwatch.CfnAlarm) {
    const periods = stack.resolve(cfn.evaluationPeriods) as unknown;
    const period = metricPeriod(stack.resolve({ p: cfn.period, m: cfn.metrics }) as { p?: unknown; m?: unknown[] });
    return typeof periods === 'number' && period !== undefined ? periods * period : undefined;
  }
  if (cfn instanceof cloudwatch.CfnCompositeAlarm) {
    // A literal rule names its alarms by ARN only: their figures are unknown here.
    if (!Token.isUnresolved(cfn.alarmRule)) return undefined;
    const children = referencedLogicalIds(stack.resolve(cfn.alarmRule)).map(id => findByLogicalId(stack, id));
    const figures = children.map(child => detectionSeconds(child, seen));
    return figures.length === 0 || figures.some(f => f === undefined) ? undefined : Math.max(...(figures as number[]));
  }
  return undefined;
}

/** The alarm's period: `Period`, or the longest period among a math expression's metrics. */
function metricPeriod(resolved: { p?: unknown; m?: unknown[] }): number | undefined {
  if (typeof resolved.p === 'number') return resolved.p;
  const periods = (resolved.m ?? []).flatMap(q => {
    const query = q as { Period?: unknown; period?: unknown; MetricStat?: { Period?: unknown }; metricStat?: { period?: unknown } };
    return [query.Period, query.period, query.MetricStat?.Period, query.metricStat?.period].filter((x): x is number => typeof x === 'number');
  });
  return periods.length > 0 ? Math.max(...periods) : undefined;
}

/** Logical ids named by `Ref` or `Fn::GetAtt` anywhere in a resolved value. */
function referencedLogicalIds(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencedLogicalIds);
  if (!value || typeof value !== 'object') return [];
  const v = value as Record<string, unknown>;
  if ('Fn::GetAtt' in v) return [String((v['Fn::GetAtt'] as unknown[])[0])];
  if ('Ref' in v) return String(v.Ref).startsWith('AWS::') ? [] : [String(v.Ref)];
  return Object.values(v).flatMap(referencedLogicalIds);
}

function findByLogicalId(stack: Stack, logicalId: string): IConstruct | undefined {
  return stack.node.findAll().find(c => c instanceof CfnElement && stack.resolve(c.logicalId) === logicalId);
}

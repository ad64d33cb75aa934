/**
 * What the planners share: the context `Drills` lends them, the failure
 * scenarios each path handles, and small helpers for purposes and gaps.
 */
import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { ActiveActiveCells, ActiveActiveCellsPath } from '../../cells/active-active-cells';
import { ColdStandbyConfigServer } from '../../config-server/cold-standby-config-server';
import { ColdStandbyConfigServerPath } from '../../config-server/cold-standby-config-server-props';
import { FailureKind } from '../../core/failure-scenario';
import { HaPattern } from '../../core/ha-pattern';
import { DrillPurpose } from '../../failover/drill-description';
import { RegionSwitchPlan } from '../../failover/region-switch-plan';
import { HaDatabase } from '../../ha-database/ha-database';
import { HaDatabasePath } from '../../ha-database/ha-database-props';
import { HotStandbyConsumer } from '../../hot-standby/hot-standby-consumer';
import { LatencyDns } from '../../latency-dns/latency-dns';
import { MultiSiteActiveActive, MultiSiteActiveActivePath } from '../../multi-site/multi-site-active-active';
import { WarmStandbyPair } from '../../warm-standby/warm-standby-pair';
import { ActiveSpareWebTier } from '../../web-tier/active-spare-web-tier';
import type { DrillGap, DrillsProps } from '../drills-props';
import { FaultExperiment } from '../fault-experiment';
import { ResiliencePolicy } from '../resilience-policy';
import { ZonalAutoshift } from '../zonal-autoshift';

/** What `Drills` lends the planners. */
export interface DrillsContext {
  readonly props: DrillsProps;
  /** The scope of `pattern`'s drills in `stack`. */
  scope(pattern: HaPattern, stack: Stack): Construct;
  addExperiment(e: FaultExperiment): void;
  addPlan(p: RegionSwitchPlan): void;
  addAutoshift(a: ZonalAutoshift): void;
  addPolicy(p: ResiliencePolicy): void;
  addGap(g: DrillGap): void;
  /** Whether `pattern` is a part of another drilled pattern (its parent's policy covers it). */
  isNested(pattern: HaPattern): boolean;
  /** Whether a drill exercises, or a gap explains, `path` of `pattern` under `scenario`. */
  isCovered(pattern: HaPattern, path: string, scenario: string): boolean;
}

/** A failure scenario: its kind and region. */
export interface Scenario {
  readonly kind: FailureKind;
  readonly region: string;
}

// ---- scenarios

/**
 * The scenarios a path declares (`recoveryObjectives.scenarioOutcomes`), or
 * what the pattern's README says it handles when it declares none yet.
 */
export function scenariosOf(p: HaPattern, path: string): Scenario[] {
  if (!p.recoveryObjectives.pathIds.includes(path)) return [];
  const declared = p.recoveryObjectives.scenarioOutcomes(path).map(o => parseScenario(o.scenario)).filter((s): s is Scenario => s !== undefined);
  return declared.length > 0 ? declared : fallbackScenarios(p, path);
}

/** The scenario of `kind` that `path` handles, if it handles one. */
export function handled(p: HaPattern, path: string, kind: FailureKind): Scenario | undefined {
  return scenariosOf(p, path).find(s => s.kind === kind);
}

/** What each pattern's paths handle where they declare no scenario yet (from the patterns' READMEs). */
function fallbackScenarios(p: HaPattern, path: string): Scenario[] {
  const region = Stack.of(p).region;
  if (p instanceof HaDatabase) return [{ kind: path === HaDatabasePath.CROSS_REGION ? FailureKind.REGION_LOSS : FailureKind.DATABASE_WRITER_LOSS, region }];
  if (p instanceof ColdStandbyConfigServer) {
    return path === ColdStandbyConfigServerPath.WRITES
      ? [{ kind: FailureKind.REGION_LOSS, region }, { kind: FailureKind.PRIMARY_SERVER_LOSS, region }]
      : [{ kind: FailureKind.REGION_LOSS, region }];
  }
  if (p instanceof MultiSiteActiveActive) {
    return path === MultiSiteActiveActivePath.NODE
      ? [{ kind: FailureKind.TASK_LOSS, region: p.activeRegions[0] }]
      : p.activeRegions.map(r => ({ kind: FailureKind.REGION_LOSS, region: r }));
  }
  if (p instanceof ActiveSpareWebTier || p instanceof LatencyDns) return [{ kind: FailureKind.REGION_LOSS, region }];
  if (p instanceof WarmStandbyPair) return [{ kind: FailureKind.PRIMARY_SERVER_LOSS, region }, zoneLoss(p)];
  if (p instanceof HotStandbyConsumer) return [taskLoss(p), zoneLoss(p)];
  if (p instanceof ActiveActiveCells && path === ActiveActiveCellsPath.CELL_DATABASE_WRITER) return [{ kind: FailureKind.DATABASE_WRITER_LOSS, region }];
  return [taskLoss(p)];
}

function parseScenario(description: string): Scenario | undefined {
  const m = /^([a-z-]+) of (.+)$/.exec(description);
  const kinds = Object.values(FailureKind) as string[];
  return m && kinds.includes(m[1]) ? { kind: m[1] as FailureKind, region: m[2] } : undefined;
}

export function taskLoss(p: HaPattern): Scenario {
  return { kind: FailureKind.TASK_LOSS, region: Stack.of(p).region };
}

export function zoneLoss(p: HaPattern): Scenario {
  return { kind: FailureKind.ZONE_LOSS, region: Stack.of(p).region };
}

export function describeScenario(s: Scenario): string {
  return `${s.kind} of ${s.region}`;
}

// ---- helpers

export function purpose(p: HaPattern, paths: string[], s: Scenario, expected: Duration | undefined, proves: string, passes: string): DrillPurpose {
  return { patternPath: p.node.path, patternName: p.patternName, paths, scenario: describeScenario(s), proves, passes, expectedRecovery: expected };
}

export function gap(ctx: DrillsContext, p: HaPattern, path: string, s: Scenario, reason: string): void {
  ctx.addGap({ patternPath: p.node.path, path, scenario: describeScenario(s), reason });
}

/** The alarm's literal name, if it has one (an ARN another region can name without a token). */
export function literalAlarmName(alarm: cloudwatch.IAlarm): string | undefined {
  const cfn = alarm.node.defaultChild;
  const name = cfn instanceof cloudwatch.CfnAlarm || cfn instanceof cloudwatch.CfnCompositeAlarm ? cfn.alarmName : undefined;
  return name !== undefined && !Token.isUnresolved(name) ? name : undefined;
}

/** `eu-west-1` -> `EuWest1`, for construct ids. */
export function regionId(region: string): string {
  return region.split('-').map(w => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

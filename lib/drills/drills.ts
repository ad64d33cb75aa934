import { Aspects, Duration, Names, Stack } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { addHaWarning, HaValidationError } from '../core/errors';
import { HaPattern } from '../core/ha-pattern';
import { requireDefined, requireDurationBetween } from '../core/validation';
import { DrillDescription, DrillPurpose } from '../failover/drill-description';
import { isDrill } from '../failover/drill-support/marker';
import { RegionSwitchPlan } from '../failover/region-switch-plan';
import { DrillGap, DrillsProps } from './drills-props';
import { FaultExperiment } from './fault-experiment';
import type { DrillsContext } from './private/drill-context';
import { drillPattern, subPatterns } from './private/plans';
import { validatePracticeRunBlocks } from './private/practice-runs';
import { ResiliencePolicy } from './resilience-policy';
import { ZonalAutoshift } from './zonal-autoshift';

/**
 * The drills that prove an architecture's failover in a real account,
 * generated from its patterns' recovery paths and failure scenarios:
 *
 * - an FIS experiment template per scenario a pattern handles (stop the
 *   singleton's task, each hot-standby consumer in turn, one task of an N+1
 *   site, every task of the primary site, fail the Aurora writer over, pause
 *   global-table replication, cut a zone off), each in the region of what it
 *   targets, with a role of its own, stop conditions and a log;
 * - an ARC Region switch plan per multi-region pattern, from its
 *   region-loss paths in dependency order (database, capacity, DNS), with
 *   the computed RTO;
 * - zonal autoshift practice runs for the load balancers that support them (opt-in);
 * - a Resilience Hub policy per pattern.
 *
 * Drills live in the stacks of the resources they target, under one scope
 * per stack named from this construct's path. `Drills.describe(app)` lists
 * every drill with what it proves and the command that starts it.
 */
export class Drills extends Construct {
  /** The drills under `scope` (pass the app to list every one), with what each proves and its start command. */
  public static describe(scope: IConstruct): DrillDescription[] {
    return scope.node.findAll().filter(isDrill).map(d => d.description);
  }

  /** The FIS experiment templates. */
  public readonly experiments: FaultExperiment[] = [];
  /** The Region switch plans. */
  public readonly plans: RegionSwitchPlan[] = [];
  /** The zonal autoshift configurations. */
  public readonly autoshifts: ZonalAutoshift[] = [];
  /** The Resilience Hub policies. */
  public readonly policies: ResiliencePolicy[] = [];
  /** Scenarios the patterns handle that no drill exercises, with the reason. */
  public readonly gaps: DrillGap[] = [];

  constructor(scope: Construct, id: string, props: DrillsProps = {}) {
    super(scope, id);
    const { patterns, nested } = selectPatterns(this, props);
    validate(this, props);
    const groups = new Map<string, Construct>();
    const covered = new Set<string>();
    const key = (patternPath: string | undefined, path: string, scenario: string) => `${patternPath}\u0000${path}\u0000${scenario}`;
    const cover = (d: { purpose: DrillPurpose }) => d.purpose.paths.forEach(path => covered.add(key(d.purpose.patternPath, path, d.purpose.scenario)));
    const context: DrillsContext = {
      props,
      scope: (pattern, stack) => this.groupFor(groups, pattern, stack),
      addExperiment: e => { this.experiments.push(e); cover(e); },
      addPlan: p => { this.plans.push(p); cover(p); },
      addAutoshift: a => { this.autoshifts.push(a); cover(a); },
      addPolicy: p => this.policies.push(p),
      addGap: g => { this.gaps.push(g); covered.add(key(g.patternPath, g.path, g.scenario)); },
      isNested: pattern => nested.has(pattern),
      isCovered: (pattern, path, scenario) => covered.has(key(pattern.node.path, path, scenario)),
    };
    for (const pattern of patterns) drillPattern(context, pattern);
  }

  /** The drills this construct created, with what each proves and its start command. */
  public get descriptions(): DrillDescription[] {
    return [...this.experiments, ...this.plans, ...this.autoshifts].map(d => d.description);
  }

  /**
   * The scope of `pattern`'s drills in `stack`: under this construct in its
   * own stack, else under one construct per stack named from this
   * construct's path (so two `Drills` never collide).
   */
  private groupFor(groups: Map<string, Construct>, pattern: HaPattern, stack: Stack): Construct {
    const home = this.node.scopes.find(Stack.isStack);
    const key = `${stack.node.path}\u0000${pattern.node.path}`;
    let group = groups.get(key);
    if (group) return group;
    const id = Names.uniqueId(this);
    const parent: Construct = home === stack ? this : (stack.node.tryFindChild(id) as Construct | undefined) ?? new Construct(stack, id);
    const patternId = `${pattern.node.id}${Names.uniqueId(pattern).slice(-8)}`;
    group = (parent.node.tryFindChild(patternId) as Construct | undefined) ?? new Construct(parent, patternId);
    groups.set(key, group);
    return group;
  }
}

function validate(scope: Drills, props: DrillsProps): void {
  requireDurationBetween(scope, 'faultDuration', props.faultDuration, Duration.seconds(30), Duration.hours(12));
  validatePracticeRunBlocks(scope, 'practiceRunBlockedWindows', props.practiceRunBlockedWindows, 'practiceRunBlockedDates', props.practiceRunBlockedDates);
  const a = props.availabilityTarget;
  if (a !== undefined && (typeof a !== 'number' || !(a > 0 && a < 100))) {
    throw new HaValidationError(scope, { prop: 'availabilityTarget', received: a, expected: 'a percentage above 0 and below 100, e.g. 99.95' });
  }
}

/** The patterns to drill (with the patterns they are built of) and which of them are parts of another. */
function selectPatterns(scope: Drills, props: DrillsProps): { patterns: HaPattern[]; nested: Set<HaPattern> } {
  if (props.patterns !== undefined) {
    requireDefined(scope, 'patterns', props.patterns, 'an array of HaPattern', Array.isArray);
    props.patterns.forEach((p, i) => requireDefined(scope, `patterns[${i}]`, p, 'an HaPattern (a pattern of this library)', HaPattern.isHaPattern));
    if (props.patterns.length === 0) {
      throw new HaValidationError(scope, { prop: 'patterns', received: props.patterns, expected: 'at least one pattern (or leave it out to drill every pattern of the app)' });
    }
  }
  const roots = props.patterns ?? scope.node.root.node.findAll().filter(HaPattern.isHaPattern);
  if (props.patterns === undefined && roots.length === 0) {
    throw new HaValidationError(scope, {
      prop: 'patterns', received: undefined,
      expected: 'patterns to drill: the app has no HaPattern yet, and without `patterns` Drills drills those constructed before it. ' +
        'Create Drills after the patterns, or pass them',
    });
  }
  const nested = new Set<HaPattern>();
  const patterns: HaPattern[] = [];
  const visit = (p: HaPattern) => {
    if (patterns.includes(p)) return;
    patterns.push(p);
    for (const part of subPatterns(p)) {
      nested.add(part);
      visit(part);
    }
  };
  roots.forEach(visit);
  if (props.patterns === undefined) {
    // At synthesis, when the app is complete: the patterns constructed after Drills are not drilled.
    Aspects.of(scope).add({ visit: node => { if (node === scope) warnLatePatterns(scope, patterns); } });
  }
  return { patterns, nested };
}

/** Warns about the patterns of the app constructed after `scope` (not their parts): they have no drills. */
function warnLatePatterns(scope: Drills, drilled: HaPattern[]): void {
  const late = scope.node.root.node.findAll().filter(HaPattern.isHaPattern).filter(p => !drilled.includes(p));
  const parts = new Set(late.flatMap(subPatterns));
  const missed = late.filter(p => !parts.has(p));
  if (missed.length === 0) return;
  addHaWarning(scope, 'drills-patterns-after-drills',
    `${missed.map(p => p.node.path).join(', ')} ${missed.length === 1 ? 'was' : 'were'} constructed after ${scope.node.path} and ${missed.length === 1 ? 'has' : 'have'} no drills: ` +
    'without `patterns`, Drills drills the patterns constructed before it. Create Drills last, or pass `patterns`.');
}

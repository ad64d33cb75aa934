import { Duration, Token } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { HaValidationError } from './errors';
import { FailureScenario, PathLink } from './failure-scenario';
import { RecoveryStep, ResolvedRecoveryStep } from './recovery-step';

/** A recovery-time target for one path of a pattern. */
export interface RecoveryPathTarget {
  /** The path's id, one of the pattern's path constants (e.g. `ActiveSpareWebTierPath.BROWSER`). */
  readonly path: string;
  /** Worst-case recovery time the path must meet. */
  readonly rto: Duration;
}

/** Targets a user states for a pattern. */
export interface RecoveryTargets {
  /**
   * Worst-case recovery time every recovery path must meet (unless `paths` sets its own).
   * @default no target
   */
  readonly rto?: Duration;
  /**
   * Worst-case data loss the configuration must meet.
   * @default no target
   */
  readonly rpo?: Duration;
  /**
   * Targets for single paths, by path id; they replace `rto` for those paths.
   * @default every path has the `rto` target
   */
  readonly paths?: RecoveryPathTarget[];
}

/** Options of a recovery path. */
export interface RecoveryPathOptions {
  /**
   * What the path recovers from, for the report.
   * @default no description
   */
  readonly description?: string;
  /**
   * The failures the path exists for; the analysis checks each link survives each.
   * @default none: the path is not analyzed
   */
  readonly scenarios?: FailureScenario[];
  /**
   * The path's links (signal, alarm, rule, automation, DNS, capacity), as construct references.
   * @default none
   */
  readonly links?: PathLink[];
  /**
   * The data this path loses, when it is not the pattern's data-loss bounds
   * (a restore from a backup copy loses what the last copy missed). Reported
   * with the path; the pattern's `rpo` and `recoveryTargets.rpo` stay those of its bounds.
   * @default the pattern's RPO (its largest data-loss bound)
   */
  readonly dataLoss?: RecoveryStep;
}

/** How one path fares under one of its failure scenarios. */
export interface ScenarioOutcome {
  /** The scenario, e.g. `region-loss of eu-west-1`. */
  readonly scenario: string;
  /** The path's id. */
  readonly path: string;
  /** Whether every link survives the scenario and does its job. */
  readonly survives: boolean;
  /** What breaks the path, one sentence each. */
  readonly brokenLinks: string[];
  /** The reason a broken path was acknowledged with, if it was. */
  readonly acknowledged?: string;
}

/** Props of `RecoveryObjectives`. */
export interface RecoveryObjectivesProps {
  /** The pattern's name, e.g. `ActiveSpareWebTier`. */
  readonly pattern: string;
  /** How the pattern detects failure, in one sentence. */
  readonly detection: string;
  /**
   * Targets to meet: synthesis fails, naming the prop to change, when the configuration does not.
   * @default no targets
   */
  readonly targets?: RecoveryTargets;
}

/** A recovery path with its figures. */
export interface RecoveryPathSummary {
  /** The path's id. */
  readonly name: string;
  /** What the path recovers from. */
  readonly description?: string;
  /** Its steps, in order. */
  readonly steps: ResolvedRecoveryStep[];
  /** Worst-case time: the sum of the steps. */
  readonly total: Duration;
  /** The fastest the path can be configured to: the sum of the steps' floors. */
  readonly fastest: Duration;
  /** The target the path must meet, if any. */
  readonly target?: Duration;
  /** The slowest step. */
  readonly slowest?: ResolvedRecoveryStep;
  /** The path's own data loss, when it declares one (`RecoveryPathOptions.dataLoss`). */
  readonly dataLoss?: ResolvedRecoveryStep;
}

/** One step in a report, in seconds. */
export interface RecoveryStepReport {
  readonly component: string;
  readonly derivation: string;
  readonly seconds: number;
  readonly fastestSeconds: number;
  readonly tuning?: string;
}

/** One path in a report, in seconds. */
export interface RecoveryPathReport {
  readonly name: string;
  readonly description?: string;
  readonly totalSeconds: number;
  readonly fastestSeconds: number;
  readonly targetSeconds?: number;
  readonly steps: RecoveryStepReport[];
  /** The path under each failure scenario it exists for. */
  readonly scenarios: ScenarioOutcome[];
  /** The path's own data loss, when it declares one (else the pattern's `rpoSeconds` holds for it). */
  readonly dataLoss?: RecoveryStepReport;
}

/** The figures of one pattern instance, JSON-friendly (seconds). */
export interface RecoveryObjectivesReport {
  readonly pattern: string;
  readonly constructPath: string;
  readonly detection: string;
  readonly rtoSeconds: number;
  readonly rpoSeconds: number;
  readonly rtoTargetSeconds?: number;
  readonly rpoTargetSeconds?: number;
  readonly paths: RecoveryPathReport[];
  readonly dataLoss: RecoveryStepReport[];
}

const RECOVERY_OBJECTIVES_SYMBOL = Symbol.for('cdk-ha-patterns.RecoveryObjectives');

/**
 * The worst-case recovery time (RTO) and recovery point (RPO) of a pattern,
 * computed from its synthesized settings.
 *
 * A pattern declares recovery paths by id (sequences of steps whose times
 * add up: detection, DNS, task start, ...) and its data-loss bounds
 * (replication lag, checkpoint interval, ...). The RTO is the slowest path,
 * the RPO the largest bound. Targets are checked at synthesis; a missed
 * target names the prop that shortens the slowest tunable step and the
 * fastest the path can be configured to.
 */
export class RecoveryObjectives extends Construct {
  /** Whether `x` is a `RecoveryObjectives`. */
  public static isRecoveryObjectives(x: unknown): x is RecoveryObjectives {
    return typeof x === 'object' && x !== null && RECOVERY_OBJECTIVES_SYMBOL in x;
  }

  /** All recovery objectives declared under `scope`, in tree order. */
  public static within(scope: IConstruct): RecoveryObjectives[] {
    return scope.node.findAll().filter(RecoveryObjectives.isRecoveryObjectives);
  }

  /** The pattern's name. */
  public readonly pattern: string;
  /** How the pattern detects failure. */
  public readonly detection: string;
  /** The stated targets. */
  public readonly targets: RecoveryTargets;

  private readonly owner: IConstruct;
  private readonly pathSteps = new Map<string, { steps: RecoveryStep[]; options: RecoveryPathOptions }>();
  private readonly lossBounds: RecoveryStep[] = [];
  private readonly acknowledgements = new Map<string, string>();

  constructor(scope: Construct, id: string, props: RecoveryObjectivesProps) {
    super(scope, id);
    Object.defineProperty(this, RECOVERY_OBJECTIVES_SYMBOL, { value: true });
    this.pattern = props.pattern;
    this.detection = props.detection;
    this.targets = props.targets ?? {};
    // Errors name the pattern (whose props these are), not this child.
    this.owner = scope;
    // An RPO of 0 (no data loss) is a target; a Duration is never negative.
    const rtos: Array<[string, Duration | undefined]> = [
      ['recoveryTargets.rto', this.targets.rto],
      ...(this.targets.paths ?? []).map((t, i): [string, Duration] => [`recoveryTargets.paths[${i}].rto`, t.rto]),
    ];
    for (const [prop, value] of rtos) {
      if (value && !value.isUnresolved() && value.toMilliseconds() <= 0) {
        throw new HaValidationError(scope, { prop, received: value, expected: 'a duration longer than 0: no recovery is instantaneous' });
      }
    }
    scope.node.addValidation({ validate: () => [...this.validatePathIds(), ...this.validateTargets(), ...this.validateScenarios()] });
  }

  /**
   * Declares a recovery path, or appends steps to one declared before.
   * Steps of a path happen one after the other, so their times add up.
   * @param id a stable id, one of the pattern's path constants
   */
  public addRecoveryPath(id: string, steps: RecoveryStep[], options: RecoveryPathOptions = {}): void {
    const existing = this.pathSteps.get(id);
    if (existing) {
      existing.steps.push(...steps);
      return;
    }
    this.pathSteps.set(id, { steps: [...steps], options });
  }

  /**
   * Accepts that the path `id` does not survive one of its failure scenarios
   * (the analysis then reports it as acknowledged instead of failing synthesis).
   * @param reason why the gap is acceptable, for the report and reviewers
   */
  public acknowledgeBrokenPath(id: string, reason: string): void {
    this.path(id);
    if (!reason || reason.trim().length < 10) {
      throw new HaValidationError(this.owner, { prop: 'reason', received: reason, expected: 'a reason a reviewer would accept (at least a sentence)' });
    }
    this.acknowledgements.set(id, reason);
  }

  /** How the path `id` fares under each failure scenario it declares. */
  public scenarioOutcomes(id: string): ScenarioOutcome[] {
    this.path(id);
    const { options } = this.pathSteps.get(id)!;
    return (options.scenarios ?? []).map(scenario => {
      const brokenLinks = (options.links ?? []).flatMap(link => link.check(scenario));
      return { scenario: scenario.description, path: id, survives: brokenLinks.length === 0, brokenLinks, acknowledged: brokenLinks.length ? this.acknowledgements.get(id) : undefined };
    });
  }

  /** Declares a bound on the data lost in a failover; the RPO is the largest bound. */
  public addDataLossBound(bound: RecoveryStep): void {
    this.lossBounds.push(bound);
  }

  /** The ids of the declared paths. */
  public get pathIds(): string[] {
    return [...this.pathSteps.keys()];
  }

  /** The recovery paths with their computed figures. */
  public get paths(): RecoveryPathSummary[] {
    return this.pathIds.map(id => this.summarize(id));
  }

  /** The path `id` with its computed figures; throws `HaValidationError` for an id the pattern does not declare. */
  public path(id: string): RecoveryPathSummary {
    if (!this.pathSteps.has(id)) {
      throw new HaValidationError(this.owner, { prop: 'path', received: id, expected: `one of the pattern's path ids: ${this.describeIds()}` });
    }
    return this.summarize(id);
  }

  /** The data-loss bounds with their computed figures. */
  public get dataLossBounds(): ResolvedRecoveryStep[] {
    return this.lossBounds.map(b => b.resolve());
  }

  /** Worst-case recovery time: the slowest recovery path (0 when none is declared). */
  public get rto(): Duration {
    return Duration.millis(Math.max(0, ...this.paths.map(p => p.total.toMilliseconds())));
  }

  /** Worst-case data loss: the largest bound (0 when the pattern holds no data). */
  public get rpo(): Duration {
    return Duration.millis(Math.max(0, ...this.dataLossBounds.map(b => b.duration.toMilliseconds())));
  }

  /** The target of the path `id`: its own, else the overall `rto`. */
  public targetOf(id: string): Duration | undefined {
    return this.targets.paths?.find(t => t.path === id)?.rto ?? this.targets.rto;
  }

  /** The figures as JSON, for reports. */
  public toReport(): RecoveryObjectivesReport {
    const parent = this.node.scope;
    return {
      pattern: this.pattern,
      constructPath: parent ? parent.node.path : this.node.path,
      detection: this.detection,
      rtoSeconds: secs(this.rto),
      rpoSeconds: secs(this.rpo),
      rtoTargetSeconds: this.targets.rto ? secs(this.targets.rto) : undefined,
      rpoTargetSeconds: this.targets.rpo ? secs(this.targets.rpo) : undefined,
      paths: this.paths.map(p => ({
        name: p.name,
        description: p.description,
        totalSeconds: secs(p.total),
        fastestSeconds: secs(p.fastest),
        targetSeconds: p.target ? secs(p.target) : undefined,
        steps: p.steps.map(stepReport),
        scenarios: this.scenarioOutcomes(p.name),
        dataLoss: p.dataLoss ? stepReport(p.dataLoss) : undefined,
      })),
      dataLoss: this.dataLossBounds.map(stepReport),
    };
  }

  private summarize(id: string): RecoveryPathSummary {
    const { steps, options } = this.pathSteps.get(id)!;
    const resolvedSteps = steps.map(s => s.resolve());
    const sum = (f: (s: ResolvedRecoveryStep) => Duration) => Duration.millis(resolvedSteps.reduce((t, s) => t + f(s).toMilliseconds(), 0));
    return {
      name: id,
      description: options.description,
      steps: resolvedSteps,
      total: sum(s => s.duration),
      fastest: sum(s => s.fastest),
      target: this.targetOf(id),
      slowest: slowestOf(resolvedSteps),
      dataLoss: options.dataLoss?.resolve(),
    };
  }

  private describeIds(): string {
    return this.pathIds.map(i => `'${i}'`).join(', ') || '(none declared)';
  }

  private validatePathIds(): string[] {
    return (this.targets.paths ?? []).flatMap((t, i) => this.pathSteps.has(t.path) ? [] : [new HaValidationError(this.owner, {
      prop: `recoveryTargets.paths[${i}].path`,
      received: t.path,
      expected: `one of the pattern's path ids: ${this.describeIds()}`,
    }).message]);
  }

  private validateTargets(): string[] {
    const errors: string[] = [];
    for (const path of this.paths) {
      if (!path.target || Token.isUnresolved(path.target.toMilliseconds())) continue;
      if (path.total.toMilliseconds() > path.target.toMilliseconds()) {
        errors.push(describeMissedTarget(path, this.targetProp(path.name)));
      }
    }
    const rpoTarget = this.targets.rpo;
    if (rpoTarget && !rpoTarget.isUnresolved() && this.rpo.toMilliseconds() > rpoTarget.toMilliseconds()) {
      const worst = slowestOf(this.dataLossBounds)!;
      errors.push(
        `recovery point target not met: up to ${human(this.rpo)} of data can be lost, target ${human(rpoTarget)} (recoveryTargets.rpo); ` +
        `largest contributor: ${worst.component} (${worst.derivation}). ` +
        (worst.tuning ? `Lower it with ${worst.tuning}, or raise recoveryTargets.rpo.` : 'No setting lowers it: raise recoveryTargets.rpo.'));
    }
    return errors;
  }

  private validateScenarios(): string[] {
    return this.pathIds.flatMap(id => this.scenarioOutcomes(id)
      .filter(o => !o.survives && o.acknowledged === undefined)
      .map(o => `recovery path '${id}' does not survive ${o.scenario}: ${o.brokenLinks.join('; ')}. ` +
        'Place the link where the failure does not reach, grant the calls, or add capacity; ' +
        `or accept the gap with recoveryObjectives.acknowledgeBrokenPath('${id}', reason).`));
  }

  private targetProp(id: string): string {
    const i = (this.targets.paths ?? []).findIndex(t => t.path === id);
    return i >= 0 ? `recoveryTargets.paths[${i}].rto` : 'recoveryTargets.rto';
  }
}

/**
 * The message of a missed path target: the slowest step that a prop
 * shortens, that prop, and whether any setting meets the target.
 */
function describeMissedTarget(path: RecoveryPathSummary, targetProp: string): string {
  const head = `recovery time target not met: the '${path.name}' path takes ${human(path.total)} worst case, target ${human(path.target!)} (${targetProp})`;
  const steps = path.steps.map(s => `${s.component} ${human(s.duration)}`).join(' + ');
  if (path.fastest.toMilliseconds() > path.target!.toMilliseconds()) {
    return `${head} = ${steps}. No setting meets it: the fastest this path can be configured to is ${human(path.fastest)} ` +
      `(${describeFloors(path)}). Raise ${targetProp} to at least ${human(path.fastest)}.`;
  }
  const tunable = slowestOf(path.steps.filter(s => s.tuning && s.fastest.toMilliseconds() < s.duration.toMilliseconds()))!;
  return `${head} = ${steps}. Slowest component you can shorten: ${tunable.component} (${tunable.derivation} = ${human(tunable.duration)}); ` +
    `shorten it with ${tunable.tuning}, down to ${human(tunable.fastest)}. The fastest this path can be configured to is ${human(path.fastest)} ` +
    `(${describeFloors(path)}); or raise ${targetProp}.`;
}

function describeFloors(path: RecoveryPathSummary): string {
  return path.steps.map(s => `${s.component} ${human(s.fastest)}${s.tuning ? '' : ' fixed'}`).join(' + ');
}

function slowestOf(steps: ResolvedRecoveryStep[]): ResolvedRecoveryStep | undefined {
  return steps.reduce<ResolvedRecoveryStep | undefined>(
    (worst, s) => (!worst || s.duration.toMilliseconds() > worst.duration.toMilliseconds() ? s : worst), undefined);
}

function stepReport(s: ResolvedRecoveryStep): RecoveryStepReport {
  return { component: s.component, derivation: s.derivation, seconds: secs(s.duration), fastestSeconds: secs(s.fastest), tuning: s.tuning };
}

function secs(d: Duration): number {
  return d.toMilliseconds() / 1000;
}

/** `90 s`, `5 min`, `2 min 30 s`: shorter than Duration.toHumanString() for messages. */
function human(d: Duration): string {
  const ms = d.toMilliseconds();
  if (ms % 1000 !== 0) return `${ms / 1000} s`;
  const s = ms / 1000;
  if (s < 120) return `${s} s`;
  return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
}

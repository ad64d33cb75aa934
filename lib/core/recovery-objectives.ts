import { Duration, Token } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { addHaWarning, HaValidationError } from './errors';
import { FailureScenario, PathLink } from './failure-scenario';
import { describeMissedTarget, describeRto, human, secs, slowestOf, stepReport } from './recovery-figures';
import { RecoveryObjectivesReport, RecoveryPathSummary, ScenarioOutcome } from './recovery-report';
import { RecoveryStep, ResolvedRecoveryStep } from './recovery-step';
import { formatSeconds } from './target-advice';

// The computed figures' types, importable from here as before they had a file of their own.
export * from './recovery-report';

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
   * A path of a part of the pattern (a site of a web tier) is named by the
   * part's prefix and its id, e.g. `eu-west-1/task`; each path at most once.
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
  /** Parts whose paths the targets bind, by prefix. */
  private readonly parts = new Map<string, RecoveryObjectives>();
  /** The whole whose targets bind this part's paths, and this part's prefix there. */
  private whole?: { objectives: RecoveryObjectives; prefix: string };
  /** The pattern that warns about this one's single-sample decisions (the one this pattern is a part of). */
  private reporter?: RecoveryObjectives;

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
    // Two targets for one path: which one holds would be a guess.
    const paths = this.targets.paths ?? [];
    paths.forEach((t, i) => {
      const first = paths.findIndex(o => o.path === t.path);
      if (first < i && !Token.isUnresolved(t.path)) {
        throw new HaValidationError(scope, {
          prop: `recoveryTargets.paths[${i}].path`, received: t.path,
          expected: `each path at most once: recoveryTargets.paths[${first}] (rto ${describeRto(paths[first].rto)}) and ` +
            `recoveryTargets.paths[${i}] (rto ${describeRto(t.rto)}) both target '${t.path}'; keep the one you mean`,
        });
      }
    });
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

  /**
   * Makes this pattern's targets bind the paths of `part` (a pattern it is
   * built of, such as a web tier's site): the overall `rto` holds for them
   * unless the part has targets of its own, and `paths` names them
   * `<prefix>/<path id>` (e.g. `eu-west-1/task`). A part's missed target
   * names this pattern's prop.
   */
  public addPart(prefix: string, part: RecoveryObjectives): void {
    if (part === this || part.whole) {
      throw new Error(`${part.node.path}: a part of one pattern only (already bound by ${part.whole?.objectives.node.path ?? 'itself'})`);
    }
    this.parts.set(prefix, part);
    part.whole = { objectives: this, prefix };
    part.reporter = this;
  }

  /**
   * Makes this pattern the one that warns about the single-sample decisions
   * its paths share with `part` (a pattern it is built of, such as a web
   * tier's DNS names), so the warning is on the pattern the user created,
   * once, whatever the order of the stacks.
   */
  public reportDecisionsOf(part: RecoveryObjectives): void {
    part.reporter = this;
  }

  /** The ids `paths` may name: the pattern's own, then each part's as `<prefix>/<id>`. */
  public get targetablePathIds(): string[] {
    return [...this.pathIds, ...[...this.parts.entries()].flatMap(([prefix, part]) => part.targetablePathIds.map(id => `${prefix}/${id}`))];
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

  /**
   * The target of the path `id`: its own, else the one the whole names it by
   * (`<prefix>/<id>`), else the overall `rto`, else the whole's.
   */
  public targetOf(id: string): Duration | undefined {
    return this.targetSource(id)?.rto;
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

  private describeIds(ids = this.pathIds): string {
    return ids.map(i => `'${i}'`).join(', ') || '(none declared)';
  }

  /** Where the target of the path `id` comes from: the target and the prop that states it (with its pattern when another's). */
  private targetSource(id: string): { rto: Duration; prop: string } | undefined {
    const i = (this.targets.paths ?? []).findIndex(t => t.path === id);
    if (i >= 0) return { rto: this.targets.paths![i].rto, prop: `recoveryTargets.paths[${i}].rto` };
    const whole = this.whole;
    const named = whole?.objectives.targetSource(`${whole.prefix}/${id}`);
    if (whole && named && named.prop.includes('paths[')) return { rto: named.rto, prop: named.prop };
    if (this.targets.rto) return { rto: this.targets.rto, prop: 'recoveryTargets.rto' };
    if (whole && named) return named;
    return undefined;
  }

  private validatePathIds(): string[] {
    const known = new Set(this.targetablePathIds);
    return (this.targets.paths ?? []).flatMap((t, i) => known.has(t.path) ? [] : [new HaValidationError(this.owner, {
      prop: `recoveryTargets.paths[${i}].path`,
      received: t.path,
      expected: `one of the pattern's path ids: ${this.describeIds(this.targetablePathIds)}`,
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
    this.warnSingleSamples();
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

  /** The prop that states the target of `id`, as the user writes it (another pattern's: `Web's recoveryTargets.rto`). */
  private targetProp(id: string): string {
    const prop = this.targetSource(id)?.prop ?? 'recoveryTargets.rto';
    const mine = (this.targets.paths ?? []).some(t => t.path === id) || (this.targets.rto !== undefined && !prop.includes('paths['));
    if (mine || !this.whole) return prop;
    const wholePath = this.whole.objectives.owner.node.path;
    return `${prop} of ${wholePath}, which binds this part's paths; set this path alone with ${wholePath}'s recoveryTargets.paths ` +
      `[{ path: '${this.whole.prefix}/${id}', rto }]`;
  }

  /**
   * Warns, once per decision, for each step of a path that decides on a
   * single sample and sets off an automation that loses data or moves traffic.
   */
  private warnSingleSamples(): void {
    for (const path of this.paths) {
      for (const step of path.steps) {
        const m = step.model;
        if (!m || !m.sampled || !m.singleSample || m.samples !== 1) continue;
        if (this.reporter?.paths.some(p => p.steps.some(s => s.model?.source === m.source))) continue;
        const warned = WARNED.get(this.node.root) ?? new Set<string>();
        const key = `${m.source} ${m.singleSample.slug}`;
        if (warned.has(key)) continue;
        warned.add(key);
        WARNED.set(this.node.root, warned);
        const fix = m.samplesKnob
          ? `set ${m.samplesKnob.prop} to 2 or more (each sample adds ${formatSeconds(m.seconds)} to the '${path.name}' path)`
          : 'decide on 2 samples or more';
        addHaWarning(this.owner, m.singleSample.slug,
          `${step.component} decides on a single sample (${step.derivation}): one bad ${formatSeconds(m.seconds)} sample ${m.singleSample.action}, ` +
          'and the next good one may undo it (flapping: a slow answer, a deployment or a network blip is enough). ' +
          `To keep the decision on two samples or more, ${fix}; or acknowledge cdk-ha-patterns:${m.singleSample.slug} ` +
          'if acting on one sample is what you want.');
      }
    }
  }
}

/** The decisions already warned about in each app, by the path their settings are read from and slug (a pattern and its parts share steps). */
const WARNED = new WeakMap<IConstruct, Set<string>>();


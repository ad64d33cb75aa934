import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct, IConstruct } from 'constructs';
import { HaValidationError } from './errors';

/** A step of a recovery path, resolved to a figure. */
export interface ResolvedRecoveryStep {
  /** The component that spends this time, e.g. `Route 53 health check (eu-west-1)`. */
  readonly component: string;
  /** How the figure follows from the settings, e.g. `10 s interval x 3 failures`. */
  readonly derivation: string;
  /** Worst-case time (for a recovery path) or data lost (for a data-loss bound). */
  readonly duration: Duration;
}

/**
 * One step of a recovery path (or one data-loss bound), computed from the
 * synthesized settings when it is resolved, so escape-hatch overrides count.
 */
export abstract class RecoveryStep {
  /** A figure known up front (a documented service time, a user's estimate). */
  public static fixed(component: string, duration: Duration, derivation: string): RecoveryStep {
    return RecoveryStep.computed(component, () => ({ duration, derivation }));
  }

  /** A figure computed when the step is resolved. */
  public static computed(component: string, compute: () => { duration: Duration; derivation: string }): RecoveryStep {
    return new ComputedStep(component, compute);
  }

  /**
   * Time for a Route 53 health check to declare an endpoint unhealthy:
   * request interval x failure threshold, read from the synthesized health check.
   */
  public static route53HealthCheck(component: string, healthCheck: route53.IHealthCheck): RecoveryStep {
    return RecoveryStep.computed(component, () => {
      const cfn = healthCheck.node.defaultChild as route53.CfnHealthCheck | undefined;
      if (!cfn) throw new Error(`${component}: an imported health check has no settings to compute from`);
      const config = Stack.of(cfn).resolve(cfn.healthCheckConfig) as { requestInterval?: number; failureThreshold?: number };
      const interval = config.requestInterval ?? 30;
      const failures = config.failureThreshold ?? 3;
      return {
        duration: Duration.seconds(interval * failures),
        derivation: `${interval} s interval x ${failures} failures`,
      };
    });
  }

  /** Time for resolvers to drop a cached answer: the record's TTL (0 for alias records). */
  public static dnsTtl(component: string, record: route53.IRecordSet): RecoveryStep {
    return RecoveryStep.computed(component, () => {
      const cfn = record.node.defaultChild as route53.CfnRecordSet;
      const resolved = Stack.of(cfn).resolve({ ttl: cfn.ttl, alias: cfn.aliasTarget }) as { ttl?: string; alias?: unknown };
      if (resolved.alias !== undefined) {
        return { duration: Duration.seconds(60), derivation: 'alias record: resolvers cache the target for its 60 s TTL' };
      }
      const ttl = Number(resolved.ttl ?? 1800);
      return { duration: Duration.seconds(ttl), derivation: `record TTL ${ttl} s` };
    });
  }

  /**
   * Time for a load balancer to take an unhealthy target out of service:
   * health-check interval x unhealthy threshold, read from the target group.
   */
  public static targetGroupHealthCheck(component: string, targetGroup: elbv2.ITargetGroup): RecoveryStep {
    return RecoveryStep.computed(component, () => {
      const cfn = targetGroup.node.defaultChild as elbv2.CfnTargetGroup;
      const resolved = Stack.of(cfn).resolve({
        interval: cfn.healthCheckIntervalSeconds,
        threshold: cfn.unhealthyThresholdCount,
      }) as { interval?: number; threshold?: number };
      // Elastic Load Balancing defaults: 30 s interval, 2 unhealthy checks.
      const interval = resolved.interval ?? 30;
      const threshold = resolved.threshold ?? 2;
      return {
        duration: Duration.seconds(interval * threshold),
        derivation: `${interval} s interval x ${threshold} unhealthy checks`,
      };
    });
  }

  /** The component the step belongs to. */
  public abstract readonly component: string;

  /** Computes the figure from the current settings. */
  public abstract resolve(): ResolvedRecoveryStep;
}

class ComputedStep extends RecoveryStep {
  constructor(public readonly component: string, private readonly compute: () => { duration: Duration; derivation: string }) {
    super();
  }

  public resolve(): ResolvedRecoveryStep {
    const { duration, derivation } = this.compute();
    return { component: this.component, duration, derivation };
  }
}

/** Targets a user states for a pattern. */
export interface RecoveryTargets {
  /**
   * Worst-case recovery time the configuration must meet on every recovery path.
   * @default no target
   */
  readonly rto?: Duration;
  /**
   * Worst-case data loss the configuration must meet.
   * @default no target
   */
  readonly rpo?: Duration;
}

/** Options of a recovery path. */
export interface RecoveryPathOptions {
  /**
   * A target for this path alone (for example the browser path of a web tier).
   * @default the pattern's `rto` target
   */
  readonly target?: Duration;
  /**
   * What the path recovers from, for the report.
   * @default no description
   */
  readonly description?: string;
}

/** Props of `RecoveryObjectives`. */
export interface RecoveryObjectivesProps {
  /** The pattern's name, e.g. `ActiveSpareWebTier`. */
  readonly pattern: string;
  /** How the pattern detects failure, in one sentence. */
  readonly detection: string;
  /**
   * Targets to meet: synthesis fails, naming the slowest component, when the configuration cannot.
   * @default no targets
   */
  readonly targets?: RecoveryTargets;
}

/** A recovery path with its figures. */
export interface RecoveryPathSummary {
  readonly name: string;
  readonly description?: string;
  readonly steps: ResolvedRecoveryStep[];
  readonly total: Duration;
  readonly target?: Duration;
  readonly slowest?: ResolvedRecoveryStep;
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
  readonly paths: Array<{
    readonly name: string;
    readonly description?: string;
    readonly totalSeconds: number;
    readonly targetSeconds?: number;
    readonly steps: Array<{ readonly component: string; readonly derivation: string; readonly seconds: number }>;
  }>;
  readonly dataLoss: Array<{ readonly component: string; readonly derivation: string; readonly seconds: number }>;
}

const RECOVERY_OBJECTIVES_SYMBOL = Symbol.for('cdk-ha-patterns.RecoveryObjectives');

/**
 * The worst-case recovery time (RTO) and recovery point (RPO) of a pattern,
 * computed from its synthesized settings.
 *
 * A pattern declares one or more recovery paths (sequences of steps whose
 * times add up: detection, DNS, task start, ...) and its data-loss bounds
 * (replication lag, checkpoint interval, ...). The RTO is the slowest path,
 * the RPO the largest bound. Targets are checked at synthesis.
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

  private readonly pathSteps = new Map<string, { steps: RecoveryStep[]; options: RecoveryPathOptions }>();
  private readonly lossBounds: RecoveryStep[] = [];

  constructor(scope: Construct, id: string, props: RecoveryObjectivesProps) {
    super(scope, id);
    Object.defineProperty(this, RECOVERY_OBJECTIVES_SYMBOL, { value: true });
    this.pattern = props.pattern;
    this.detection = props.detection;
    this.targets = props.targets ?? {};
    for (const [prop, value] of [['recoveryTargets.rto', this.targets.rto], ['recoveryTargets.rpo', this.targets.rpo]] as const) {
      if (value && !value.isUnresolved() && value.toMilliseconds() < 0) {
        throw new HaValidationError(this, { prop, received: value, expected: 'a duration of 0 or more' });
      }
    }
    this.node.addValidation({ validate: () => this.validateTargets() });
  }

  /**
   * Declares a recovery path, or appends steps to one declared before.
   * Steps of a path happen one after the other, so their times add up.
   */
  public addRecoveryPath(name: string, steps: RecoveryStep[], options: RecoveryPathOptions = {}): void {
    const existing = this.pathSteps.get(name);
    if (existing) {
      existing.steps.push(...steps);
      return;
    }
    this.pathSteps.set(name, { steps: [...steps], options });
  }

  /** Declares a bound on the data lost in a failover; the RPO is the largest bound. */
  public addDataLossBound(bound: RecoveryStep): void {
    this.lossBounds.push(bound);
  }

  /** The recovery paths with their computed figures. */
  public get paths(): RecoveryPathSummary[] {
    return [...this.pathSteps.entries()].map(([name, { steps, options }]) => {
      const resolved = steps.map(s => s.resolve());
      const total = Duration.millis(resolved.reduce((sum, s) => sum + s.duration.toMilliseconds(), 0));
      const slowest = resolved.reduce<ResolvedRecoveryStep | undefined>(
        (worst, s) => (!worst || s.duration.toMilliseconds() > worst.duration.toMilliseconds() ? s : worst), undefined);
      return { name, description: options.description, steps: resolved, total, target: options.target ?? this.targets.rto, slowest };
    });
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

  /** The figures as JSON, for reports. */
  public toReport(): RecoveryObjectivesReport {
    const secs = (d: Duration) => d.toMilliseconds() / 1000;
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
        targetSeconds: p.target ? secs(p.target) : undefined,
        steps: p.steps.map(s => ({ component: s.component, derivation: s.derivation, seconds: secs(s.duration) })),
      })),
      dataLoss: this.dataLossBounds.map(s => ({ component: s.component, derivation: s.derivation, seconds: secs(s.duration) })),
    };
  }

  private validateTargets(): string[] {
    const errors: string[] = [];
    for (const path of this.paths) {
      if (!path.target || Token.isUnresolved(path.target.toMilliseconds())) continue;
      if (path.total.toMilliseconds() > path.target.toMilliseconds()) {
        const slow = path.slowest!;
        errors.push(
          `recovery time target not met: the '${path.name}' path takes ${path.total.toHumanString()} worst case, ` +
          `target ${path.target.toHumanString()}; slowest component: ${slow.component} (${slow.derivation} = ${slow.duration.toHumanString()}). ` +
          `Shorten that component's settings or raise the target.`);
      }
    }
    const rpoTarget = this.targets.rpo;
    if (rpoTarget && this.rpo.toMilliseconds() > rpoTarget.toMilliseconds()) {
      const worst = this.dataLossBounds.reduce((a, b) => (b.duration.toMilliseconds() > a.duration.toMilliseconds() ? b : a));
      errors.push(
        `recovery point target not met: up to ${this.rpo.toHumanString()} of data can be lost, target ${rpoTarget.toHumanString()}; ` +
        `largest contributor: ${worst.component} (${worst.derivation}). Tighten that component or raise the target.`);
    }
    return errors;
  }
}

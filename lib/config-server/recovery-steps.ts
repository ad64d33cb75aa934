import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { RecoveryStep, ResolvedRecoveryStep } from '../core/recovery-step';
import { renderedProperties } from '../private/rendered';

/**
 * Steps that happen one after the other, as one step: for a branch of
 * `RecoveryStep.slowest()` (the turn-on runs its branches side by side, and
 * each branch is a sequence).
 */
export class SequenceStep extends RecoveryStep {
  constructor(public readonly component: string, private readonly steps: RecoveryStep[]) {
    super();
    if (steps.length === 0) throw new Error(`${component}: a sequence needs at least one step`);
  }

  public resolve(): ResolvedRecoveryStep {
    const all = this.steps.map(s => s.resolve());
    const sum = (f: (s: ResolvedRecoveryStep) => Duration) => Duration.millis(all.reduce((t, s) => t + f(s).toMilliseconds(), 0));
    return {
      component: this.component,
      duration: sum(s => s.duration),
      fastest: sum(s => s.fastest),
      derivation: all.map(s => `${s.component} ${s.duration.toMilliseconds() / 1000} s (${s.derivation})`).join(' + '),
      tuning: [...new Set(all.filter(s => s.tuning).map(s => s.tuning))].join(', ') || undefined,
    };
  }
}

/**
 * A wait of one period a function reads from its environment (seconds), as
 * synthesized (escape hatches count), e.g. a poll interval.
 */
export class FunctionEnvironmentStep extends RecoveryStep {
  constructor(public readonly component: string, private readonly fn: lambda.IFunction, private readonly variable: string,
    private readonly fallback: Duration, private readonly what: string) {
    super();
  }

  public resolve(): ResolvedRecoveryStep {
    const variables = (renderedProperties(this.fn.node.defaultChild as lambda.CfnFunction).Environment as { Variables?: Record<string, unknown> } | undefined)
      ?.Variables ?? {};
    const raw = String(variables[this.variable]);
    const duration = /^\d+$/.test(raw) ? Duration.seconds(Number(raw)) : this.fallback;
    return { component: this.component, duration, fastest: duration, derivation: `${this.what}: ${this.variable} = ${duration.toSeconds()} s` };
  }
}

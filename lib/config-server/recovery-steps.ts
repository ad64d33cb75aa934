import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { RecoveryStep, ResolvedRecoveryStep } from '../core/recovery-step';
import { renderedProperties } from '../private/rendered';

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

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

/**
 * How long after the turn-on's request the database's promoter can start a failover with data loss
 * when the primary region is lost: it waits for its own probe alarm (its data-plane confirmation),
 * whose detection runs beside the configuration server's from the same failure, so only the part of
 * it that is longer counts (0 when it is not).
 */
export class PromoterConfirmationStep extends RecoveryStep {
  constructor(public readonly component: string, private readonly promoterDetection: RecoveryStep, private readonly turnOnDetection: RecoveryStep) {
    super();
  }

  public resolve(): ResolvedRecoveryStep {
    const promoter = this.promoterDetection.resolve().duration.toMilliseconds();
    const turnOn = this.turnOnDetection.resolve().duration.toMilliseconds();
    const duration = Duration.millis(Math.max(0, promoter - turnOn));
    return {
      component: this.component, duration, fastest: duration,
      derivation: `the promoter's detection (${promoter / 1000} s) less the turn-on's (${turnOn / 1000} s), both from the same failure; 0 when shorter`,
    };
  }
}

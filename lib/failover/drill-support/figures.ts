import { CfnOutput, Duration, Stack, Token } from 'aws-cdk-lib';

/** Whole minutes, rounded up, at least `min`: the unit Region switch and Resilience Hub take. */
export function ceilMinutes(d: Duration, min = 1): number {
  return Math.max(min, Math.ceil(d.toMilliseconds() / 60_000));
}

/** An ISO 8601 duration FIS accepts (`PT90S`, `PT5M`, `PT1H`). */
export function isoDuration(d: Duration): string {
  const s = Math.ceil(d.toMilliseconds() / 1000);
  if (s % 3600 === 0) return `PT${s / 3600}H`;
  if (s % 60 === 0) return `PT${s / 60}M`;
  return `PT${s}S`;
}

/** `90 s`, `5 min`, `2 min 30 s`. */
export function human(d: Duration): string {
  const s = Math.round(d.toMilliseconds() / 100) / 10;
  if (s < 120) return `${s} s`;
  return `${Math.floor(s / 60)} min${s % 60 ? ` ${Math.round(s % 60)} s` : ''}`;
}

/**
 * A shell expression that reads `output` of its deployed stack:
 * `$(aws cloudformation describe-stacks ... --output text)`.
 */
export function outputLookup(output: CfnOutput): string {
  const stack = Stack.of(output);
  const key = stack.resolve(output.logicalId) as string;
  return `$(aws cloudformation describe-stacks --region ${literal(stack.region, '<region>')} --stack-name ${stack.stackName} ` +
    `--query "Stacks[0].Outputs[?OutputKey=='${key}'].OutputValue" --output text)`;
}

/** `value`, or `placeholder` when it is a token. */
export function literal(value: string, placeholder: string): string {
  return Token.isUnresolved(value) ? placeholder : value;
}

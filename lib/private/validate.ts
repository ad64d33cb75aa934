import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { HaValidationError } from '../core/errors';

/** Throws unless `value` is an integer within [min, max]; tokens pass. */
export function requireInteger(scope: IConstruct, prop: string, value: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
    throw new HaValidationError(scope, { prop, received: value, expected: range });
  }
}

/** Throws unless `value` is within [min, max]; unresolved durations pass. */
export function requireDurationBetween(scope: IConstruct, prop: string, value: Duration | undefined, min: Duration, max?: Duration): void {
  if (value === undefined || value.isUnresolved()) return;
  const ms = value.toMilliseconds();
  if (ms < min.toMilliseconds() || (max && ms > max.toMilliseconds())) {
    const expected = max
      ? `a duration from ${min.toHumanString()} to ${max.toHumanString()}`
      : `a duration of at least ${min.toHumanString()}`;
    throw new HaValidationError(scope, { prop, received: value, expected });
  }
}

/** Throws when a list has duplicates (by key); names the duplicate. */
export function requireUnique<T>(scope: IConstruct, prop: string, items: readonly T[], key: (item: T) => string, what: string): void {
  const seen = new Set<string>();
  for (const item of items) {
    const k = key(item);
    if (Token.isUnresolved(k)) continue;
    if (seen.has(k)) {
      throw new HaValidationError(scope, { prop, received: k, expected: `each ${what} at most once (it appears twice)` });
    }
    seen.add(k);
  }
}

/** Seconds of a duration that must be resolved. */
export function seconds(d: Duration): number {
  return d.toSeconds();
}

import { Duration } from 'aws-cdk-lib';

/**
 * The default Route 53 failure threshold: the largest value up to 3 whose
 * detection (interval x threshold) plus the DNS cache time meets `target`;
 * at least 1 (the target error then names the props to change); 3 without
 * a target. Whole seconds are compared, so a target that the threshold
 * meets exactly is met.
 */
export function defaultFailureThreshold(target: Duration | undefined, interval: Duration, cache: Duration): number {
  if (!target || target.isUnresolved() || interval.isUnresolved() || cache.isUnresolved()) return 3;
  const fits = Math.floor((target.toMilliseconds() - cache.toMilliseconds()) / interval.toMilliseconds());
  return Math.max(1, Math.min(3, fits));
}

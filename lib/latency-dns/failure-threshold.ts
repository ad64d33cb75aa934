import { Duration } from 'aws-cdk-lib';

/**
 * The default TTL of a common name's records (CNAMEs to the site names): with
 * the default 10 s x 3 health check, clients leave a failed site within 45 s.
 */
export const DEFAULT_RECORD_TTL = Duration.seconds(15);

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

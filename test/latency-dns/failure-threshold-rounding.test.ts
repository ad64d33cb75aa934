/**
 * The default Route 53 failure threshold against a recovery target: a
 * target that some threshold meets must be met by the default (a rounding
 * that picks one too many turns a reachable target into a failed synth),
 * and a target met exactly is met.
 */
import { Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { RecoveryObjectives } from '../../lib/core/recovery-objectives';
import { RecoveryStep } from '../../lib/core/recovery-step';
import { defaultFailureThreshold } from '../../lib/latency-dns/failure-threshold';
import { testApp, testEnv } from '../harness';

describe('defaultFailureThreshold', () => {
  test('3 (Route 53\'s default) without a target', () => {
    expect(defaultFailureThreshold(undefined, Duration.seconds(10), Duration.seconds(60))).toBe(3);
  });

  test('3 when the target, the interval or the cache time is a token', () => {
    const token = Duration.seconds(Lazy.number({ produce: () => 90 }));
    expect(token.isUnresolved()).toBe(true);
    expect(defaultFailureThreshold(token, Duration.seconds(10), Duration.seconds(60))).toBe(3);
    expect(defaultFailureThreshold(Duration.seconds(75), token, Duration.seconds(60))).toBe(3);
    expect(defaultFailureThreshold(Duration.seconds(75), Duration.seconds(10), token)).toBe(3);
  });

  test.each([
    // target, interval, cache -> threshold
    [90, 10, 60, 3], // exactly 3 x 10 + 60: met exactly
    [89, 10, 60, 2],
    [80, 10, 60, 2], // exactly 2 x 10 + 60
    [79, 10, 60, 1],
    [70, 10, 60, 1], // exactly 1 x 10 + 60
    [60, 10, 60, 1], // unreachable: at least 1 (the target error names the props)
    [1000, 10, 60, 3], // never more than 3
    [120, 30, 0, 3],
    [119, 30, 0, 3], // floor(119 / 30) = 3
    [89, 30, 0, 2],
    [59, 30, 0, 1],
  ])('target %i s, interval %i s, cache %i s: %i', (target, interval, cache, threshold) => {
    expect(defaultFailureThreshold(Duration.seconds(target), Duration.seconds(interval), Duration.seconds(cache))).toBe(threshold);
  });

  test('every reachable target is met, with the largest threshold up to 3 that meets it', () => {
    for (const interval of [10, 30]) {
      for (const cache of [0, 5, 30, 60, 300]) {
        for (let target = 1; target <= 500; target++) {
          const threshold = defaultFailureThreshold(Duration.seconds(target), Duration.seconds(interval), Duration.seconds(cache));
          const meets = (n: number) => n * interval + cache <= target;
          expect(threshold).toBeGreaterThanOrEqual(1);
          expect(threshold).toBeLessThanOrEqual(3);
          if (meets(1)) {
            expect(meets(threshold)).toBe(true);
            if (threshold < 3) expect(meets(threshold + 1)).toBe(false);
          } else {
            expect(threshold).toBe(1);
          }
        }
      }
    }
  });

  test('milliseconds count: 90.5 s still allows 3 x 10 s + 60 s, 89.9 s does not', () => {
    expect(defaultFailureThreshold(Duration.millis(90_500), Duration.seconds(10), Duration.seconds(60))).toBe(3);
    expect(defaultFailureThreshold(Duration.millis(89_900), Duration.seconds(10), Duration.seconds(60))).toBe(2);
  });
});

describe('a target met exactly synthesizes', () => {
  function objectivesWith(target: Duration, threshold: number) {
    const app = testApp();
    const stack = new Stack(app, 'S', { env: testEnv() });
    const healthCheck = new route53.HealthCheck(stack, 'Check', {
      type: route53.HealthCheckType.HTTPS, fqdn: 'agents.example.com', requestInterval: Duration.seconds(10), failureThreshold: threshold,
    });
    const objectives = new RecoveryObjectives(stack, 'Objectives', { pattern: 'Test', detection: 'health check', targets: { rto: target } });
    objectives.addRecoveryPath('dns', [
      RecoveryStep.route53HealthCheck('Route 53 health check', healthCheck, { prop: 'failureThreshold (1 to 10)', floor: Duration.seconds(10) }),
      RecoveryStep.constant('DNS cache', Duration.seconds(60), 'alias record'),
    ]);
    return { app, objectives };
  }

  test.each([70, 80, 89, 90, 91])('a %i s target with the default threshold', target => {
    const threshold = defaultFailureThreshold(Duration.seconds(target), Duration.seconds(10), Duration.seconds(60));
    const { app, objectives } = objectivesWith(Duration.seconds(target), threshold);
    expect(objectives.path('dns').total.toSeconds()).toBe(threshold * 10 + 60);
    expect(() => app.synth()).not.toThrow();
  });

  test('one millisecond over the target fails, naming the target and the path', () => {
    const { app } = objectivesWith(Duration.millis(89_999), 3);
    expect(() => app.synth()).toThrow(/recovery time target not met: the 'dns' path takes 90 s worst case, target 89.999 s \(recoveryTargets.rto\)/);
  });
});

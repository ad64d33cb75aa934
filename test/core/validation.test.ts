import { Duration, Stack, Token } from 'aws-cdk-lib';
import { requireDurationBetween, requireInteger, requireUnique } from '../../lib/core/validation';
import { testApp } from '../harness';

const scope = new Stack(testApp(), 'V');

describe('validation helpers', () => {
  test.each([0, 1.5, -3])('requireInteger fails when %p is not an integer >= 1', value => {
    expect(() => requireInteger(scope, 'activeCapacity', value, 1)).toThrow(`V: invalid prop 'activeCapacity': received ${value}; expected an integer >= 1`);
  });

  test('requireInteger names the range when there is a maximum', () => {
    expect(() => requireInteger(scope, 'cells', 11, 2, 10)).toThrow("expected an integer from 2 to 10");
  });

  test('requireInteger lets integers in range, undefined and tokens pass', () => {
    expect(() => requireInteger(scope, 'n', 3, 1)).not.toThrow();
    expect(() => requireInteger(scope, 'n', undefined, 1)).not.toThrow();
    expect(() => requireInteger(scope, 'n', Token.asNumber({ resolve: () => 0 }), 1)).not.toThrow();
  });

  test('requireDurationBetween fails outside the range', () => {
    expect(() => requireDurationBetween(scope, 'ttl', Duration.seconds(61), Duration.seconds(0), Duration.seconds(60)))
      .toThrow("V: invalid prop 'ttl': received 1 minute 1 second; expected a duration from 0 seconds to 1 minute");
    expect(() => requireDurationBetween(scope, 'lease', Duration.seconds(1), Duration.seconds(5)))
      .toThrow('expected a duration of at least 5 seconds');
    expect(() => requireDurationBetween(scope, 'ttl', Duration.seconds(60), Duration.seconds(0), Duration.seconds(60))).not.toThrow();
  });

  test('requireUnique names the duplicate', () => {
    expect(() => requireUnique(scope, 'sites', [{ region: 'eu-west-1' }, { region: 'eu-west-1' }], s => s.region, 'region'))
      .toThrow("V: invalid prop 'sites': received \"eu-west-1\"; expected each region at most once (it appears twice)");
  });
});

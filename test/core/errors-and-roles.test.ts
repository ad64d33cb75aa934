/**
 * The library's error, how it renders what it received, and the alarm-role
 * and signal-kind names (they appear in templates' descriptions and in
 * users' code as strings).
 */
import { App, Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AlarmRole, SignalKind } from '../../lib/core/alarm-role';
import { describeValue, HaValidationError } from '../../lib/core/errors';
import { testApp, testEnv } from '../harness';

describe('HaValidationError', () => {
  test('names the construct path, the prop, the value received and what is expected', () => {
    const stack = new Stack(testApp(), 'Web', { env: testEnv() });
    const tier = new Construct(stack, 'Tier');
    const error = new HaValidationError(tier, { prop: 'activeCapacity', received: 0, expected: 'an integer >= 1' });
    expect(error).toBeInstanceOf(HaValidationError);
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe("Web/Tier: invalid prop 'activeCapacity': received 0; expected an integer >= 1");
    expect(error.name).toBe('HaValidationError');
    expect(error.constructPath).toBe('Web/Tier');
    expect(error.prop).toBe('activeCapacity');
  });

  test('the app itself is named <root>', () => {
    const error = new HaValidationError(new App(), { prop: 'p', received: 'x', expected: 'y' });
    expect(error.message).toBe("<root>: invalid prop 'p': received \"x\"; expected y");
    expect(error.constructPath).toBe('');
  });
});

describe('describeValue', () => {
  const circular: Record<string, unknown> = {};
  circular.self = circular;

  test.each([
    ['undefined', undefined, 'undefined'],
    ['a string, quoted', 'eu-west-1', '"eu-west-1"'],
    ['an empty string', '', '""'],
    ['a string token', Lazy.string({ produce: () => 'x' }), '<token>'],
    ['a number', 3, '3'],
    ['zero', 0, '0'],
    ['a number token', Token.asNumber({ resolve: () => 1 }), '<token>'],
    ['a Duration, for humans', Duration.minutes(2), '2 minutes'],
    ['an object as JSON', { a: [1, 2] }, '{"a":[1,2]}'],
    ['null', null, 'null'],
    ['false', false, 'false'],
    ['an object whose toHumanString is not a function', { toHumanString: 'no' }, '{"toHumanString":"no"}'],
    ['a value JSON cannot render', circular, '[object Object]'],
  ])('%s', (_, value, text) => {
    expect(describeValue(value)).toBe(text);
  });
});

test('alarm roles and signal kinds are named as written', () => {
  expect({ ...AlarmRole }).toEqual({ FAILOVER_TRIGGER: 'FAILOVER_TRIGGER', NOTIFYING: 'NOTIFYING', INFORMATIONAL: 'INFORMATIONAL' });
  expect({ ...SignalKind }).toEqual({ STATUS: 'STATUS', HEARTBEAT: 'HEARTBEAT', EVENT_COUNT: 'EVENT_COUNT', LEVEL: 'LEVEL' });
});

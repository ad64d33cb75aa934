import { App } from 'aws-cdk-lib';
import { HaErrors, HaValidationError } from '../../lib';

test('HaErrors.isHaValidationError tells the library\'s validation errors apart (the check every jsii language can call)', () => {
  const error = new HaValidationError(new App(), { prop: 'p', received: 1, expected: 'two' });
  expect(HaErrors.isHaValidationError(error)).toBe(true);
  expect(error).toBeInstanceOf(Error);
  expect(error.name).toBe('HaValidationError');
  expect(error.message).toBe("<root>: invalid prop 'p': received 1; expected two");
  expect(HaErrors.isHaValidationError(new Error('x'))).toBe(false);
  expect(HaErrors.isHaValidationError(undefined)).toBe(false);
});

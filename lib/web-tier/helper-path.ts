import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { HaValidationError } from '../core/errors';
import { requireIdentifier } from '../core/validation';

/** Path prefix of `BrowserFailoverHelper` unless set. */
export const DEFAULT_HELPER_PATH_PREFIX = '/ha-failover';

/** Throws unless `prefix` is a literal path prefix an ALB path condition can carry (at most 126 characters before `/*`). */
export function requireHelperPathPrefix(scope: IConstruct, prop: string, prefix: string): void {
  requireIdentifier(scope, prop, prefix, 'path prefix', /^(\/[A-Za-z0-9._~-]+)+$/,
    'starts with "/", no trailing "/", letters, digits and -_.~/ only, e.g. "/ha-failover"');
  if (!Token.isUnresolved(prefix) && prefix.length > 126) {
    throw new HaValidationError(scope, { prop, received: prefix, expected: 'at most 126 characters (the load balancer\'s path condition holds 128 with "/*")' });
  }
}

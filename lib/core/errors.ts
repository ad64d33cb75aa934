import { Annotations, Aspects, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** What an `HaValidationError` reports. */
export interface HaValidationErrorProps {
  /** The offending prop, as the user wrote it (`activeCapacity`, `sites[1].region`). */
  readonly prop: string;
  /** The value received. */
  readonly received: unknown;
  /** What is expected instead, and how to fix it. */
  readonly expected: string;
}

/** The base of the library's errors (not exported: jsii cannot model a subclass of `Error`). */
abstract class HaError extends Error {}

/**
 * Tells the library's errors apart, in every language (the error classes
 * themselves extend `Error`, which jsii cannot carry across languages).
 */
export class HaErrors {
  /** Whether `x` is an `HaValidationError`: bad input to a cdk-ha-patterns construct. */
  public static isHaValidationError(x: any): boolean { // eslint-disable-line @typescript-eslint/no-explicit-any -- jsii: any value may be thrown
    return x instanceof HaValidationError;
  }
}

/**
 * The error every cdk-ha-patterns construct throws for bad input.
 *
 * The message names the construct path, the prop, the value received and
 * what is expected, e.g.
 * `Web/Tier: invalid prop 'activeCapacity': received 0; expected an integer >= 1`.
 *
 * @internal TypeScript users may import it; other languages use `HaErrors.isHaValidationError()`
 */
export class HaValidationError extends HaError {
  /** Path of the construct that rejected its input. */
  public readonly constructPath: string;
  /** The offending prop. */
  public readonly prop: string;

  constructor(scope: IConstruct, props: HaValidationErrorProps) {
    super(`${scope.node.path || '<root>'}: invalid prop '${props.prop}': received ${describeValue(props.received)}; expected ${props.expected}`);
    this.name = 'HaValidationError';
    this.constructPath = scope.node.path;
    this.prop = props.prop;
    Object.setPrototypeOf(this, HaValidationError.prototype);
  }
}

/**
 * Adds an acknowledgeable warning `cdk-ha-patterns:<slug>` to a construct:
 * for choices that are legal but weaken the pattern's promises.
 * Acknowledge it with `Annotations.of(scope).acknowledgeWarning('cdk-ha-patterns:<slug>', reason)`.
 */
export function addHaWarning(scope: IConstruct, slug: string, message: string): void {
  const id = `cdk-ha-patterns:${slug}`;
  if (scope.node.scopes.some(Stack.isStack)) {
    Annotations.of(scope).addWarningV2(id, message);
    return;
  }
  // Outside every stack (a construct that creates its own stacks under an App
  // or Stage): an annotation there never reaches the cloud assembly, so
  // `cdk synth` would not show it. Put it on the first stack below, at synthesis.
  let placed = false;
  Aspects.of(scope).add({
    visit: node => {
      if (placed || !Stack.isStack(node)) return;
      placed = true;
      Annotations.of(node).addWarningV2(id, `${scope.node.path}: ${message}`);
    },
  });
}

/** Renders a received value for an error message. @internal */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return Token.isUnresolved(value) ? '<token>' : JSON.stringify(value);
  if (typeof value === 'number') return Token.isUnresolved(value) ? '<token>' : String(value);
  if (value && typeof value === 'object' && 'toHumanString' in value && typeof value.toHumanString === 'function') {
    return value.toHumanString();
  }
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

import { Names, Stack } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';

/**
 * The scope of `pattern`'s part in another region's `stack` (see
 * `RegionalPlacement`): one construct per pattern and stack, named from the
 * pattern's full path so that two patterns with the same id never collide.
 */
export function regionalScope(pattern: IConstruct, stack: Stack): Construct {
  if (Stack.of(pattern) === stack) throw new Error(`${pattern.node.path}: ${stack.node.path} is the pattern's own stack`);
  const id = Names.uniqueId(pattern);
  return (stack.node.tryFindChild(id) as Construct | undefined) ?? new Construct(stack, id);
}

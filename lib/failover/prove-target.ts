/**
 * What `prove` reads of each drill (`IDrill.proveTarget`): the identifiers
 * to query and the computed figures of the paths it exercises. The report
 * records it in the cloud assembly with the drill (lib/report/record.ts), so
 * `cdk-ha-patterns prove` works from `cdk.out`.
 */
import { CfnOutput, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { HaPattern } from '../core/ha-pattern';
import { ComputedPath, DrillDescription, ProveDrill, StackOutputIdentifier } from './drill-description';
import { isDrill } from './drill-support/marker';

/** The drills under `scope` (pass the app) as `prove` reads them. */
export function proveDrills(scope: IConstruct): ProveDrill[] {
  return scope.node.findAll().filter(isDrill).map(d => d.proveTarget);
}

/** An environment-agnostic stack's region is a token: nothing to query, the row says so. */
export function hasLiteralRegion(drill: IConstruct): boolean {
  return !Token.isUnresolved(Stack.of(drill).region);
}

/**
 * The paths `description` names, each with its pattern's computed worst case
 * (`recoveryObjectives.path(id).total`), or the drill's expected figure when
 * the pattern does not declare the path.
 */
export function computedPaths(drill: IConstruct, description: DrillDescription): ComputedPath[] {
  const found = description.patternPath === undefined ? undefined : constructAt(drill.node.root, description.patternPath);
  const pattern = found && HaPattern.isHaPattern(found) ? found : undefined;
  return description.paths.map(id => pattern?.recoveryObjectives.pathIds.includes(id)
    ? { id, computedSeconds: pattern.recoveryObjectives.path(id).total.toMilliseconds() / 1000 }
    : { id, computedSeconds: description.expectedRecoverySeconds });
}

/** The stack output `id` of `drill` (its key as deployed). */
export function stackOutput(drill: IConstruct, id: string): StackOutputIdentifier {
  const stack = Stack.of(drill);
  const output = drill.node.findChild(id) as CfnOutput;
  return { stackName: stack.stackName, outputKey: stack.resolve(output.logicalId) as string, region: stack.region };
}

/** The construct at `path` under `root` (one child lookup per path segment, not a walk of the tree). */
function constructAt(root: IConstruct, path: string): IConstruct | undefined {
  let node: IConstruct | undefined = root;
  for (const id of path.split('/')) node = node?.node.tryFindChild(id);
  return node;
}

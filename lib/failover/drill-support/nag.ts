import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/**
 * cdk-nag's id of the AwsSolutions-IAM5 finding for one wildcard resource
 * of a statement in `scope`'s stack: the resource as synthesized, with
 * `Ref`s written `<LogicalId>` and `Fn::GetAtt`s `<LogicalId.Attribute>`,
 * as cdk-nag renders them.
 */
export function iam5FindingId(scope: IConstruct, resource: string): string {
  return `AwsSolutions-IAM5[Resource::${render(Stack.of(scope).resolve(resource))}]`;
}

/** Acknowledges the IAM5 finding of each wildcard resource of `statement` on `policy`, with `reason`. */
export function acknowledgeWildcards(policy: IConstruct, statement: iam.PolicyStatement, reason: string): void {
  for (const resource of statement.resources.filter(r => r === '*' || r.includes('*'))) {
    Validations.of(policy).acknowledge({ id: iam5FindingId(policy, resource), reason });
  }
}

function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if ('Ref' in v) return `<${v.Ref as string}>`;
    if ('Fn::GetAtt' in v) return `<${(v['Fn::GetAtt'] as string[]).join('.')}>`;
    if ('Fn::Join' in v) {
      const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
      return parts.map(render).join(sep);
    }
  }
  return JSON.stringify(value);
}

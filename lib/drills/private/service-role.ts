/**
 * The role a drill's AWS service assumes (FIS for an experiment, SSM for an
 * Automation runbook), with the policy its calls go into.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** A service role and its policy. */
export interface ServiceRole {
  readonly role: iam.Role;
  readonly policy: iam.Policy;
}

/**
 * A role `Role` that `service` assumes only for `sourceResource`s (`experiment`,
 * `automation-execution`) of `scope`'s account and region (confused-deputy
 * protection), its description cut to IAM's 1,000 characters, and an empty
 * policy `Policy` attached to it.
 */
export function regionalServiceRole(scope: Construct, service: string, sourceResource: string, description: string): ServiceRole {
  const stack = Stack.of(scope);
  const role = new iam.Role(scope, 'Role', {
    description: description.slice(0, 1000),
    assumedBy: new iam.ServicePrincipal(`${service}.amazonaws.com`, {
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': stack.formatArn({ service, resource: sourceResource, resourceName: '*' }) },
      },
    }),
  });
  const policy = new iam.Policy(scope, 'Policy', { roles: [role] });
  return { role, policy };
}

import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';

/**
 * Lets grants on `key` be created only for AWS services acting on AWS
 * resources (the Control Tower control CT.KMS.PR.3): nobody can hand the
 * key to an arbitrary principal through a grant.
 */
export function restrictKeyGrants(key: kms.Key): void {
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'DenyGrantsNotForAwsResources',
    effect: iam.Effect.DENY,
    actions: ['kms:CreateGrant'],
    principals: [new iam.AnyPrincipal()],
    resources: ['*'],
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  }));
}

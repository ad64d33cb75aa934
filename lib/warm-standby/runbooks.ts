import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';

/** One `aws:executeAwsApi` step of an SSM Automation runbook. */
export interface ApiStep {
  /** Step name (alphanumeric). */
  readonly name: string;
  /** boto3 service name: `elbv2`, `iam`, `events`. */
  readonly service: string;
  /** API action, e.g. `ModifyListener`. */
  readonly api: string;
  /** The API's input (may hold tokens: resolved by CloudFormation). */
  readonly inputs: Record<string, unknown>;
}

/**
 * An SSM Automation runbook (schema 0.3) made of AWS API calls, run as
 * `assumeRole`, and its automation-definition ARN (the form EventBridge
 * targets and IAM policies use).
 * @internal
 */
export function automationRunbook(scope: Construct, id: string, props: {
  readonly description: string;
  readonly assumeRoleArn: string;
  readonly steps: ApiStep[];
}): ssm.CfnDocument {
  return new ssm.CfnDocument(scope, id, {
    documentType: 'Automation',
    documentFormat: 'JSON',
    updateMethod: 'NewVersion',
    content: {
      schemaVersion: '0.3',
      description: props.description,
      assumeRole: '{{ AutomationAssumeRole }}',
      parameters: {
        AutomationAssumeRole: {
          type: 'String',
          description: 'Role the runbook acts as (created with the pattern, least privilege).',
          default: props.assumeRoleArn,
        },
      },
      mainSteps: props.steps.map((step, i) => ({
        name: step.name,
        action: 'aws:executeAwsApi',
        maxAttempts: 3,
        onFailure: 'Abort',
        isEnd: i === props.steps.length - 1,
        inputs: { Service: step.service, Api: step.api, ...step.inputs },
      })),
    },
  });
}

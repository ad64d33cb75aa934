import { Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * AWS Guard rules (the Control Tower proactive controls that
 * `@cdklabs/cdk-validator-cfnguard` runs) that the reference architectures
 * deliberately do not follow, with the reason for each. The tests run the
 * Guard rules over every example with these acknowledgements and fail on
 * anything else; real findings were fixed in the library instead (public IPs
 * on subnets, EFS backups, KMS grant restrictions, access-log buckets).
 */
export const GUARD_ACKNOWLEDGEMENTS: Readonly<Record<string, string>> = {
  cloudwatch_alarm_action_check:
    'Each pattern notifies through its composite failover alarm (on ALARM and OK); the child alarms deliberately have no actions of their own, so one incident pages once.',
  cloudwatch_log_group_encrypted_check:
    'The log groups hold operational logs only (no configuration data, no secrets) and are encrypted at rest by CloudWatch Logs; a customer-managed key per log group is a deployer choice.',
  lambda_inside_vpc_check:
    'The failover automations only call AWS APIs (ECS, Route 53, DynamoDB, SSM, CloudWatch); they reach no resource in a VPC, and a VPC attachment would put NAT gateways on the failover path.',
  ecs_task_definition_nonroot_user_check:
    'The examples run public stand-in images (nginx, busybox, the AWS CLI) that start as root; a real deployment sets the user of its own image in the container definition.',
  ecs_containers_readonly_access_check:
    'The stand-in images write to their root filesystem (nginx cache and pid files); a real deployment sets readonlyRootFilesystem for its own image.',
  ecs_task_definition_memory_hard_limit_check:
    'Every task has a single container on Fargate, where the task-level memory is enforced as the container\'s hard limit.',
  elbv2_deletion_protection_enabled_check:
    'Every load balancer that is a sole entry point (warm standby pair, web tier and multi-site sites, cells) has deletion protection on; what remains are the internal configuration-service load balancers, which are not: each region\'s proxies serve reads behind their own, and the turn-on moves the writer name config-writer.<zone> to the standby region\'s.',
  alb_http_to_https_redirection_check:
    'HTTP listeners remain only where no certificate is configured: the internal configuration-service load balancer (reachable from inside the VPC only) and the examples without a certificate, for which the patterns add a warning.',
  s3_bucket_default_encryption_kms_check:
    'The update-package bucket of the cells example is encrypted with SSE-S3; its objects are software updates, not secrets, and the fan-out function needs no KMS grant.',
  s3_bucket_logging_enabled_check:
    'Writes to the update-package bucket are the fan-out\'s own audit trail (per-cell status table); server access logging would add a second bucket to every cell deployment.',
  s3_bucket_object_lock_enabled_check:
    'Published updates are superseded by newer ones and may be deleted by operators; object lock would prevent that.',
  s3_event_notifications_enabled_check:
    'The update bucket publishes its events to EventBridge (the rule that triggers the fan-out), which this rule does not recognise.',
  rds_instance_enhanced_monitoring_enabled_check:
    'The alarms use the standard RDS CloudWatch metrics; enhanced monitoring needs a role with the AWS-managed AmazonRDSEnhancedMonitoringRole policy (cdk-nag IAM4). Deployers can turn it on with monitoringInterval.',
  rds_cluster_event_notifications_configured_check:
    'The event subscriptions cover the categories that matter to failover (failover, failure, availability, notification) and notify the failover topic; the rule expects a different fixed set of categories.',
  rds_instance_event_notifications_configured_check:
    'The event subscription covers the categories that matter to failover (failover, failure, availability) and notifies the failover topic; the rule expects a different fixed set of categories.',
  rds_instance_no_default_ports_check:
    'A non-default port is obscurity, not access control: the database accepts connections only from the application\'s security groups.',
  rds_storage_encrypted_kms_key_check:
    'The SQL Server instance is encrypted at rest with the AWS-managed RDS key; a customer-managed key is a deployer choice (storageEncryptionKey).',
  ecs_container_insights_enabled_check:
    'Container Insights is on in its enhanced mode (containerInsights: enhanced), which this rule does not recognise as enabled.',
  sqs_dlq_check:
    'The flagged queue is itself the dead-letter queue of the worker pool.',
};

/** Acknowledges the Guard rules above on every stack under `scope`. */
export function acknowledgeGuardRules(scope: IConstruct): void {
  for (const stack of scope.node.findAll().filter(Stack.isStack)) {
    for (const [rule, reason] of Object.entries(GUARD_ACKNOWLEDGEMENTS)) {
      Validations.of(stack).acknowledge({ id: `cdk-validator-cfnguard::${rule}`, reason });
    }
  }
}

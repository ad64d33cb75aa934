import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';

/** Acknowledges validation findings (cdk-nag, CloudFormation validation) on a construct with a reason. */
export function acknowledge(scope: IConstruct, findings: Record<string, string>): void {
  for (const [id, reason] of Object.entries(findings)) {
    Validations.of(scope).acknowledge({ id, reason });
  }
}

/**
 * A VPC for an HA pattern: public, private-with-egress and isolated subnets
 * across `maxAzs` zones, one NAT gateway per zone (losing a zone must not
 * cut the others off), no public IPs assigned on launch, flow logs to CloudWatch Logs.
 */
export function createHaVpc(scope: Construct, id: string, maxAzs = 2, cidr?: string): ec2.Vpc {
  const vpc = new ec2.Vpc(scope, id, {
    // The sites of a multi-region pattern route to each other, so their ranges must not overlap.
    ipAddresses: cidr ? ec2.IpAddresses.cidr(cidr) : undefined,
    maxAzs,
    natGateways: maxAzs,
    subnetConfiguration: [
      // Load balancers and NAT gateways get their addresses explicitly; nothing else is public.
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
    ],
  });
  const flowLogs = new logs.LogGroup(vpc, 'FlowLogs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
  vpc.addFlowLog('FlowLog', { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs) });
  return vpc;
}

/**
 * A bucket for load balancer access logs: SSE-S3 (the only encryption ELB
 * log delivery supports), TLS only, no public access, logs expire after a year.
 */
export function createAccessLogsBucket(scope: Construct, id: string): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
    removalPolicy: RemovalPolicy.RETAIN,
  });
  acknowledge(bucket, {
    'AwsSolutions-S1': 'This bucket receives the load balancer access logs; logging access to the access-log bucket itself would recurse.',
    'cdk-validator-cfnguard::s3_bucket_logging_enabled_check': 'This bucket receives the load balancer access logs; logging access to the access-log bucket itself would recurse.',
    'cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check': 'Elastic Load Balancing delivers access logs only to buckets encrypted with SSE-S3 (Amazon S3 managed keys), not SSE-KMS.',
    'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check': 'Access logs expire after a year by lifecycle rule; object lock would keep them from expiring. Versioning and TLS-only access protect them meanwhile.',
    'cdk-validator-cfnguard::s3_event_notifications_enabled_check': 'Nothing consumes access-log deliveries as events; they are read by analysis tools on demand.',
  });
  return bucket;
}

import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { RUNTIME_METRICS_NAMESPACE } from '../runtime/metrics';
import { LeaseAttributes, LeaseEnvironment } from '../runtime/protocol';

/** Props of `LeaseTable`. */
export interface LeaseTableProps {
  /**
   * What happens to the table (leases, fencing tokens, checkpoints) when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Lease settings handed to a process through its environment. */
export interface LeaseSettings {
  /** The lease name (the item key). */
  readonly leaseName: string;
  /** How long an acquisition or renewal holds the lease. */
  readonly leaseDuration: Duration;
  /** How often the holder renews and contenders retry. */
  readonly renewInterval: Duration;
  /** Largest difference between two participants' clocks. */
  readonly maxClockSkew: Duration;
}

/**
 * The DynamoDB table of the lease protocol (lib/runtime): one item per
 * lease name (partition key `pk`), written by conditional updates only;
 * on-demand, point-in-time recovery, retained by default.
 */
export class LeaseTable extends Construct {
  /** The table. */
  public readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props: LeaseTableProps = {}) {
    super(scope, id);
    this.table = new dynamodb.TableV2(this, 'Resource', {
      partitionKey: { name: LeaseAttributes.KEY, type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }

  /**
   * Lets `grantee` take part in one lease (and write its checkpoints): get
   * and conditionally update that item only (`dynamodb:LeadingKeys`).
   */
  public grantLease(grantee: iam.IGrantable, leaseName: string): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      resourceArns: [this.table.tableArn],
      conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [leaseName] } },
    });
  }

  /** The environment variables `LeaseClient.fromEnvironment()` reads. */
  public environment(settings: LeaseSettings): Record<string, string> {
    return {
      [LeaseEnvironment.TABLE_NAME]: this.table.tableName,
      [LeaseEnvironment.LEASE_NAME]: settings.leaseName,
      [LeaseEnvironment.DURATION_MS]: String(settings.leaseDuration.toMilliseconds()),
      [LeaseEnvironment.RENEW_INTERVAL_MS]: String(settings.renewInterval.toMilliseconds()),
      [LeaseEnvironment.MAX_CLOCK_SKEW_MS]: String(settings.maxClockSkew.toMilliseconds()),
    };
  }

  /** A metric the runtime clients publish for one lease (see `RuntimeMetricNames`). */
  public metric(metricName: string, leaseName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: RUNTIME_METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { TableName: this.table.tableName, LeaseName: leaseName },
      period: Duration.minutes(1),
      ...props,
    });
  }
}

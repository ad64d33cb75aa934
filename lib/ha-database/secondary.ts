import { Duration, RemovalPolicy, Stack, ArnFormat } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct, IConstruct } from 'constructs';
import { addHaWarning } from '../core/errors';
import { AutomationCall } from '../core/failure-scenario';
import { requireInteger } from '../core/validation';
import { addDeploymentOrder } from '../private/deployment-order';
import { restrictKeyGrants } from '../private/kms';
import { acknowledge } from '../private/network';
import { HaDatabaseEngine, tlsParameters } from './engine';
import { WAIT_FOR_WRITER_STEP, waitForPromotionSteps } from './runbook';

/** Where and how `HaDatabase` builds its secondary region. */
export interface HaDatabaseSecondaryOptions {
  /** The secondary region's stack (explicit env); the secondary cluster goes under the database's scope in it. */
  readonly stack: Stack;
  /** The secondary region's VPC; the cluster goes into its isolated subnets. */
  readonly vpc: ec2.IVpc;
  /**
   * Reader instances in the secondary cluster: 1 or more makes it readable and quick to promote;
   * 0 makes it headless (cheaper, but promotion must first add an instance, ~10 min).
   * @default 1
   */
  readonly instances?: number;
}

/** Props of `HaDatabaseSecondary`: the options plus what the primary passes on. */
export interface HaDatabaseSecondaryProps extends HaDatabaseSecondaryOptions {
  /** The primary database. */
  readonly primary: IConstruct;
  /** The engine. */
  readonly engine: HaDatabaseEngine;
  /** The primary's engine (for the parameter group family). */
  readonly clusterEngine: rds.IClusterEngine;
  /** The primary's full engine version (must match). */
  readonly engineVersion: string;
  /** Instance class. */
  readonly instanceType: ec2.InstanceType;
  /** Identifier of the global cluster (a literal, shared with the primary stack). */
  readonly globalClusterIdentifier: string;
  /** The primary cluster's identifier, a literal (for the runbook role). */
  readonly primaryClusterIdentifier: string;
  /** Backup retention. */
  readonly backupRetention: Duration;
  /** Deletion protection. */
  readonly deletionProtection: boolean;
  /** Removal policy. */
  readonly removalPolicy: RemovalPolicy;
}

/** What the secondary cluster stands on: its key, subnets, security group and parameter group. */
interface SecondaryFoundation {
  readonly key: kms.Key;
  readonly subnetGroup: rds.SubnetGroup;
  readonly securityGroup: ec2.SecurityGroup;
  readonly parameterGroupName: string;
}

/** The instances' and subnet group's removal policy: retained with a retained cluster, destroyed otherwise. */
function retainOrDestroy(removalPolicy: RemovalPolicy): RemovalPolicy {
  return removalPolicy === RemovalPolicy.RETAIN ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
}

/**
 * The secondary region of an Aurora Global Database, created by `HaDatabase`
 * in the secondary region's stack.
 *
 * aws-cdk-lib's `DatabaseCluster` cannot join a global cluster (upstream
 * issue aws/aws-cdk#22212), so this is the least L1 that works: a
 * `CfnDBCluster` with `GlobalClusterIdentifier` and no master credentials
 * (they come from the primary), encrypted with its own KMS key in its region,
 * plus `CfnDBInstance` readers. The global cluster's identifier is a fixed
 * string, so no cross-region token is needed; the secondary stack depends on
 * the primary stack.
 *
 * It also holds the runbook: two SSM Automation documents, `Switchover`
 * (planned, no data loss) and `Failover` (unplanned, `AllowDataLoss`), each
 * of which waits after its call until this cluster is the global cluster's
 * writer and the global cluster is available, and the role they run as.
 */
export class HaDatabaseSecondary extends Construct {
  /** The secondary cluster (L1). */
  public readonly cluster: rds.CfnDBCluster;
  /** The secondary cluster's identifier (a literal). */
  public readonly clusterIdentifier: string;
  /** The secondary cluster's ARN (no cross-region token): the target of a switchover or failover. */
  public readonly clusterArn: string;
  /** The global cluster's identifier (a literal). */
  public readonly globalClusterIdentifier: string;
  /** The primary cluster's identifier (a literal): `<globalClusterIdentifier>-<primary region>`. */
  public readonly primaryClusterIdentifier: string;
  /** The secondary's reader instances. */
  public readonly instances: rds.CfnDBInstance[];
  /** The engine's default port. */
  public readonly port: number;
  /** Number of instances (0 = headless). */
  public readonly instanceCount: number;
  /** The key encrypting the secondary's storage. */
  public readonly encryptionKey: kms.Key;
  /** Security group of the secondary cluster. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** Planned switchover runbook (no data loss). */
  public readonly switchoverDocument: ssm.CfnDocument;
  /** Unplanned failover runbook (data loss up to the replication lag). */
  public readonly failoverDocument: ssm.CfnDocument;
  /** Role the runbooks run as. */
  public readonly runbookRole: iam.Role;

  /** The global cluster's ARN, then the secondary's and the primary's cluster ARNs. */
  private readonly globalClusterArns: string[];

  constructor(scope: Construct, id: string, props: HaDatabaseSecondaryProps) {
    super(scope, id);
    requireInteger(props.primary, 'secondary.instances', props.instances, 0, 15);
    this.instanceCount = props.instances ?? 1;
    if (this.instanceCount === 0) {
      addHaWarning(this, 'headless-secondary', 'the secondary cluster is headless: promoting it first needs an instance (~10 min), which is counted in the cross-region RTO');
    }
    const stack = Stack.of(this);
    addDeploymentOrder(stack, Stack.of(props.primary), 'the secondary cluster joins the global cluster the primary stack creates');

    // ---- the cluster and its readers
    const foundation = this.createFoundation(props);
    this.encryptionKey = foundation.key;
    this.securityGroup = foundation.securityGroup;
    this.port = props.engine === HaDatabaseEngine.AURORA_MYSQL ? 3306 : 5432;
    this.clusterIdentifier = `${props.globalClusterIdentifier}-${stack.region}`;
    this.cluster = this.createCluster(props, foundation);
    this.instances = this.createReaders(props);

    // ---- runbook
    this.globalClusterIdentifier = props.globalClusterIdentifier;
    this.primaryClusterIdentifier = props.primaryClusterIdentifier;
    this.globalClusterArns = this.arnsOfGlobalCluster(props);
    this.clusterArn = this.globalClusterArns[1];
    this.runbookRole = this.createRunbookRole(props);
    this.switchoverDocument = this.createRunbook('Switchover', 'SwitchoverGlobalCluster',
      `Planned switchover of ${props.globalClusterIdentifier} to ${stack.region}: waits for the secondary to catch up, no data loss.`, {});
    this.failoverDocument = this.createRunbook('Failover', 'FailoverGlobalCluster',
      `Unplanned failover of ${props.globalClusterIdentifier} to ${stack.region} when the primary region is lost: loses the writes not yet replicated (bounded by the global lag alarm threshold).`,
      { AllowDataLoss: true });
  }

  /**
   * Lets `grantee` promote this secondary (`rds:FailoverGlobalCluster` on the global cluster and
   * its two clusters) and watch the promotion (`rds:DescribeGlobalClusters` on the global cluster).
   */
  public grantFailover(grantee: iam.IGrantable): iam.Grant {
    const [globalArn] = this.globalClusterArns;
    return iam.Grant.addToPrincipal({ grantee, actions: ['rds:FailoverGlobalCluster'], resourceArns: this.globalClusterArns })
      .combine(iam.Grant.addToPrincipal({ grantee, actions: ['rds:DescribeGlobalClusters'], resourceArns: [globalArn] }));
  }

  /** The global cluster's ARN (a literal built from its identifier). */
  public get globalClusterArn(): string {
    return this.globalClusterArns[0];
  }

  /**
   * Lets `grantee` promote this secondary either way: `FailoverGlobalCluster` (data loss) and
   * `SwitchoverGlobalCluster` (none) on the global cluster and its two clusters, and watch it.
   */
  public grantPromotion(grantee: iam.IGrantable): iam.Grant {
    return this.grantFailover(grantee)
      .combine(iam.Grant.addToPrincipal({ grantee, actions: ['rds:SwitchoverGlobalCluster'], resourceArns: this.globalClusterArns }));
  }

  /** The calls `grantPromotion` allows (the failover's, and `rds:SwitchoverGlobalCluster` on the same three ARNs). */
  public promotionCalls(): AutomationCall[] {
    return [...this.failoverCalls(), ...this.globalClusterArns.map(resource => ({ actions: ['rds:SwitchoverGlobalCluster'], resource }))];
  }

  /**
   * The calls a promotion of this secondary makes (what `grantFailover` allows): `rds:FailoverGlobalCluster`
   * on the global cluster and its two clusters, `rds:DescribeGlobalClusters` on the global cluster.
   */
  public failoverCalls(): AutomationCall[] {
    const [globalArn] = this.globalClusterArns;
    return [
      ...this.globalClusterArns.map(resource => ({ actions: ['rds:FailoverGlobalCluster'], resource })),
      { actions: ['rds:DescribeGlobalClusters'], resource: globalArn },
    ];
  }

  /** Security group connections of the secondary cluster (allow clients with `allowDefaultPortFrom`). */
  public get connections(): ec2.Connections {
    return new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(this.port) });
  }

  /** Lets `grantee` connect to the secondary cluster as `dbUser` with IAM authentication. */
  public grantConnect(grantee: iam.IGrantable, dbUser: string): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['rds-db:connect'],
      resourceArns: [Stack.of(this).formatArn({ service: 'rds-db', resource: 'dbuser', resourceName: `${this.cluster.attrDbClusterResourceId}/${dbUser}`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
    });
  }

  /** Global replication lag as seen by the secondary (`AuroraGlobalDBRPOLag`, milliseconds, 1-minute maximum). */
  public metricGlobalReplicationLag(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/RDS',
      metricName: 'AuroraGlobalDBRPOLag',
      dimensionsMap: { DBClusterIdentifier: this.clusterIdentifier },
      statistic: 'Maximum',
      period: Duration.minutes(1),
      ...options,
    });
  }

  /** The cluster's own KMS key, subnet group, security group (no egress) and TLS-enforcing parameter group. */
  private createFoundation(props: HaDatabaseSecondaryProps): SecondaryFoundation {
    const key = new kms.Key(this, 'Key', { description: `Encrypts the Aurora Global Database secondary ${this.node.path}`, enableKeyRotation: true, removalPolicy: props.removalPolicy });
    restrictKeyGrants(key);
    const subnetGroup = new rds.SubnetGroup(this, 'Subnets', {
      description: `Subnets of ${this.node.path}`,
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      removalPolicy: retainOrDestroy(props.removalPolicy),
    });
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', { vpc: props.vpc, description: `Aurora secondary ${this.node.path}`, allowAllOutbound: false });
    const parameters = new rds.ParameterGroup(this, 'Parameters', {
      engine: props.clusterEngine,
      parameters: tlsParameters(props.engine),
    });
    return { key, subnetGroup, securityGroup, parameterGroupName: parameters.bindToCluster({}).parameterGroupName };
  }

  /** The L1 cluster that joins the global cluster: no master credentials (they come from the primary). */
  private createCluster(props: HaDatabaseSecondaryProps, foundation: SecondaryFoundation): rds.CfnDBCluster {
    const isMysql = props.engine === HaDatabaseEngine.AURORA_MYSQL;
    const cluster = new rds.CfnDBCluster(this, 'Resource', {
      dbClusterIdentifier: this.clusterIdentifier,
      globalClusterIdentifier: props.globalClusterIdentifier,
      engine: props.engine,
      engineVersion: props.engineVersion,
      dbSubnetGroupName: foundation.subnetGroup.subnetGroupName,
      vpcSecurityGroupIds: [foundation.securityGroup.securityGroupId],
      dbClusterParameterGroupName: foundation.parameterGroupName,
      storageEncrypted: true,
      kmsKeyId: foundation.key.keyArn,
      enableIamDatabaseAuthentication: true,
      deletionProtection: props.deletionProtection,
      backupRetentionPeriod: props.backupRetention.toDays(),
      copyTagsToSnapshot: true,
      enableCloudwatchLogsExports: isMysql ? ['audit', 'error', 'general', 'slowquery'] : ['postgresql'],
      // No MasterUsername / MasterUserPassword: a secondary takes them from the primary.
    });
    cluster.applyRemovalPolicy(props.removalPolicy);
    acknowledge(cluster, {
      'AwsSolutions-RDS11': 'The engine default port is kept: it must match the primary cluster; access is limited by the security group.',
      'AwsSolutions-SMG4': 'The secondary has no credentials of its own: they are the primary cluster\'s, rotated there.',
      ...(isMysql ? { 'AwsSolutions-RDS14': 'Backtrack is not supported on a cluster in an Aurora Global Database.' } : {}),
    });
    return cluster;
  }

  /** The `instanceCount` reader instances (promotion tier 1); none for a headless secondary. */
  private createReaders(props: HaDatabaseSecondaryProps): rds.CfnDBInstance[] {
    return Array.from({ length: this.instanceCount }, (_, i) => {
      const instance = new rds.CfnDBInstance(this, `Reader${i + 1}`, {
        dbClusterIdentifier: this.cluster.ref,
        engine: props.engine,
        dbInstanceClass: `db.${props.instanceType.toString()}`,
        publiclyAccessible: false,
        promotionTier: 1,
      });
      instance.applyRemovalPolicy(retainOrDestroy(props.removalPolicy));
      return instance;
    });
  }

  /** The global cluster's ARN, then this cluster's and the primary's: literals, no cross-region token. */
  private arnsOfGlobalCluster(props: HaDatabaseSecondaryProps): string[] {
    const stack = Stack.of(this);
    const globalArn = stack.formatArn({ service: 'rds', region: '', resource: 'global-cluster', resourceName: props.globalClusterIdentifier, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const thisArn = stack.formatArn({ service: 'rds', resource: 'cluster', resourceName: this.clusterIdentifier, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const primaryArn = stack.formatArn({ service: 'rds', region: Stack.of(props.primary).region, resource: 'cluster', resourceName: props.primaryClusterIdentifier, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    return [globalArn, thisArn, primaryArn];
  }

  /** The role the runbooks run as: switch over or fail over the global cluster, and watch it. */
  private createRunbookRole(props: HaDatabaseSecondaryProps): iam.Role {
    const [globalArn] = this.globalClusterArns;
    const role = new iam.Role(this, 'RunbookRole', {
      assumedBy: new iam.ServicePrincipal('ssm.amazonaws.com'),
      description: `Runs the switchover and failover runbooks of ${props.primary.node.path}`,
    });
    role.addToPolicy(new iam.PolicyStatement({
      actions: ['rds:SwitchoverGlobalCluster', 'rds:FailoverGlobalCluster'],
      resources: [...this.globalClusterArns],
    }));
    role.addToPolicy(new iam.PolicyStatement({ actions: ['rds:DescribeGlobalClusters'], resources: [globalArn] }));
    return role;
  }

  /** A runbook (SSM Automation) that calls `api` to promote this cluster, then waits until it is the writer. */
  private createRunbook(docId: string, api: string, description: string, extra: Record<string, unknown>): ssm.CfnDocument {
    return new ssm.CfnDocument(this, docId, {
      documentType: 'Automation',
      documentFormat: 'JSON',
      updateMethod: 'NewVersion',
      content: {
        schemaVersion: '0.3',
        description,
        assumeRole: this.runbookRole.roleArn,
        mainSteps: [
          {
            name: api,
            action: 'aws:executeAwsApi',
            inputs: { Service: 'rds', Api: api, GlobalClusterIdentifier: this.globalClusterIdentifier, TargetDbClusterIdentifier: this.clusterArn, ...extra },
          },
          // The call only starts the promotion: wait until the global cluster names this cluster its writer.
          ...waitForPromotionSteps(this.globalClusterIdentifier, this.clusterArn),
        ],
        outputs: [`${WAIT_FOR_WRITER_STEP}.Writer`],
      },
    });
  }
}

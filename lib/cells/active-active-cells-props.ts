import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { HaBackupOptions } from '../backup/ha-backup';
import { HaPatternProps } from '../core/ha-pattern';
import { CellFileShare, CellOptions } from './active-active-cell';

/** A weighted Route 53 record for this region's cells, to spread cells across regions. */
export interface CellsDnsOptions {
  /** The zone of the record. */
  readonly zone: route53.IHostedZone;
  /** The record name (relative to the zone), shared by every region's `ActiveActiveCells`. */
  readonly recordName: string;
  /**
   * Weight of this region's load balancer among the regions (0 to 255).
   * @default the number of serving cells, so traffic follows capacity
   */
  readonly weight?: number;
}

/** Props of `ActiveActiveCells`. */
export interface ActiveActiveCellsProps extends HaPatternProps {
  /** The application image every cell runs (e.g. `ecs.ContainerImage.fromRegistry('public.ecr.aws/...')`). */
  readonly image: ecs.ContainerImage;
  /**
   * Number of identical cells (2 to 5, the target groups one load-balancer action can weigh).
   * Adding a cell is raising this number; see `drainingCells` before lowering it.
   * @default the length of `cells`, else 3
   */
  readonly cellCount?: number;
  /**
   * Per-cell resources the user brings (database, file system, bucket), by position;
   * cells beyond the list get their own new resources.
   * @default every cell gets new resources
   */
  readonly cells?: CellOptions[];
  /**
   * Cells to drain before removal: their weight becomes 0 (no new requests,
   * sticky sessions end), their service and data stay. Remove a cell only
   * after it has been drained and its jobs have finished.
   * @default no cell draining
   */
  readonly drainingCells?: string[];
  /**
   * The VPC of the cells.
   * @default a new VPC over 2 zones with a NAT gateway per zone and flow logs
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Each cell's file share.
   * @default CellFileShare.EFS
   */
  readonly fileShare?: CellFileShare;
  /** @default 80 */
  readonly containerPort?: number;
  /** @default '/health' */
  readonly healthCheckPath?: string;
  /**
   * Tasks per cell (2 or more keep a cell up through a task or zone failure).
   * @default 2
   */
  readonly desiredCountPerCell?: number;
  /** @default 512 */
  readonly cpu?: number;
  /** @default 1024 */
  readonly memoryLimitMiB?: number;
  /**
   * How long a client stays with the cell that served it (target-group stickiness).
   * @default 1 hour
   */
  readonly cellStickiness?: Duration;
  /**
   * How often the fan-out re-runs to retry cells that are behind (1 to 5 minutes:
   * each run reports the metric the cells-behind alarm evaluates every 5 minutes).
   * @default 5 minutes
   */
  readonly fanOutRetryInterval?: Duration;
  /**
   * A weighted record for this region's load balancer, to spread cells over regions
   * (one `ActiveActiveCells` per region, same record name).
   * @default no record
   */
  readonly dns?: CellsDnsOptions;
  /**
   * Deletion protection of the load balancer, the cells' only way in
   * (`deletion_protection.enabled`). Adding or removing cells leaves it in
   * place; to delete the stack or the pattern, deploy with `false` first.
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * Removal policy of the stateful resources (databases, file shares, status table, updates bucket).
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * A backup tier over the stateful resources the construct creates (each cell's Aurora
   * cluster and EFS file share, and the status table): an AWS Backup plan with a copy of every
   * recovery point in another region, and the `backup-restore` recovery path for the loss of
   * this region (see lib/backup). Databases, file systems and buckets you bring in `cells` are
   * yours to back up.
   * @default no AWS Backup plan
   */
  readonly backup?: HaBackupOptions;
}

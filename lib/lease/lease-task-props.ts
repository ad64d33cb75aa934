import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { HaPatternProps } from '../core/ha-pattern';

/**
 * Props every lease-holding Fargate pattern accepts (`SingletonDaemon`,
 * `HotStandbyConsumer`): the task, where it runs, and the clock settings
 * of the lease protocol. Each pattern adds its lease timings, whose
 * defaults differ with the pattern's purpose.
 */
export interface LeaseTaskProps extends HaPatternProps {
  /** The container image; its process uses `LeaseClient.fromEnvironment()` (lib/runtime). */
  readonly image: ecs.ContainerImage;

  /**
   * The cluster to run in. Its Container Insights must be on for the running-tasks alarm.
   * @default a new cluster with Container Insights (enhanced) in `vpc`
   */
  readonly cluster?: ecs.ICluster;

  /**
   * The VPC of the new cluster (ignored when `cluster` is given).
   * @default a new VPC over 2 availability zones with one NAT gateway per zone and flow logs
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Task CPU units (with `memoryLimitMiB`, a size Fargate supports).
   * @default 256
   */
  readonly cpu?: number;

  /**
   * Task memory in MiB.
   * @default 512
   */
  readonly memoryLimitMiB?: number;

  /**
   * Extra environment of the container (the lease settings are added).
   * @default none
   */
  readonly environment?: Record<string, string>;

  /**
   * Entry point of the container (for an image whose entry point is not a
   * shell, e.g. `['sh', '-c']` with a script in `command`).
   * @default the image's entry point
   */
  readonly entryPoint?: string[];

  /**
   * Command of the container.
   * @default the image's command
   */
  readonly command?: string[];

  /**
   * Largest difference between two tasks' clocks (Fargate tasks sync with the Amazon Time Sync Service).
   * @default Duration.seconds(1)
   */
  readonly maxClockSkew?: Duration;

  /**
   * What happens to the lease table (leases, fencing tokens, checkpoints) when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

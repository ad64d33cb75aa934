/** The props of `WarmStandbyPair` and its recovery paths (apart from the construct: its validation reads them). */
import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { HaPatternProps } from '../core/ha-pattern';
import { LeaseMode } from '../lease/lease-mode';

/** Props of `WarmStandbyPair`. */
export interface WarmStandbyPairProps extends HaPatternProps {
  /** The VPC of both servers and the load balancer; at least two availability zones. */
  readonly vpc: ec2.IVpc;

  /** The server's container image (the same for both servers). */
  readonly image: ecs.ContainerImage;

  /** TCP port the server listens on; the load balancer's stable TCP port. */
  readonly tcpPort: number;

  /**
   * UDP port the server listens on; adds a UDP listener. Must differ from
   * `tcpPort` (a Network Load Balancer cannot have a TCP and a UDP listener on one port).
   * @default no UDP listener
   */
  readonly udpPort?: number;

  /**
   * Offset of the direct ports: each server is also reachable on its own
   * ports, primary at `port + offset`, secondary at `port + 2 x offset`. They
   * keep both servers' target groups in use, so the standby stays
   * health-checked, and let operators reach one server.
   * @default 10000
   */
  readonly directPortOffset?: number;

  /**
   * Availability zone of the primary server.
   * @default the VPC's first availability zone
   */
  readonly primaryAvailabilityZone?: string;

  /**
   * Availability zone of the secondary server; must differ from the primary's.
   * @default the VPC's second availability zone
   */
  readonly secondaryAvailabilityZone?: string;

  /**
   * Command of the server container. With `leaseMode: LAUNCHER`, the full
   * command line of your server (required: the launcher's gate replaces the
   * entry point and cannot read the image's).
   * @default the image's command
   */
  readonly command?: string[];

  /**
   * Entry point of the server container (with `leaseMode: LAUNCHER`, the
   * image's entry point, if it has one: it becomes the start of the command
   * line the gate executes).
   * @default the image's entry point
   */
  readonly entryPoint?: string[];

  /**
   * How the servers run. `IN_PROCESS`: both servers run your image all the
   * time and the listeners decide which one gets clients (a server that acts
   * on its own reads `HA_SERVER_ROLE`). `LAUNCHER`: a launcher sidecar in each
   * server's task contends for one lease and runs your unmodified server only
   * while it holds it, so the two servers never run at once; the primary's
   * launcher claims the lease back when it is restored, and the secondary's
   * gives it back (the secondary stops). For software you cannot change.
   * Needs `/bin/sh` in the image and the full command line in `command`.
   * @default LeaseMode.IN_PROCESS
   */
  readonly leaseMode?: LeaseMode;

  /**
   * With `leaseMode: LAUNCHER`: how long an acquisition or renewal holds the
   * lease. Must exceed renewInterval + maxClockSkew + stopTimeout + 5 s: the
   * launcher exits that early, so your server is dead before anyone else
   * can take the lease.
   * @default Duration.seconds(45)
   */
  readonly leaseDuration?: Duration;

  /**
   * With `leaseMode: LAUNCHER`: how often the holder renews and the other launcher retries.
   * @default Duration.seconds(10)
   */
  readonly renewInterval?: Duration;

  /**
   * With `leaseMode: LAUNCHER`: largest difference between the two tasks'
   * clocks (Fargate tasks sync with the Amazon Time Sync Service).
   * @default Duration.seconds(1)
   */
  readonly maxClockSkew?: Duration;

  /**
   * With `leaseMode: LAUNCHER`: how long ECS waits between SIGTERM and
   * SIGKILL when it stops your server's container (2 to 120 s).
   * @default Duration.seconds(10)
   */
  readonly stopTimeout?: Duration;

  /**
   * With `leaseMode: LAUNCHER`: the TCP port the launcher listens on while it
   * runs; both target groups' health checks use it (the secondary's server
   * does not run while it stands by). Must differ from `tcpPort` and from
   * every port your server uses.
   * @default 8099
   */
  readonly launcherHealthPort?: number;

  /**
   * Environment of the server container (no secrets). `HA_SERVER_ROLE`
   * (`PRIMARY` or `SECONDARY`) and `HA_CONFIG_PATH` are added.
   * @default {}
   */
  readonly environment?: Record<string, string>;

  /**
   * CPU units of a server task.
   * @default 512
   */
  readonly cpu?: number;

  /**
   * Memory (MiB) of a server task.
   * @default 1024
   */
  readonly memoryLimitMiB?: number;

  /**
   * Whether the load balancer is reachable from the internet.
   * @default false (reachable from the VPC and connected networks)
   */
  readonly internetFacing?: boolean;

  /**
   * Deletion protection of the load balancer, the pair's only way in
   * (`deletion_protection.enabled`): nobody deletes it by hand or by
   * accident. To delete the stack or the pair, deploy with `false` first.
   * @default true
   */
  readonly deletionProtection?: boolean;

  /**
   * IPv4 or IPv6 CIDR blocks of the clients the servers admit on `tcpPort`
   * and `udpPort`. The load balancer keeps the address of every UDP client
   * (always, for IP targets), so a UDP client outside these blocks is dropped
   * by the servers' security group: list the networks your clients call from
   * (on-premises ranges, peered VPCs, partners). The VPC CIDR is admitted on
   * `tcpPort` in any case: the load balancer's own addresses (its health
   * checks, and TCP, whose client addresses it does not keep for IP targets).
   * @default the VPC CIDR for an internal load balancer; `0.0.0.0/0` for an internet-facing one
   */
  readonly clientCidrs?: string[];

  /**
   * Hosted zone of the stable name (never looked up). With `recordName`,
   * an alias record points the stable name at the load balancer.
   * @default no DNS record: clients use the load balancer's DNS name
   */
  readonly zone?: route53.IHostedZone;

  /**
   * The stable name relative to `zone`, e.g. `gateway`.
   * @default no DNS record
   */
  readonly recordName?: string;

  /**
   * SSM Parameter Store path of the configuration (`/suite/gateway`):
   * writable by the primary only, readable by both.
   * @default `/` + the construct path, e.g. `/Gateway/Pair`
   */
  readonly configParameterPath?: string;

  /**
   * Interval of the load balancer's health checks of each server (5 s to 300 s).
   * @default Duration.seconds(10)
   */
  readonly healthCheckInterval?: Duration;

  /**
   * Consecutive failed health checks before a server is unhealthy (2 to 10).
   * @default 2
   */
  readonly unhealthyThresholdCount?: number;

  /**
   * Whether a probe samples the primary every 5 s through its direct
   * listener (a function in the VPC, started every minute) and its alarm
   * (3 x 10 s periods) starts the takeover: the `unresponsive` path in under
   * a minute. Without it, only the load balancer's `HealthyHostCount`
   * (published every 60 s) starts it: 95 s with the defaults.
   * @default true
   */
  readonly primaryProbe?: boolean;

  /**
   * Name of the pair's status dashboard.
   * @default a name generated by CloudFormation
   */
  readonly statusDashboardName?: string;
}

/** Ids of the recovery paths of `WarmStandbyPair`. */
export enum WarmStandbyPairPath {
  /**
   * The primary server is lost (its task stops: a crash, an exit, a stop):
   * ECS reports it, and the takeover function points the listeners at the
   * warm secondary unless another primary task runs.
   */
  TAKEOVER = 'takeover',
  /**
   * The primary's task keeps running but stops answering its health checks
   * (a hung server, a lost network or zone): the load balancer marks it
   * unhealthy, the `PrimaryOffline` alarm fires and its runbook points the
   * listeners at the warm secondary.
   */
  UNRESPONSIVE = 'unresponsive',
}

import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { addHaWarning, HaValidationError } from '../core/errors';
import { isCluster, isContainerImage, isVpc, requireDefined, requireDurationBetween, requireFargateSize, requireInteger } from '../core/validation';
import { acknowledge } from '../private/network';
import { addLauncher, launcherAppEntry } from './launcher-container';
import { LeaseSettings } from './lease-table';
import { LeaseTaskProps } from './lease-task-props';

/**
 * Checks lease settings: a holder must be able to renew before its lease
 * lapses, so the lease duration must exceed renew interval + 2 x skew.
 * @internal
 */
export function validateLeaseSettings(scope: IConstruct, s: LeaseSettings): void {
  if (typeof s.leaseName !== 'string' || (!Token.isUnresolved(s.leaseName) && !/^[A-Za-z0-9._:/-]{1,255}$/.test(s.leaseName))) {
    throw new HaValidationError(scope, { prop: 'leaseName', received: s.leaseName, expected: '1 to 255 characters among letters, digits and . _ : / -' });
  }
  requireDurationBetween(scope, 'renewInterval', s.renewInterval, Duration.seconds(1), Duration.minutes(5));
  requireDurationBetween(scope, 'maxClockSkew', s.maxClockSkew, Duration.millis(0), Duration.minutes(1));
  requireDurationBetween(scope, 'leaseDuration', s.leaseDuration, Duration.millis(0));
  if (s.leaseDuration.isUnresolved() || s.renewInterval.isUnresolved() || s.maxClockSkew.isUnresolved()) return;
  const minimum = s.renewInterval.toMilliseconds() + 2 * s.maxClockSkew.toMilliseconds();
  if (s.leaseDuration.toMilliseconds() <= minimum) {
    throw new HaValidationError(scope, {
      prop: 'leaseDuration',
      received: s.leaseDuration,
      expected: `a duration longer than renewInterval (${s.renewInterval.toHumanString()}) + 2 x maxClockSkew (${s.maxClockSkew.toHumanString()}) = ${minimum} ms, ` +
        'or the holder loses its lease between two renewals; lengthen leaseDuration or shorten renewInterval',
    });
  }
  if (s.leaseDuration.toMilliseconds() < 2 * s.renewInterval.toMilliseconds() + 2 * s.maxClockSkew.toMilliseconds()) {
    addHaWarning(scope, 'lease-single-renewal',
      `leaseDuration ${s.leaseDuration.toHumanString()} leaves room for a single renewal attempt (renewInterval ${s.renewInterval.toHumanString()}): ` +
      'one slow or failed renewal makes the holder lose its lease. Use at least 2 x renewInterval + 2 x maxClockSkew.');
  }
}

/**
 * Checks the props every lease-holding task pattern shares: the image, a
 * cluster or VPC of the right kind, and a Fargate size.
 * @internal
 */
export function validateLeaseTaskProps(scope: IConstruct, props: LeaseTaskProps, what: string): void {
  requireDefined(scope, 'image', props.image, `the ${what}'s container image, e.g. ContainerImage.fromRegistry(...)`, isContainerImage);
  if (props.cluster !== undefined) requireDefined(scope, 'cluster', props.cluster, 'an ecs.ICluster, e.g. new ecs.Cluster(...)', isCluster);
  if (props.vpc !== undefined) requireDefined(scope, 'vpc', props.vpc, 'an ec2.IVpc with private subnets with egress in at least two zones', isVpc);
  for (const prop of ['entryPoint', 'command'] as const) {
    if (props[prop] !== undefined) requireDefined(scope, prop, props[prop], 'a list of strings, e.g. [\'sh\', \'-c\']', isStringList);
  }
  requireInteger(scope, 'cpu', props.cpu, 256);
  requireInteger(scope, 'memoryLimitMiB', props.memoryLimitMiB, 512);
  requireFargateSize(scope, 'cpu', 'memoryLimitMiB', props.cpu ?? 256, props.memoryLimitMiB ?? 512);
}

/** What a daemon's task runs. @internal */
export interface DaemonTaskOptions {
  readonly image: ecs.ContainerImage;
  readonly cpu: number;
  readonly memoryLimitMiB: number;
  readonly environment: Record<string, string>;
  readonly entryPoint?: string[];
  readonly command?: string[];
  readonly containerName: string;
  readonly streamPrefix: string;
  /** Launcher mode: the launcher sidecar holds the lease and gates the container. @default the process holds the lease itself */
  readonly launcher?: { readonly stopTimeout: Duration; readonly leaseEnvironment: Record<string, string> };
}

/**
 * A Fargate task definition with one essential container logging to its
 * own log group (where the runtime clients' EMF metrics land).
 * @internal
 */
export function createDaemonTask(scope: Construct, opts: DaemonTaskOptions): {
  taskDefinition: ecs.FargateTaskDefinition; container: ecs.ContainerDefinition; logGroup: logs.LogGroup; launcher?: ecs.ContainerDefinition;
} {
  const taskDefinition = new ecs.FargateTaskDefinition(scope, 'TaskDefinition', {
    cpu: opts.cpu,
    memoryLimitMiB: opts.memoryLimitMiB,
    runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
  });
  const logGroup = new logs.LogGroup(scope, 'Logs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
  const entry = opts.launcher ? launcherAppEntry(scope, opts.entryPoint, opts.command) : { entryPoint: opts.entryPoint, command: opts.command };
  const container = taskDefinition.addContainer(opts.containerName, {
    image: opts.image,
    essential: true,
    entryPoint: entry.entryPoint,
    command: entry.command,
    environment: opts.environment,
    logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: opts.streamPrefix }),
    readonlyRootFilesystem: true,
    stopTimeout: opts.launcher?.stopTimeout,
  });
  const launcher = opts.launcher
    ? addLauncher(scope, { taskDefinition, app: container, logGroup, leaseEnvironment: opts.launcher.leaseEnvironment, stopTimeout: opts.launcher.stopTimeout })
    : undefined;
  acknowledge(taskDefinition, {
    'AwsSolutions-ECS2': 'The environment holds the lease table name and lease timings (configuration, no secrets); secrets belong in the user\'s own `secrets`.',
  });
  return { taskDefinition, container, logGroup, launcher };
}

/**
 * Warns when a given cluster does not (visibly) have Container Insights on:
 * the running-tasks metric would be missing.
 * @internal
 */
export function checkContainerInsights(scope: IConstruct, cluster: ecs.ICluster): void {
  const cfn = cluster.node.defaultChild as ecs.CfnCluster | undefined;
  const settings = cfn instanceof ecs.CfnCluster
    ? Stack.of(cfn).resolve(cfn.clusterSettings) as Array<{ name?: string; value?: string }> | undefined
    : undefined;
  const on = settings?.some(s => s.name === 'containerInsights' && (s.value === 'enabled' || s.value === 'enhanced'));
  if (!on) {
    addHaWarning(scope, 'container-insights',
      `Container Insights is not visibly on for cluster ${cluster.node.path}: the running-tasks metric (ECS/ContainerInsights RunningTaskCount) ` +
      'may be missing and its alarm stay in ALARM. Create the cluster with containerInsightsV2: ContainerInsights.ENHANCED (or ENABLED).');
  }
}

/** One subnet of an availability zone, where one contender task runs. @internal */
export interface ContenderPlacement {
  readonly zone: string;
  readonly subnet: ec2.ISubnet;
}

/**
 * One subnet in each of two different availability zones among `selection`
 * of `vpc`: the lease holder and its standby must not share a zone, or the
 * loss of that zone takes both. Fails naming `prop` with fewer than two
 * zones (`subnets` says which subnets, `fix` what else the user can do).
 * @internal
 */
export function pickContenderZones(scope: IConstruct, vpc: ec2.IVpc, selection: ec2.SubnetSelection, prop: string,
  subnets: string, fix?: string): ContenderPlacement[] {
  const byZone = new Map<string, ec2.ISubnet>();
  for (const subnet of vpc.selectSubnets(selection).subnets) {
    if (!byZone.has(subnet.availabilityZone)) byZone.set(subnet.availabilityZone, subnet);
  }
  const zones = [...byZone.entries()].map(([zone, subnet]) => ({ zone, subnet }));
  if (zones.length < 2) {
    throw new HaValidationError(scope, {
      prop,
      received: zones.map(z => z.zone),
      expected: `${subnets} in at least 2 availability zones: the lease holder and its standby must not share a zone${fix ? `; ${fix}` : ''}`,
    });
  }
  return zones.slice(0, 2);
}

/**
 * Makes CloudFormation create and update the services one after the other:
 * it waits for a service's deployment to finish (steady state, or a
 * circuit-breaker rollback that fails the stack update) before it starts
 * the next one. Without it, a new task definition deploys to every
 * contender at once: a release that starts and then fails takes the lease
 * holder and its standby down together; in order, it reaches the second
 * service only once the first runs it steadily.
 * @internal
 */
export function deployOneAfterTheOther(services: ecs.FargateService[]): void {
  for (let i = 1; i < services.length; i++) {
    const cfn = services[i].node.defaultChild as ecs.CfnService;
    cfn.addResourceDependency(services[i - 1].node.defaultChild as ecs.CfnService);
  }
}

function isStringList(value: unknown): boolean {
  return Array.isArray(value) && value.every(v => typeof v === 'string');
}

/**
 * One lease contender: a one-task service pinned to one subnet of its zone.
 * The new task starts before the old one stops (a contender for a moment
 * more is harmless: only the lease holder acts), and a failing release rolls back.
 */
export function createContenderService(scope: Construct, id: string, cluster: ecs.ICluster, taskDefinition: ecs.TaskDefinition, placement: ContenderPlacement): ecs.FargateService {
  return new ecs.FargateService(scope, id, {
    cluster,
    taskDefinition,
    desiredCount: 1,
    minHealthyPercent: 100,
    maxHealthyPercent: 200,
    circuitBreaker: { enable: true, rollback: true },
    vpcSubnets: { subnets: [placement.subnet] },
    assignPublicIp: false,
  });
}

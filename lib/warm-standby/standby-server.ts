import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { addLauncher, launcherAppEntry } from '../lease/launcher-container';
import { acknowledge } from '../private/network';
import { StandbyServerRole } from './standby-server-role';

/** Props of `StandbyServer`: what `WarmStandbyPair` hands each of its servers. */
export interface StandbyServerProps {
  readonly role: StandbyServerRole;
  readonly availabilityZone: string;
  /** 0 for the primary, 1 for the secondary: its direct ports are the server ports + (index + 1) x directPortOffset. */
  readonly index: number;
  readonly vpc: ec2.IVpc;
  readonly cluster: ecs.ICluster;
  readonly loadBalancer: elbv2.NetworkLoadBalancer;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly logGroup: logs.ILogGroup;
  readonly image: ecs.ContainerImage;
  readonly entryPoint?: string[];
  readonly command?: string[];
  readonly environment?: Record<string, string>;
  readonly cpu?: number;
  readonly memoryLimitMiB?: number;
  readonly tcpPort: number;
  readonly udpPort?: number;
  readonly directPortOffset: number;
  readonly healthCheckInterval: Duration;
  readonly unhealthyThresholdCount: number;
  readonly configParameterPath: string;
  /** ARNs of the configuration parameters (the path and below). */
  readonly configReadArns: string[];
  /** cdk-nag's id of the wildcard finding the read policy raises. */
  readonly configPathWildcard: string;
  /** Launcher mode: the launcher holds the pair's lease and runs the server only while it does. @default the server runs all the time */
  readonly launcher?: StandbyLauncherOptions;
}

/** What a server of a pair in launcher mode gets. */
export interface StandbyLauncherOptions {
  /** The lease environment (`HA_LEASE_*` and `HA_LAUNCHER_FAILBACK`). */
  readonly leaseEnvironment: Record<string, string>;
  /** The server container's stop timeout. */
  readonly stopTimeout: Duration;
  /** The launcher's health port: the target groups' health checks use it. */
  readonly healthPort: number;
}

/**
 * One server of a warm standby pair: a Fargate service with one task
 * pinned to its zone, its task role (configuration read), and its target
 * groups (TCP, and UDP health-checked through the TCP port) with direct
 * listeners on the pair's load balancer.
 */
export class StandbyServer extends Construct {
  public readonly role: StandbyServerRole;
  public readonly availabilityZone: string;
  public readonly taskRole: iam.Role;
  public readonly service: ecs.FargateService;
  public readonly tcpTargetGroup: elbv2.NetworkTargetGroup;
  public readonly udpTargetGroup?: elbv2.NetworkTargetGroup;
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The launcher's container, in launcher mode. */
  public readonly launcherContainer?: ecs.ContainerDefinition;

  constructor(scope: Construct, id: string, props: StandbyServerProps) {
    super(scope, id);
    this.role = props.role;
    this.availabilityZone = props.availabilityZone;
    this.taskRole = this.createTaskRole(scope.node.path, props);
    const task = this.createTask(scope, props);
    this.taskDefinition = task.taskDefinition;
    this.launcherContainer = task.launcherContainer;
    this.service = this.createService(props);
    const targetGroups = this.createTargetGroups(id, props, task.container);
    this.tcpTargetGroup = targetGroups.tcp;
    this.udpTargetGroup = targetGroups.udp;
  }

  /** The task role: reads the pair's configuration. */
  private createTaskRole(pairPath: string, props: StandbyServerProps): iam.Role {
    const taskRole = new iam.Role(this, 'TaskRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: `${pairPath}: ${props.role.toLowerCase()} server`,
    });
    taskRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath', 'ssm:GetParameterHistory'],
      resources: props.configReadArns,
    }));
    acknowledge(taskRole, {
      [props.configPathWildcard]: 'Read access to the parameters under the pair\'s own configuration path, created by the primary at run time.',
    });
    return taskRole;
  }

  /** The task definition: the server's container (gated by the launcher's, in launcher mode). */
  private createTask(pair: Construct, props: StandbyServerProps): StandbyServerTask {
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: props.cpu ?? 512,
      memoryLimitMiB: props.memoryLimitMiB ?? 1024,
      taskRole: this.taskRole,
    });
    const entry = props.launcher ? launcherAppEntry(pair, props.entryPoint, props.command) : { entryPoint: props.entryPoint, command: props.command };
    const container = taskDefinition.addContainer('Server', {
      image: props.image,
      entryPoint: entry.entryPoint,
      command: entry.command,
      stopTimeout: props.launcher?.stopTimeout,
      environment: { ...props.environment, HA_SERVER_ROLE: props.role, HA_CONFIG_PATH: props.configParameterPath },
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: props.role.toLowerCase(), logGroup: props.logGroup }),
      portMappings: [
        { containerPort: props.tcpPort, protocol: ecs.Protocol.TCP },
        ...(props.udpPort !== undefined ? [{ containerPort: props.udpPort, protocol: ecs.Protocol.UDP }] : []),
      ],
    });
    const launcherContainer = props.launcher
      ? addLauncher(pair, {
        taskDefinition, app: container, logGroup: props.logGroup, leaseEnvironment: props.launcher.leaseEnvironment,
        stopTimeout: props.launcher.stopTimeout, healthPort: props.launcher.healthPort,
      })
      : undefined;
    acknowledge(taskDefinition, {
      'AwsSolutions-ECS2': 'The environment holds the server role, the configuration path and the user\'s non-secret settings; secrets belong in Secrets Manager.',
    });
    return { taskDefinition, container, launcherContainer };
  }

  /** The Fargate service: one task, pinned to the server's zone. */
  private createService(props: StandbyServerProps): ecs.FargateService {
    return new ecs.FargateService(this, 'Service', {
      cluster: props.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: 1,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { rollback: true },
      securityGroups: [props.securityGroup],
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, availabilityZones: [props.availabilityZone] },
      healthCheckGracePeriod: Duration.seconds(60),
    });
  }

  /** The TCP target group (and the UDP one, health-checked through TCP), each with its direct listener on the pair's load balancer. */
  private createTargetGroups(id: string, props: StandbyServerProps, container: ecs.ContainerDefinition): { tcp: elbv2.NetworkTargetGroup; udp?: elbv2.NetworkTargetGroup } {
    // Launcher mode: the server runs only on the lease holder, so both servers' health is their launcher's (see the README).
    const healthCheck: elbv2.HealthCheck = {
      protocol: elbv2.Protocol.TCP,
      port: String(props.launcher?.healthPort ?? props.tcpPort),
      interval: props.healthCheckInterval,
      healthyThresholdCount: props.unhealthyThresholdCount,
      unhealthyThresholdCount: props.unhealthyThresholdCount,
    };
    const direct = props.directPortOffset * (props.index + 1);
    const tcp = this.createTargetGroup('TcpTargetGroup', props, container, ecs.Protocol.TCP, props.tcpPort, healthCheck);
    props.loadBalancer.addListener(`${id}DirectTcp`, {
      port: props.tcpPort + direct, protocol: elbv2.Protocol.TCP, defaultTargetGroups: [tcp],
    });
    if (props.udpPort === undefined) return { tcp };
    // UDP cannot be health-checked: the server's TCP port stands for it.
    const udp = this.createTargetGroup('UdpTargetGroup', props, container, ecs.Protocol.UDP, props.udpPort, healthCheck);
    props.loadBalancer.addListener(`${id}DirectUdp`, {
      port: props.udpPort + direct, protocol: elbv2.Protocol.UDP, defaultTargetGroups: [udp],
    });
    return { tcp, udp };
  }

  /** One target group of the server's container port. */
  private createTargetGroup(id: string, props: StandbyServerProps, container: ecs.ContainerDefinition, protocol: ecs.Protocol, port: number,
    healthCheck: elbv2.HealthCheck): elbv2.NetworkTargetGroup {
    return new elbv2.NetworkTargetGroup(this, id, {
      vpc: props.vpc,
      port,
      protocol: protocol === ecs.Protocol.TCP ? elbv2.Protocol.TCP : elbv2.Protocol.UDP,
      targetType: elbv2.TargetType.IP,
      healthCheck,
      deregistrationDelay: Duration.seconds(30),
      targets: [this.service.loadBalancerTarget({ containerName: container.containerName, containerPort: port, protocol })],
    });
  }
}

/** The task definition of a server and its containers. */
interface StandbyServerTask {
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly container: ecs.ContainerDefinition;
  readonly launcherContainer?: ecs.ContainerDefinition;
}

import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { HaValidationError } from '../core/errors';
import { acknowledge, createAccessLogsBucket } from '../private/network';
import { createServiceTargetGroup } from '../private/service-target-group';

/** Props of a `ConfigSite` (built by `ColdStandbyConfigServer`). */
export interface ConfigSiteProps {
  readonly vpc: ec2.IVpc;
  readonly proxyImage: ecs.ContainerImage;
  readonly proxyCount: number;
  /** The server image; no server in this site when undefined. */
  readonly serverImage?: ecs.ContainerImage;
  readonly serverCount: number;
  readonly port: number;
  readonly healthCheckPath: string;
  /** Host name of the writer (requests for it go to the server). */
  readonly writerHost: string;
  readonly environment: Record<string, string>;
  /**
   * Environment of the server only, over `environment`.
   * @default none
   */
  readonly serverEnvironment?: Record<string, string>;
  /**
   * CIDRs of the other sites' VPCs, whose proxies and clients reach this site's load balancer
   * (over VPC peering or a transit gateway) once the writer's name points here.
   * @default none
   */
  readonly peerCidrs?: string[];
}

/**
 * One region of the configuration service: an ECS cluster, an internal ALB,
 * the proxy service (reads, local replica) and optionally the server service
 * (writes), reached by host name on the same listener. Built by
 * `ColdStandbyConfigServer`, one per region.
 */
export class ConfigSite extends Construct {
  public readonly cluster: ecs.Cluster;
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  public readonly proxy: ecs.FargateService;
  public readonly proxyTargetGroup: elbv2.ApplicationTargetGroup;
  public readonly server?: ecs.FargateService;
  public readonly serverTargetGroup?: elbv2.ApplicationTargetGroup;

  constructor(scope: Construct, id: string, props: ConfigSiteProps) {
    super(scope, id);
    this.cluster = new ecs.Cluster(this, 'Cluster', { vpc: props.vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    const sg = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', { vpc: props.vpc, description: `Config service load balancer ${this.node.path}`, allowAllOutbound: false });
    sg.addIngressRule(ec2.Peer.ipv4(props.vpc.vpcCidrBlock), ec2.Port.tcp(80), 'configuration clients in the VPC');
    for (const cidr of props.peerCidrs ?? []) {
      sg.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(80), 'configuration proxies and clients of another site (peering or transit gateway)');
    }
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc, internetFacing: false, securityGroup: sg,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      dropInvalidHeaderFields: true,
    });
    this.loadBalancer.logAccessLogs(createAccessLogsBucket(this, 'AccessLogs'));
    const listener = this.loadBalancer.addListener('Http', { port: 80, protocol: elbv2.ApplicationProtocol.HTTP, open: false });

    const proxy = this.service('Proxy', props.proxyImage, props.proxyCount, { ...props.environment, CONFIG_ROLE: 'proxy' }, props);
    this.proxy = proxy.service;
    this.proxyTargetGroup = proxy.targetGroup;
    listener.addTargetGroups('Proxy', { targetGroups: [proxy.targetGroup] });

    if (props.serverImage) {
      const server = this.service('Server', props.serverImage, props.serverCount, { ...props.environment, ...props.serverEnvironment, CONFIG_ROLE: 'server' }, props);
      this.server = server.service;
      this.serverTargetGroup = server.targetGroup;
      listener.addTargetGroups('Server', {
        targetGroups: [server.targetGroup], priority: 10,
        conditions: [elbv2.ListenerCondition.hostHeaders([props.writerHost])],
      });
    }
    acknowledge(sg, {
      'AwsSolutions-EC23': 'Ingress is limited to port 80 from the VPC CIDR and the other sites\' VPC CIDRs; cdk-nag cannot evaluate the CIDR because it is a token.',
    });
  }

  /** Healthy targets of a target group, 1-minute minimum. */
  public metricHealthyHosts(targetGroup: elbv2.ApplicationTargetGroup): cloudwatch.Metric {
    return targetGroup.metrics.healthyHostCount({ statistic: 'Minimum', period: Duration.minutes(1) });
  }

  private service(id: string, image: ecs.ContainerImage, desiredCount: number, environment: Record<string, string>, props: ConfigSiteProps) {
    const scope = new Construct(this, id);
    const task = new ecs.FargateTaskDefinition(scope, 'Task', { cpu: 256, memoryLimitMiB: 512, runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64 } });
    const logGroup = new logs.LogGroup(scope, 'Logs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
    task.addContainer('App', {
      image,
      environment,
      portMappings: [{ containerPort: props.port }],
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: id.toLowerCase(), logGroup }),
    });
    acknowledge(task, {
      'AwsSolutions-ECS2': 'The environment holds only non-secret settings (table name, regions, host names); credentials come from the task role.',
    });
    const service = new ecs.FargateService(scope, 'Service', {
      cluster: this.cluster, taskDefinition: task, desiredCount,
      minHealthyPercent: 100, maxHealthyPercent: 200,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      circuitBreaker: { rollback: true },
    });
    service.connections.allowFrom(this.loadBalancer, ec2.Port.tcp(props.port), 'load balancer to tasks');
    const targetGroup = createServiceTargetGroup(scope, 'TargetGroup', { vpc: props.vpc, port: props.port, healthCheckPath: props.healthCheckPath, targets: [service] });
    scope.node.addValidation({ validate: () => portsAgree(scope, task, targetGroup) });
    return { service, targetGroup, task };
  }
}

/**
 * The load balancer sends traffic and health checks to ports the task listens on:
 * a target group or health-check port that no container maps (changed after the
 * fact, e.g. `configureHealthCheck({ port })`) leaves every task unhealthy, and
 * the deployment rolls back.
 */
function portsAgree(scope: Construct, task: ecs.TaskDefinition, targetGroup: elbv2.ApplicationTargetGroup): string[] {
  const mapped = task.node.children
    .filter((c): c is ecs.ContainerDefinition => c instanceof ecs.ContainerDefinition)
    .flatMap(c => c.portMappings.map(m => m.containerPort));
  const cfn = targetGroup.node.defaultChild as elbv2.CfnTargetGroup;
  const stack = Stack.of(scope);
  const port: unknown = stack.resolve(cfn.port);
  const health: unknown = stack.resolve(cfn.healthCheckPort);
  const fix = `the port the image listens on is containerPort (now ${mapped.join(', ')}): set containerPort and healthCheckPath to what the image serves rather than changing the target group`;
  const errors: string[] = [];
  if (typeof port === 'number' && !mapped.includes(port)) {
    errors.push(new HaValidationError(scope, { prop: 'targetGroup.port', received: port, expected: `a container port mapping of the task; ${fix}` }).message);
  }
  if (health !== undefined && health !== 'traffic-port' && !mapped.includes(Number(health))) {
    errors.push(new HaValidationError(scope, {
      prop: 'targetGroup.healthCheck.port', received: health,
      expected: `'traffic-port' or a container port mapping of the task: the load balancer would check a port no container listens on, no task would turn healthy and the deployment would roll back; ${fix}`,
    }).message);
  }
  return errors;
}

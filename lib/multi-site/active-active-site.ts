import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge, createAccessLogsBucket, createHaVpc } from '../private/network';
import { createServiceTargetGroup } from '../private/service-target-group';

/** Props of `ActiveActiveSite` (built by `MultiSiteActiveActive` in each site's stack). */
export interface ActiveActiveSiteProps {
  /** Name of the site in descriptions, e.g. `engine.example.com (eu-west-1)`. */
  readonly siteName: string;
  /** The image the nodes run. */
  readonly image: ecs.ContainerImage;
  /** The port the container listens on. */
  readonly containerPort: number;
  /** The load balancer's health-check path. */
  readonly healthCheckPath: string;
  /** Nodes (tasks) of the site. */
  readonly desiredCount: number;
  /**
   * The site's VPC.
   * @default a new VPC over 2 zones with a NAT gateway per zone and flow logs
   */
  readonly vpc?: ec2.IVpc;
  /** Environment of the nodes (no secrets). */
  readonly environment: Record<string, string>;
  /**
   * Deletion protection of the site's load balancer (`deletion_protection.enabled`).
   * @default true
   */
  readonly deletionProtection?: boolean;
}

/**
 * The nodes of one site: a Fargate service behind the site's load balancer,
 * upgraded by rolling deployments that roll back on the circuit breaker or
 * on the site's deployment alarm.
 */
export class ActiveActiveSite extends Construct {
  /** The site's VPC. */
  public readonly vpc: ec2.IVpc;
  /** The site's ECS cluster. */
  public readonly cluster: ecs.Cluster;
  /** The site's nodes. */
  public readonly service: ecs.FargateService;
  /** The site's load balancer (the target of its records and health check). */
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The nodes' target group. */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** 5xx responses of the site's nodes: rolls a deployment back when it fires during the deployment. */
  public readonly deploymentAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ActiveActiveSiteProps) {
    super(scope, id);
    this.vpc = props.vpc ?? createHaVpc(this, 'Vpc');
    const vpc = this.vpc;
    this.cluster = new ecs.Cluster(this, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: 512,
      memoryLimitMiB: 1024,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
    taskDefinition.addContainer('App', {
      image: props.image,
      portMappings: [{ containerPort: props.containerPort }],
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: props.siteName }),
      environment: props.environment,
    });
    acknowledge(taskDefinition, { 'AwsSolutions-ECS2': 'The environment holds the site name and mode only; no secrets.' });

    const lbSg = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', { vpc, description: `${props.siteName} load balancer`, allowAllOutbound: false });
    lbSg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(80), 'HTTP from clients and Route 53 health checkers');
    acknowledge(lbSg, { 'AwsSolutions-EC23': 'The site load balancer is a public entry point: clients and Route 53 health checkers connect from anywhere.' });
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc, internetFacing: true, securityGroup: lbSg, dropInvalidHeaderFields: true, deletionProtection: props.deletionProtection ?? true,
    });
    this.loadBalancer.logAccessLogs(createAccessLogsBucket(this, 'AccessLogs'));

    this.targetGroup = createServiceTargetGroup(this, 'TargetGroup', { vpc, port: props.containerPort, healthCheckPath: props.healthCheckPath });
    this.loadBalancer.addListener('Listener', {
      port: 80,
      protocol: elbv2.ApplicationProtocol.HTTP,
      open: false,
      defaultAction: elbv2.ListenerAction.forward([this.targetGroup]),
    });

    this.deploymentAlarm = new cloudwatch.Alarm(this, 'DeploymentAlarm', {
      metric: this.targetGroup.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: Duration.minutes(1), statistic: 'Sum' }),
      threshold: 10,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `${props.siteName}: nodes answer with 5xx errors (10 or more a minute, 2 minutes running); a deployment in progress rolls back.`,
    });

    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition,
      desiredCount: props.desiredCount,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      deploymentAlarms: { alarmNames: [this.deploymentAlarm.alarmName], behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM },
    });
    this.service.connections.allowFrom(lbSg, ec2.Port.tcp(props.containerPort), 'from the site load balancer');
    this.service.attachToApplicationTargetGroup(this.targetGroup);
  }
}

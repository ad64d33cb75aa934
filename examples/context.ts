import { Annotations, App, CfnOutput, Fn, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { FailoverNotifications, HaDashboard } from '../lib';

/** Settings of a reference architecture, from context values with documented defaults. */
export interface ExampleSettings {
  /** `-c account=...` @default '123456789012' */
  readonly account: string;
  /** `-c primaryRegion=...` @default 'eu-west-1' */
  readonly primaryRegion: string;
  /** `-c secondaryRegion=...` @default 'us-east-1' */
  readonly secondaryRegion: string;
  /** `-c thirdRegion=...`: a third site where an example supports one. @default none */
  readonly thirdRegion?: string;
  /** `-c domainName=...`: the parent of the public hosted zone an example creates (`<example>.<domainName>`). @default 'example.com' */
  readonly domainName: string;
  /**
   * `-c hostedZoneId=Z...`: an existing public hosted zone, already delegated
   * from its parent, to use instead of creating one (with `hostedZoneName`).
   * A zone the example creates answers nothing until its NS records are
   * delegated: certificates validated by DNS never validate and Route 53
   * health checks cannot resolve the site names.
   * @default none: the example creates `<example>.<domainName>`
   */
  readonly hostedZoneId?: string;
  /** `-c hostedZoneName=...`: the name of `hostedZoneId`'s zone, e.g. `ha.example.com`. @default none */
  readonly hostedZoneName?: string;
  /**
   * `-c alertEmail=...`: confirms one subscription per topic (the shared
   * stack's, and each replica in a stack of another region).
   * @default 'ops@example.com'
   */
  readonly alertEmail: string;
  /**
   * `-c alertPhone=...` (E.164). Every region the example notifies from sends
   * the SMS: each must be out of the SMS sandbox with an origination identity
   * (synthesis warns `cdk-ha-patterns:notifications-sms-sandbox`, naming them).
   * @default '+12025550123'
   */
  readonly alertPhone: string;
  /** `-c alertWebhook=...` (https) @default 'https://hooks.example.com/ha' */
  readonly alertWebhook: string;
}

/** Reads the settings from the app's context. */
export function exampleSettings(app: App): ExampleSettings {
  const get = (key: string, fallback: string) => (app.node.tryGetContext(key) as string | undefined) ?? fallback;
  return {
    account: get('account', '123456789012'),
    primaryRegion: get('primaryRegion', 'eu-west-1'),
    secondaryRegion: get('secondaryRegion', 'us-east-1'),
    thirdRegion: app.node.tryGetContext('thirdRegion') as string | undefined,
    domainName: get('domainName', 'example.com'),
    hostedZoneId: app.node.tryGetContext('hostedZoneId') as string | undefined,
    hostedZoneName: app.node.tryGetContext('hostedZoneName') as string | undefined,
    alertEmail: get('alertEmail', 'ops@example.com'),
    alertPhone: get('alertPhone', '+12025550123'),
    alertWebhook: get('alertWebhook', 'https://hooks.example.com/ha'),
  };
}

/**
 * What every component of a reference architecture gets: the settings, a
 * shared stack in the primary region with the failover notifications, the
 * dashboard and the hosted zone, and a factory for further stacks.
 */
export class ExampleContext {
  /** The shared stack (primary region). */
  public readonly shared: Stack;
  /** Failover notifications (email, SMS, webhook) in the primary region; `inRegionOf()` for others. */
  public readonly notifications: FailoverNotifications;
  /** The example's dashboard, in the primary region. */
  public readonly dashboard: HaDashboard;
  /** The example's public hosted zone: the delegated one given by context, or a new one. */
  public readonly zone: route53.IPublicHostedZone;

  constructor(public readonly app: App, public readonly name: string, public readonly settings: ExampleSettings) {
    this.shared = this.stack('Shared', settings.primaryRegion, { description: `${name}: failover notifications, dashboard and DNS zone` });
    this.notifications = new FailoverNotifications(this.shared, 'FailoverNotifications', {
      emails: [settings.alertEmail],
      smsNumbers: [settings.alertPhone],
      webhookUrls: [settings.alertWebhook],
    });
    this.dashboard = new HaDashboard(this.shared, 'Dashboard', { dashboardName: name });
    this.zone = this.hostedZone();
  }

  /**
   * The delegated zone named by `-c hostedZoneId=... -c hostedZoneName=...`,
   * imported by its id and name (a literal in every stack, so each region can
   * be its own pipeline stage); otherwise a new zone, with its name servers as
   * an output and a warning that it must be delegated before deploying the rest.
   */
  private hostedZone(): route53.IPublicHostedZone {
    const { hostedZoneId, hostedZoneName } = this.settings;
    if ((hostedZoneId === undefined) !== (hostedZoneName === undefined)) {
      throw new Error(`${this.name}: give -c hostedZoneId=... and -c hostedZoneName=... together (got ${hostedZoneId ? 'hostedZoneId' : 'hostedZoneName'} only)`);
    }
    if (hostedZoneId && hostedZoneName) {
      return route53.PublicHostedZone.fromPublicHostedZoneAttributes(this.shared, 'Zone', { hostedZoneId, zoneName: hostedZoneName });
    }
    const zone = new route53.PublicHostedZone(this.shared, 'Zone', { zoneName: `${this.name}.${this.settings.domainName}` });
    new CfnOutput(this.shared, 'ZoneNameServers', {
      description: `Delegate ${zone.zoneName} to these name servers (NS record in ${this.settings.domainName}) before deploying the other stacks`,
      value: Fn.join(',', zone.hostedZoneNameServers!),
    });
    Annotations.of(this.shared).addWarningV2('cdk-ha-patterns-examples:zone-not-delegated',
      `${this.name} creates the new public hosted zone ${zone.zoneName}: it answers nothing until its NS records are delegated from ${this.settings.domainName}, ` +
      'so certificates validated by DNS never validate (the stacks wait and roll back) and Route 53 health checks cannot resolve the site names. ' +
      'Deploy the Shared stack first and delegate the zone (output ZoneNameServers), or pass an existing delegated zone: -c hostedZoneId=Z... -c hostedZoneName=ha.example.com.');
    return zone;
  }

  /**
   * The examples' VPC in `stack`: public, private-with-egress and isolated
   * subnets in two zones, a NAT gateway per zone, no public IPs on launch,
   * flow logs kept a year.
   */
  public vpc(stack: Stack, cidr?: string): ec2.Vpc {
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      // Sites that route to each other (peering, transit gateway) need ranges that do not overlap.
      ipAddresses: cidr ? ec2.IpAddresses.cidr(cidr) : undefined,
      maxAzs: 2,
      natGateways: 2,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
        { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
        { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
    });
    const flowLogs = new logs.LogGroup(vpc, 'FlowLogs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
    vpc.addFlowLog('FlowLog', { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs) });
    return vpc;
  }

  /** A stack of this example, named `<example>-<id>`, in `region` of the example account. */
  public stack(id: string, region: string, props: StackProps = {}): Stack {
    return new Stack(this.app, `${this.name}-${id}`, {
      ...props,
      env: { account: this.settings.account, region },
      crossRegionReferences: true,
    });
  }
}

/** A reference architecture. */
export interface ExampleDefinition {
  /** Folder and `-c example=` name. */
  readonly name: string;
  /** One line for the README and the report. */
  readonly description: string;
  /** Adds the example's stacks to `app`. */
  build(app: App): ExampleContext;
}

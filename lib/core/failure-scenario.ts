import { CfnResource, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { describeVpc, networkRoutesFor, sameRegionNetwork } from '../private/network-routes';
import { renderedProperties } from '../private/rendered';

/** The kinds of failure a recovery path handles. */
export enum FailureKind {
  /** A whole region is lost: everything placed in it (alarms, rules, buses, functions, tasks) is gone. */
  REGION_LOSS = 'region-loss',
  /** One availability zone is lost: its tasks, instances and subnets. */
  ZONE_LOSS = 'zone-loss',
  /** One task or process stops (crash, host failure, deployment). */
  TASK_LOSS = 'task-loss',
  /** The database's writer is lost (instance, zone or cluster). */
  DATABASE_WRITER_LOSS = 'database-writer-loss',
  /** The primary server of a primary/standby pair is lost. */
  PRIMARY_SERVER_LOSS = 'primary-server-loss',
}

/** A failure a recovery path exists for: its kind and the region it happens in. */
export class FailureScenario {
  /** The loss of `region`: every link placed there is gone. */
  public static regionLoss(region: string): FailureScenario {
    return new FailureScenario(FailureKind.REGION_LOSS, region);
  }

  /** The loss of one availability zone of `region`. */
  public static zoneLoss(region: string): FailureScenario {
    return new FailureScenario(FailureKind.ZONE_LOSS, region);
  }

  /** The loss of one task or process in `region`. */
  public static taskLoss(region: string): FailureScenario {
    return new FailureScenario(FailureKind.TASK_LOSS, region);
  }

  /** The loss of the database writer in `region`. */
  public static databaseWriterLoss(region: string): FailureScenario {
    return new FailureScenario(FailureKind.DATABASE_WRITER_LOSS, region);
  }

  /** The loss of the primary server in `region`. */
  public static primaryServerLoss(region: string): FailureScenario {
    return new FailureScenario(FailureKind.PRIMARY_SERVER_LOSS, region);
  }

  private constructor(
    /** What fails. */
    public readonly kind: FailureKind,
    /** Where it fails. */
    public readonly region: string,
  ) {}

  /** `region-loss of eu-west-1`. */
  public get description(): string {
    return `${this.kind} of ${this.region}`;
  }

  /** Whether the failure takes down what is placed in `region` (only a region loss takes down a region). */
  public takesDownRegion(region: string): boolean {
    return this.kind === FailureKind.REGION_LOSS && !Token.isUnresolved(region) && region === this.region;
  }
}

/** The kinds of link of a recovery path. */
export enum PathLinkKind {
  /** The metric or probe that sees the failure. */
  SIGNAL = 'signal',
  /** The alarm that turns the signal into a state change. */
  ALARM = 'alarm',
  /** The EventBridge rule that starts the automation. */
  EVENT_RULE = 'event rule',
  /** The automation (function, runbook) that acts. */
  AUTOMATION = 'automation',
  /** DNS records and health checks (Route 53's data plane is global). */
  DNS = 'dns',
  /** The capacity that serves after the failover. */
  CAPACITY = 'capacity',
  /** A network route the path needs between two VPCs (`PathLink.network`). */
  NETWORK = 'network',
}

/** An API call an automation makes, on one resource. */
export interface AutomationCall {
  /** The IAM actions of the call, e.g. `['ecs:UpdateService']`. */
  readonly actions: string[];
  /** The ARN (or token) of the resource the call names. */
  readonly resource: string;
}

/** Options of a capacity link. */
export interface CapacityOptions {
  /**
   * Tasks (or nodes) that serve once the path has run.
   * @default the service's synthesized `DesiredCount` (escape hatches count) less `lost`
   */
  readonly serving?: number;
  /**
   * Tasks the failure takes away for good (when `serving` is read from the service).
   * @default 0
   */
  readonly lost?: number;
  /** Tasks (or nodes) the load needs (N of an N+1 pattern). */
  readonly required: number;
}

/** Options of a network link. */
export interface NetworkLinkOptions {
  /**
   * The port the path connects to, for messages and reviewers.
   * @default not stated
   */
  readonly port?: number;
}

/**
 * One link of a recovery path, as a construct reference: where it lives
 * decides whether it survives the path's failure scenario.
 */
export class PathLink {
  /** The signal that sees the failure, published in `region` (a metric's region, or where a probe runs). */
  public static signal(construct: IConstruct, description: string, region?: string): PathLink {
    return new PathLink(PathLinkKind.SIGNAL, construct, description, { region });
  }

  /** An alarm of the path (it lives in its stack's region). */
  public static alarm(alarm: IConstruct, description: string): PathLink {
    return new PathLink(PathLinkKind.ALARM, alarm, description);
  }

  /** An EventBridge rule of the path (its stack's region and default bus). */
  public static eventRule(rule: IConstruct, description: string): PathLink {
    return new PathLink(PathLinkKind.EVENT_RULE, rule, description);
  }

  /** An automation of the path, the role it runs as and the calls it makes. */
  public static automation(automation: IConstruct, description: string, role: iam.IRole, calls: AutomationCall[]): PathLink {
    return new PathLink(PathLinkKind.AUTOMATION, automation, description, { role, calls });
  }

  /** A Route 53 record or health check: global, it survives any region's loss. */
  public static dns(record: IConstruct, description: string): PathLink {
    return new PathLink(PathLinkKind.DNS, record, description, { global: true });
  }

  /** The capacity that serves once the path has run. */
  public static capacity(service: IConstruct, description: string, options: CapacityOptions): PathLink {
    return new PathLink(PathLinkKind.CAPACITY, service, description, { capacity: options });
  }

  /**
   * A network path the recovery path needs: connections from `fromVpc`
   * reach `toVpc`. Between VPCs of two regions that takes a route: an
   * `InterRegionVpcPeering` between them, or your own declared with
   * `NetworkRoute.declare`; without one, synthesis fails. VPCs of one region
   * (or one VPC) need none. The link is checked for its route only: whether
   * its ends survive a scenario is for the links that run there.
   */
  public static network(fromVpc: ec2.IVpc, toVpc: ec2.IVpc, description: string, options: NetworkLinkOptions = {}): PathLink {
    return new PathLink(PathLinkKind.NETWORK, fromVpc, description, { network: { from: fromVpc, to: toVpc, port: options.port } });
  }

  private constructor(
    /** What the link does. */
    public readonly kind: PathLinkKind,
    /** The construct. */
    public readonly construct: IConstruct,
    /** What it is, for messages. */
    public readonly description: string,
    private readonly options: {
      readonly region?: string; readonly global?: boolean; readonly role?: iam.IRole;
      readonly calls?: AutomationCall[]; readonly capacity?: CapacityOptions;
      readonly network?: { readonly from: ec2.IVpc; readonly to: ec2.IVpc; readonly port?: number };
    } = {},
  ) {}

  /** The region the link lives in (its stack's, unless given). */
  public get region(): string {
    return this.options.region ?? Stack.of(this.construct).region;
  }

  /** Whether the link is global (Route 53's data plane). */
  public get isGlobal(): boolean {
    return this.options.global ?? false;
  }

  /** What is wrong with the link under `scenario`, or nothing. */
  public check(scenario: FailureScenario): string[] {
    const problems: string[] = [];
    if (!this.isGlobal && !this.options.network && scenario.takesDownRegion(this.region)) {
      problems.push(`its ${this.kind} ${this.description} (${this.construct.node.path}) lives in ${this.region}, which ${scenario.description} takes down`);
    }
    if (this.options.role && this.options.calls) {
      for (const call of this.options.calls) {
        const missing = call.actions.filter(a => !allows(this.options.role!, a, call.resource));
        if (missing.length > 0) {
          const resource = Token.isUnresolved(call.resource) ? JSON.stringify(Stack.of(this.construct).resolve(call.resource)) : call.resource;
          problems.push(`its ${this.kind} ${this.description} (${this.construct.node.path}) calls ${missing.join(', ')} on ${resource}, which its role does not allow`);
        }
      }
    }
    const network = this.options.network;
    if (network && !sameRegionNetwork(network.from, network.to) && networkRoutesFor(network.from, network.to).length === 0) {
      problems.push(`its ${this.kind} link ${this.description} needs ${describeVpc(network.from)} to reach ${describeVpc(network.to)}` +
        `${network.port === undefined ? '' : ` on port ${network.port}`}, and no route connects them: ` +
        `peer them with new InterRegionVpcPeering(<a scope in the stack that deploys second>, id, { vpc, peerVpc }), ` +
        'or declare the route you manage (transit gateway, PrivateLink, public TLS endpoint) with NetworkRoute.declare(scope, { fromVpc, toVpc, kind, description })');
    }
    const capacity = this.options.capacity;
    if (capacity) {
      const serving = capacity.serving ?? synthesizedDesiredCount(this.construct) - (capacity.lost ?? 0);
      if (serving < capacity.required) {
        problems.push(`its ${this.kind} ${this.description} (${this.construct.node.path}) serves ${serving} after failover; the load needs ${capacity.required}`);
      }
    }
    return problems;
  }
}

/**
 * Whether `role`'s policies (identity policies in its stack, inline or
 * attached, as synthesized: escape hatches count) allow `action` on `resource`.
 */
function allows(role: iam.IRole, action: string, resource: string): boolean {
  const stack = Stack.of(role);
  const roleRef = JSON.stringify(stack.resolve(role.roleName));
  const documents: unknown[] = [];
  for (const c of stack.node.findAll()) {
    if (c instanceof iam.CfnPolicy) {
      const props = renderedProperties(c);
      const roles = (props.Roles ?? []) as unknown[];
      if (roles.some(r => JSON.stringify(r) === roleRef)) documents.push(props.PolicyDocument);
    } else if (c instanceof iam.CfnRole && c === role.node.defaultChild) {
      for (const p of (renderedProperties(c).Policies ?? []) as Array<{ PolicyDocument?: unknown }>) documents.push(p.PolicyDocument);
    }
  }
  const wanted = JSON.stringify(stack.resolve(resource));
  return documents.some(doc => ((doc as { Statement?: unknown[] })?.Statement ?? []).some(s => statementAllows(s as Statement, action, wanted)));
}

/** The `DesiredCount` of a service as synthesized; a service without one counts 0 (give `serving` then). */
function synthesizedDesiredCount(service: IConstruct): number {
  const cfn = service.node.defaultChild;
  const count = cfn instanceof CfnResource ? renderedProperties(cfn).DesiredCount : undefined;
  return typeof count === 'number' ? count : 0;
}

interface Statement {
  readonly Effect?: string;
  readonly Action?: string | string[];
  readonly Resource?: unknown;
}

function statementAllows(s: Statement, action: string, resource: string): boolean {
  if (s.Effect !== 'Allow') return false;
  const actions = ([] as string[]).concat(s.Action ?? []);
  if (!actions.some(a => wildcard(a).test(action))) return false;
  const resources = ([] as unknown[]).concat(s.Resource ?? []);
  return resources.some(r => r === '*' || JSON.stringify(r) === resource || (typeof r === 'string' && wildcard(r).test(JSON.parse(resource) as string)));
}

function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map(p => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
}

import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as arc from 'aws-cdk-lib/aws-arcregionswitch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { IConstruct } from 'constructs';
import { HaValidationError } from '../core/errors';
// Types only: the patterns build their own plans from these steps (no import cycle).
import { DrillPermission } from './drill-description';
import { ceilMinutes } from './drill-support/figures';

/** What the Aurora Global Database step of a Region switch plan calls. */
export enum GlobalDatabaseBehavior {
  /**
   * `SwitchoverGlobalCluster` when the plan runs gracefully (no data loss),
   * `FailoverGlobalCluster` with `AllowDataLoss` when it runs ungracefully
   * (the primary region is lost).
   */
  SWITCHOVER_ONLY = 'switchoverOnly',
  /** `FailoverGlobalCluster` with `AllowDataLoss` in every run: may lose the writes not yet replicated. */
  FAILOVER = 'failover',
}

/** A step name the library gives (letters, digits, hyphens and underscores). */
const STEP_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Where a Lambda step runs its function. */
export enum RegionToRun {
  /** In the region the workflow activates (Region switch's advice: no dependency on the region being left). */
  ACTIVATING = 'activatingRegion',
  /**
   * In the region the workflow deactivates: for a failback's clean-up in the region it leaves (both
   * regions are up in a graceful failback).
   */
  DEACTIVATING = 'deactivatingRegion',
}

/** Options of a Lambda step. */
export interface RegionSwitchFunctionOptions {
  /**
   * The step's name in the plan (unique in its workflow).
   * @default 'run-automation'
   */
  readonly name?: string;
  /**
   * Where the function runs.
   * @default RegionToRun.ACTIVATING
   */
  readonly regionToRun?: RegionToRun;
  /**
   * What the step is for, shown in the plan.
   * @default 'Runs <function path>'
   */
  readonly description?: string;
  /**
   * The event the function is invoked with, as JSON.
   * @default no payload
   */
  readonly payload?: string;
  /**
   * How long Region switch waits between retries of a failed invocation (whole minutes).
   * @default Duration.minutes(1)
   */
  readonly retryInterval?: Duration;
  /**
   * How long the step may take (whole minutes).
   * @default Region switch's default
   */
  readonly timeout?: Duration;
}

/** A function a Region switch step invokes when the plan activates the function's region. */
export interface RegionSwitchFunction {
  /**
   * The function's ARN: the function's own in the plan's stack, or a literal built from a literal name
   * (a function in another region's stack: a token would tie the stacks together).
   */
  readonly functionArn: string;
  /** The function's region: one of the plan's two. */
  readonly region: string;
  /**
   * The event the function is invoked with, as JSON.
   * @default the step's `payload`
   */
  readonly payload?: string;
}

/** What a step binds to: the plan's L1 and its regions (`RegionSwitchPlan` is one). */
export interface IRegionSwitchPlanBinding extends IConstruct {
  /** The plan's L1 (its `PlanHealthChecks` attribute names the health checks Region switch creates). */
  readonly plan: arc.CfnPlan;
  /** The plan's two regions, in order. */
  readonly regions: string[];
}

/** One cluster of an Aurora Global Database, by literal identifier and region. */
export interface GlobalClusterMember {
  /** The cluster's region. */
  readonly region: string;
  /** The cluster's literal identifier (its ARN is built from it: no cross-region token). */
  readonly clusterIdentifier: string;
}

/** An Aurora Global Database a Region switch plan can promote (`HaDatabase` is one). */
export interface IRegionSwitchGlobalDatabase extends IConstruct {
  /**
   * The global cluster's identifier.
   * @default none: the database is not global
   */
  readonly globalClusterIdentifier?: string;
  /** The global database's clusters, the primary first; fewer than two when it has no secondary region. */
  readonly globalClusterMembers: GlobalClusterMember[];
}

/** The common name a Region switch plan's Route 53 block moves (`LatencyDns` is one). */
export interface IRegionSwitchDns extends IConstruct {
  /** The common name. */
  readonly domainName: string;
  /** The regions of its records (one record per region). */
  readonly regions: string[];
  /** The hosted zone of the records. */
  readonly zone: route53.IHostedZone;
  /** Attaches `plan`'s own health checks (`PlanHealthChecks`, by region) to the records, so the block moves traffic. */
  usePlanHealthChecks(plan: arc.CfnPlan, planRegions: string[]): void;
}

/**
 * One execution block of a Region switch plan, built from the library's
 * own resources, with the permissions the plan's role needs to run it.
 * The plan runs its steps in order: database first, then capacity, then DNS.
 */
export class RegionSwitchStep {
  /**
   * Promotes the secondary cluster of an `HaDatabase` with a secondary
   * region (Aurora Global Database block): switchover when the plan runs
   * gracefully, failover with data loss when it runs ungracefully.
   */
  public static auroraGlobalDatabase(database: IRegionSwitchGlobalDatabase, behavior: GlobalDatabaseBehavior = GlobalDatabaseBehavior.SWITCHOVER_ONLY): RegionSwitchStep {
    return new RegionSwitchStep({
      name: 'promote-database',
      executionBlockType: 'AuroraGlobalDatabase',
      description: `Promotes the secondary cluster of ${database.node.path} (global cluster ${database.globalClusterIdentifier ?? '<none>'})`,
      subject: database,
      // The block promotes the activating region's cluster: it runs for either region (the failback switches back).
      eitherRegion: true,
      unusable: database.globalClusterMembers.length >= 2 ? undefined
        : 'an HaDatabase with a secondary region (Aurora Global Database): a single-region database has no region to switch to',
      render: plan => {
        const { globalArn, clusterArns } = globalDatabaseArns(plan, database);
        return {
          config: {
            globalAuroraConfig: {
              behavior,
              globalClusterIdentifier: database.globalClusterIdentifier!,
              databaseClusterArns: clusterArns,
              ...(behavior === GlobalDatabaseBehavior.SWITCHOVER_ONLY ? { ungraceful: { ungraceful: 'failover' } } : {}),
            },
          },
          permissions: [
            { statement: new iam.PolicyStatement({ actions: ['rds:FailoverGlobalCluster', 'rds:SwitchoverGlobalCluster'], resources: [globalArn, ...clusterArns] }) },
            { statement: new iam.PolicyStatement({ actions: ['rds:DescribeGlobalClusters'], resources: [globalArn] }) },
            { statement: new iam.PolicyStatement({ actions: ['rds:DescribeDBClusters'], resources: clusterArns }) },
          ],
        };
      },
    });
  }

  /**
   * Invokes a function in the region being activated (a custom action
   * block; `regionToRun` DEACTIVATING: in the region being left): for example the library's own failover automation, so the plan
   * runs exactly what the alarm-driven path runs.
   */
  public static invokeFunction(fn: lambda.IFunction, options: RegionSwitchFunctionOptions = {}): RegionSwitchStep {
    return RegionSwitchStep.lambdaBlock([{ functionArn: fn.functionArn }], options, {
      description: `Runs ${fn.node.path}`, subject: fn,
    });
  }

  /**
   * Invokes, for whichever of the plan's regions is activated, that region's function (a custom action
   * block with one function per region, as Region switch asks): the step runs in the switch and in the
   * failback alike. Give one function in each of the plan's two regions.
   */
  public static invokeFunctionInEachRegion(functions: RegionSwitchFunction[], options: RegionSwitchFunctionOptions = {}): RegionSwitchStep {
    const regions = (functions ?? []).map(f => f.region);
    return RegionSwitchStep.lambdaBlock(functions ?? [], options, {
      description: `Runs the function of the activated region (${regions.join(', ')})`,
      eitherRegion: true,
      unusable: Array.isArray(functions) && functions.length === 2 && new Set(regions).size === 2 ? undefined
        : `one function in each of the plan's two regions (received ${Array.isArray(functions) ? functions.length : 0} in ${regions.join(', ') || 'none'})`,
      bind: plan => {
        const missing = plan.regions.filter(r => !regions.includes(r));
        if (missing.length > 0) {
          throw new HaValidationError(plan, {
            prop: 'steps', received: regions,
            expected: `a function in each of the plan's regions (${plan.regions.join(', ')}): none runs when ${missing.join(', ')} is activated`,
          });
        }
      },
    });
  }

  /** A custom action block over `functions` (each with its payload, or the options'), and the right to invoke them. */
  private static lambdaBlock(functions: Array<Pick<RegionSwitchFunction, 'functionArn' | 'payload'>>, options: RegionSwitchFunctionOptions, block: {
    description: string; subject?: IConstruct; eitherRegion?: boolean; unusable?: string; bind?: (plan: IRegionSwitchPlanBinding) => void;
  }): RegionSwitchStep {
    const regionToRun = options.regionToRun ?? RegionToRun.ACTIVATING;
    const name = options.name ?? 'run-automation';
    return new RegionSwitchStep({
      name,
      unusable: !STEP_NAME.test(name) ? `a step name of 1 to 64 letters, digits, hyphens and underscores (name: ${JSON.stringify(name)})`
        : !Object.values(RegionToRun).includes(regionToRun) ? `a RegionToRun value (regionToRun: ${JSON.stringify(regionToRun)})` : block.unusable,
      executionBlockType: 'CustomActionLambda',
      description: options.description ?? block.description,
      subject: block.subject,
      eitherRegion: block.eitherRegion,
      durations: { retryInterval: options.retryInterval, timeout: options.timeout },
      bind: block.bind,
      render: () => ({
        config: {
          customActionLambdaConfig: {
            lambdas: functions.map(f => ({ arn: f.functionArn, payload: f.payload ?? options.payload })),
            regionToRun,
            retryIntervalMinutes: ceilMinutes(options.retryInterval ?? Duration.minutes(1)),
            timeoutMinutes: options.timeout ? ceilMinutes(options.timeout) : undefined,
          },
        },
        permissions: [{ statement: new iam.PolicyStatement({ actions: ['lambda:GetFunction', 'lambda:InvokeFunction'], resources: functions.map(f => f.functionArn) }) }],
      }),
    });
  }

  /**
   * Moves the common name of a `LatencyDns` (Route 53 health check block):
   * Region switch creates one health check per region and sets their state
   * when the plan runs. The plan attaches them to the name's records (each
   * region's record is healthy only while both its own health check and the
   * plan's are: `LatencyDns.usePlanHealthChecks`), so the plan must be in the
   * `LatencyDns`'s stack (a reference to another region's stack would tie the
   * stacks together).
   */
  public static route53HealthCheck(dns: IRegionSwitchDns): RegionSwitchStep {
    return new RegionSwitchStep({
      name: 'move-dns',
      executionBlockType: 'Route53HealthCheck',
      description: `Moves ${dns.domainName} (one record per region: ${dns.regions.join(', ')})`,
      subject: dns,
      eitherRegion: true,
      // The plan's own health checks join each region's record (PlanHealthChecks, by region): the step moves traffic.
      bind: plan => dns.usePlanHealthChecks(plan.plan, plan.regions),
      render: plan => {
        const zoneId = hostedZoneIdOf(dns);
        const zoneArn = Stack.of(plan).formatArn({ service: 'route53', region: '', account: '', resource: 'hostedzone', resourceName: zoneId });
        return {
          config: {
            route53HealthCheckConfig: {
              hostedZoneId: zoneId,
              recordName: dns.domainName,
              recordSets: dns.regions.map(region => ({ recordSetIdentifier: region, region })),
            },
          },
          permissions: [{ statement: new iam.PolicyStatement({ actions: ['route53:ListResourceRecordSets'], resources: [zoneArn] }) }],
        };
      },
    });
  }

  /** The step's name in the plan. */
  public readonly name: string;
  /** The Region switch execution block type, e.g. `AuroraGlobalDatabase`. */
  public readonly executionBlockType: string;
  /** What the step does. */
  public readonly description: string;
  /**
   * Whether the step can run for either of the plan's regions (an Aurora or
   * Route 53 block acts on whichever region is activated), so the plan's
   * failback workflow, which activates the primary region again, runs it too.
   * A function step runs only where its function is.
   */
  public readonly runsInEitherRegion: boolean;

  private readonly subject?: IConstruct;
  private readonly unusable?: string;
  private readonly durations: { retryInterval?: Duration; timeout?: Duration };
  private readonly renderer: (plan: IConstruct) => RenderedStep;
  private readonly binder?: (plan: IRegionSwitchPlanBinding) => void;

  private constructor(props: {
    name: string; executionBlockType: string; description: string; subject?: IConstruct; unusable?: string;
    durations?: { retryInterval?: Duration; timeout?: Duration };
    eitherRegion?: boolean;
    render: (plan: IConstruct) => RenderedStep;
    bind?: (plan: IRegionSwitchPlanBinding) => void;
  }) {
    this.runsInEitherRegion = props.eitherRegion ?? false;
    this.binder = props.bind;
    this.name = props.name;
    this.executionBlockType = props.executionBlockType;
    this.description = props.description;
    this.subject = props.subject;
    this.unusable = props.unusable;
    this.durations = props.durations ?? {};
    this.renderer = props.render;
  }

  /** Throws `HaValidationError` on `scope` (naming `prop`) when the step cannot run. */
  public validate(scope: IConstruct, prop: string): void {
    if (this.unusable) {
      throw new HaValidationError(scope, { prop, received: this.subject?.node.path ?? this.description, expected: this.unusable });
    }
    for (const [name, d] of Object.entries(this.durations)) {
      if (d !== undefined && !d.isUnresolved() && d.toMilliseconds() < 60_000) {
        throw new HaValidationError(scope, { prop: `${prop}.${name}`, received: d, expected: 'at least 1 minute: Region switch counts in whole minutes' });
      }
    }
  }

  /** Connects the step to `plan` once its L1 exists (the Route 53 step attaches the plan's health checks to the records). */
  public bind(plan: IRegionSwitchPlanBinding): void {
    this.binder?.(plan);
  }

  /** The step as the plan's L1 takes it, and the permissions its role needs (resources named from `plan`'s stack). */
  public render(plan: IConstruct): RenderedRegionSwitchStep {
    const rendered = this.renderer(plan);
    return {
      step: { name: this.name, description: this.description, executionBlockType: this.executionBlockType, executionBlockConfiguration: rendered.config },
      permissions: rendered.permissions,
    };
  }
}

/** A step of a Region switch plan as the L1 takes it, with the permissions the plan's role needs to run it. */
export interface RenderedRegionSwitchStep {
  /** The step. */
  readonly step: arc.CfnPlan.StepProperty;
  /** The permissions of the plan's role for this step. */
  readonly permissions: DrillPermission[];
}

interface RenderedStep {
  readonly config: arc.CfnPlan.ExecutionBlockConfigurationProperty;
  readonly permissions: DrillPermission[];
}

/**
 * The global cluster's ARN and both clusters' ARNs, as literals in `plan`'s
 * stack (identifiers and regions are literal; a cross-region token would tie
 * the stacks together).
 */
export function globalDatabaseArns(plan: IConstruct, database: IRegionSwitchGlobalDatabase): { globalArn: string; clusterArns: string[] } {
  const stack = Stack.of(plan);
  const cluster = (member: GlobalClusterMember) => stack.formatArn({
    service: 'rds', region: member.region, resource: 'cluster', resourceName: member.clusterIdentifier, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  return {
    globalArn: stack.formatArn({ service: 'rds', region: '', resource: 'global-cluster', resourceName: database.globalClusterIdentifier!, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
    clusterArns: database.globalClusterMembers.map(cluster),
  };
}

/** The hosted zone id of a LatencyDns's names. */
function hostedZoneIdOf(dns: IRegionSwitchDns): string {
  return dns.zone.hostedZoneId;
}

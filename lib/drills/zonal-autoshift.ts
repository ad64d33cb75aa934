import { CfnOutput, Stack, Token } from 'aws-cdk-lib';
import * as arczonalshift from 'aws-cdk-lib/aws-arczonalshift';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { addHaWarning, HaValidationError } from '../core/errors';
import { requireDefined } from '../core/validation';
import { DrillDescription, DrillKind, DrillPurpose, IDrill, ProveDrill } from '../failover/drill-description';
import { describeDrill } from '../failover/drill-support/describe';
import { outputLookup } from '../failover/drill-support/figures';
import { markDrill } from '../failover/drill-support/marker';
import { computedPaths, hasLiteralRegion, stackOutput } from '../failover/prove-target';
import { validatePracticeRunBlocks } from './private/practice-runs';

/** Props of `ZonalAutoshift`. */
export interface ZonalAutoshiftProps {
  /** The Application or Network Load Balancer whose traffic ARC shifts away from a zone. */
  readonly loadBalancer: elbv2.ILoadBalancerV2;
  /**
   * Alarms that end a practice run as failed when they go into ALARM: alarms that mean customers
   * are hurt (the pattern's failover alarm). In the load balancer's region.
   */
  readonly outcomeAlarms: cloudwatch.IAlarm[];
  /**
   * Alarms that keep practice runs from starting (and end one in progress) while in ALARM.
   * @default none
   */
  readonly blockingAlarms?: cloudwatch.IAlarm[];
  /**
   * Weekly windows (UTC) when no practice run starts, each on one day: `Mon:09:00-Mon:17:00`.
   * @default none: practice runs may start at any time
   */
  readonly blockedWindows?: string[];
  /**
   * Dates (UTC) when no practice run starts: `2026-12-24`.
   * @default none
   */
  readonly blockedDates?: string[];
  /**
   * Let AWS also shift traffic away from a zone during an AWS-detected zonal impairment
   * (autoshift); practice runs happen either way.
   * @default true
   */
  readonly autoshift?: boolean;
  /** What the practice runs prove, for the report. */
  readonly purpose: DrillPurpose;
}

/**
 * Zonal autoshift for one load balancer: ARC shifts its traffic away from
 * one zone for about 30 minutes about once a week (practice runs), and,
 * with `autoshift`, whenever AWS detects a zonal impairment. A practice run
 * fails, and ends, when an outcome alarm goes into ALARM.
 *
 * Turns on the load balancer's ARC zonal shift integration
 * (`zonal_shift.config.enabled`), without which ARC cannot shift it.
 */
export class ZonalAutoshift extends Construct implements IDrill {
  /** The autoshift configuration. */
  public readonly configuration: arczonalshift.CfnZonalAutoshiftConfiguration;
  /** The load balancer. */
  public readonly loadBalancer: elbv2.ILoadBalancerV2;
  /** What the practice runs prove. */
  public readonly purpose: DrillPurpose;
  /** The command that starts a practice run now (with the load balancer's ARN as a token, for the stack output). */
  public readonly startCommand: string;

  constructor(scope: Construct, id: string, props: ZonalAutoshiftProps) {
    super(scope, id);
    markDrill(this);
    validate(this, props);
    this.loadBalancer = props.loadBalancer;
    this.purpose = props.purpose;
    if (props.loadBalancer instanceof elbv2.BaseLoadBalancer) {
      props.loadBalancer.setAttribute('zonal_shift.config.enabled', 'true');
    } else {
      addHaWarning(this, 'zonal-shift-integration',
        `${props.loadBalancer.node.path} is imported: turn its ARC zonal shift integration on (attribute zonal_shift.config.enabled=true), or ARC cannot shift it.`);
    }
    const conditions = (alarms: cloudwatch.IAlarm[]) => alarms.map(alarm => ({ alarmIdentifier: alarm.alarmArn, type: 'CLOUDWATCH' }));
    this.configuration = new arczonalshift.CfnZonalAutoshiftConfiguration(this, 'Resource', {
      resourceIdentifier: props.loadBalancer.loadBalancerRef.loadBalancerArn,
      zonalAutoshiftStatus: props.autoshift ?? true ? 'ENABLED' : 'DISABLED',
      practiceRunConfiguration: {
        outcomeAlarms: conditions(props.outcomeAlarms),
        blockingAlarms: props.blockingAlarms?.length ? conditions(props.blockingAlarms) : undefined,
        blockedWindows: props.blockedWindows?.length ? props.blockedWindows : undefined,
        blockedDates: props.blockedDates?.length ? props.blockedDates : undefined,
      },
    });
    new CfnOutput(this, 'LoadBalancerArn', {
      description: `Load balancer of the zonal autoshift practice runs ${this.node.path}: prove ${props.purpose.proves}`.slice(0, 1024),
      value: props.loadBalancer.loadBalancerRef.loadBalancerArn,
    });
    this.startCommand = this.practiceRunCommand(props.loadBalancer.loadBalancerRef.loadBalancerArn);
    new CfnOutput(this, 'StartCommand', {
      description: `Starts a zonal autoshift practice run of ${this.node.path} (${props.purpose.scenario})`.slice(0, 1024),
      value: this.startCommand,
    });
  }

  /** What the practice runs prove and the command that starts one now. */
  public get description(): DrillDescription {
    const stack = Stack.of(this);
    return describeDrill(DrillKind.ZONAL_AUTOSHIFT, this, this.purpose, stack.region, this.practiceRunCommand(`"${outputLookup(this.node.findChild('LoadBalancerArn') as CfnOutput)}"`));
  }

  /** What `cdk-ha-patterns prove` reads: the stack output holding the load balancer's ARN, its paths' computed figures. */
  public get proveTarget(): ProveDrill {
    const description = this.description;
    return {
      description, paths: computedPaths(this, description),
      practiceRuns: hasLiteralRegion(this) ? { loadBalancerArnOutput: stackOutput(this, 'LoadBalancerArn'), region: description.region } : undefined,
    };
  }

  /** A practice run away from the first zone of the load balancer's VPC (its zone id looked up: ids differ per account). */
  private practiceRunCommand(loadBalancerArn: string): string {
    const region = Stack.of(this).region;
    const zone = firstZone(this.loadBalancer);
    const zoneId = zone && !Token.isUnresolved(zone)
      ? `"$(aws ec2 describe-availability-zones --region ${region} --zone-names ${zone} --query "AvailabilityZones[0].ZoneId" --output text)"`
      : '<zone id, e.g. from aws ec2 describe-availability-zones>';
    return `aws arc-zonal-shift start-practice-run --region ${region} --resource-identifier ${loadBalancerArn} --away-from ${zoneId} --comment "cdk-ha-patterns drill ${this.node.path}"`;
  }
}

function firstZone(lb: elbv2.ILoadBalancerV2): string | undefined {
  return (lb as { vpc?: { availabilityZones: string[] } }).vpc?.availabilityZones[0];
}

function validate(scope: ZonalAutoshift, props: ZonalAutoshiftProps): void {
  requireDefined(scope, 'loadBalancer', props.loadBalancer, 'an elbv2.ILoadBalancerV2 (Application or Network Load Balancer)',
    lb => typeof (lb as elbv2.ILoadBalancerV2 | undefined)?.loadBalancerRef?.loadBalancerArn === 'string');
  requireDefined(scope, 'outcomeAlarms', props.outcomeAlarms, 'an array of cloudwatch.IAlarm', Array.isArray);
  requireDefined(scope, 'purpose', props.purpose, 'what the practice runs prove: paths, scenario, proves, passes');
  if (props.outcomeAlarms.length === 0) {
    throw new HaValidationError(scope, { prop: 'outcomeAlarms', received: props.outcomeAlarms, expected: 'at least one alarm: a practice run is judged by its outcome alarms' });
  }
  const region = Stack.of(scope).region;
  const lbRegion = Stack.of(props.loadBalancer).region;
  if (!Token.isUnresolved(lbRegion) && !Token.isUnresolved(region) && lbRegion !== region) {
    throw new HaValidationError(scope, { prop: 'loadBalancer', received: `${props.loadBalancer.node.path} in ${lbRegion}`, expected: `a load balancer in ${region}: create the configuration in its stack` });
  }
  [...props.outcomeAlarms.map((a, i) => ({ a, prop: `outcomeAlarms[${i}]` })), ...(props.blockingAlarms ?? []).map((a, i) => ({ a, prop: `blockingAlarms[${i}]` }))].forEach(({ a, prop }) => {
    const there = Stack.of(a).region;
    if (!Token.isUnresolved(there) && !Token.isUnresolved(region) && there !== region) {
      throw new HaValidationError(scope, { prop, received: `${a.node.path} in ${there}`, expected: `an alarm in the load balancer's region, ${region}` });
    }
  });
  validatePracticeRunBlocks(scope, 'blockedWindows', props.blockedWindows, 'blockedDates', props.blockedDates);
}

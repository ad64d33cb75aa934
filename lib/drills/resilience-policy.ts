import { CfnOutput, Duration, Names } from 'aws-cdk-lib';
import * as rh from 'aws-cdk-lib/aws-resiliencehubv2';
import { Construct } from 'constructs';
import { HaValidationError } from '../core/errors';
import { requireDefined, requireEnumValue, requireIdentifier } from '../core/validation';
import { ceilMinutes } from '../failover/drill-support/figures';

/** How a component recovers, as AWS Resilience Hub names it. */
export enum DisasterRecoveryApproach {
  /** Every copy serves; losing one leaves the others serving. */
  ACTIVE_ACTIVE = 'ACTIVE_ACTIVE',
  /** A full-size copy runs and takes over without starting anything. */
  HOT_STANDBY = 'HOT_STANDBY',
  /** A scaled-down copy runs and is scaled up when it takes over. */
  WARM_STANDBY = 'WARM_STANDBY',
  /** Data is replicated; compute is started when the copy takes over. */
  PILOT_LIGHT = 'PILOT_LIGHT',
  /** Data is backed up and restored after the loss. */
  BACKUP_AND_RESTORE = 'BACKUP_AND_RESTORE',
}

/** Recovery targets for one kind of failure (a zone's or a region's). */
export interface ResilienceTargets {
  /** How the component recovers from it. */
  readonly approach: DisasterRecoveryApproach;
  /** The recovery time objective (rounded up to whole minutes). */
  readonly rto: Duration;
  /** The recovery point objective (rounded up to whole minutes; 0 for no data loss). */
  readonly rpo: Duration;
}

/** Props of `ResiliencePolicy`. */
export interface ResiliencePolicyProps {
  /**
   * The policy's name.
   * @default a name unique in the account, from the construct's path
   */
  readonly policyName?: string;
  /**
   * What the policy is for.
   * @default no description
   */
  readonly description?: string;
  /**
   * Targets for the loss of an availability zone (or of one copy within the region).
   * @default no multi-AZ targets
   */
  readonly multiAz?: ResilienceTargets;
  /**
   * Targets for the loss of a region.
   * @default no multi-region targets
   */
  readonly multiRegion?: ResilienceTargets;
  /**
   * The availability objective, in percent (e.g. 99.95).
   * @default no availability objective
   */
  readonly availabilityTarget?: number;
}

/** A name Resilience Hub accepts for a policy. */
const POLICY_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{1,59}$/;

/**
 * An AWS Resilience Hub policy (`AWS::ResilienceHubV2::Policy`): the
 * multi-AZ and multi-region recovery time and point objectives and DR
 * approach an application is assessed against.
 */
export class ResiliencePolicy extends Construct {
  /** The policy. */
  public readonly policy: rh.CfnPolicy;
  /** The policy's ARN. */
  public readonly policyArn: string;
  /** The policy's name. */
  public readonly policyName: string;

  constructor(scope: Construct, id: string, props: ResiliencePolicyProps) {
    super(scope, id);
    validate(this, props);
    this.policyName = props.policyName ?? Names.uniqueResourceName(this, { maxLength: 60, separator: '-' });
    const targets = (t?: ResilienceTargets) => t && { disasterRecoveryApproach: t.approach, rtoInMinutes: ceilMinutes(t.rto), rpoInMinutes: ceilMinutes(t.rpo, 0) };
    this.policy = new rh.CfnPolicy(this, 'Resource', {
      name: this.policyName,
      description: props.description?.slice(0, 500),
      multiAz: targets(props.multiAz),
      multiRegion: targets(props.multiRegion),
      availabilitySlo: props.availabilityTarget !== undefined ? { target: props.availabilityTarget } : undefined,
    });
    this.policyArn = this.policy.attrPolicyArn;
    new CfnOutput(this, 'PolicyArn', { description: `Resilience Hub policy of ${this.node.path}`, value: this.policyArn });
  }
}

function validate(scope: ResiliencePolicy, props: ResiliencePolicyProps): void {
  requireDefined(scope, 'props', props, 'ResiliencePolicyProps');
  requireIdentifier(scope, 'policyName', props.policyName, 'Resilience Hub policy name', POLICY_NAME,
    '2 to 60 letters, digits, hyphens and underscores, starting with a letter or digit');
  for (const [prop, t] of [['multiAz', props.multiAz], ['multiRegion', props.multiRegion]] as const) {
    if (!t) continue;
    requireEnumValue(scope, `${prop}.approach`, t.approach, DisasterRecoveryApproach, 'DisasterRecoveryApproach');
    for (const [field, d] of [['rto', t.rto], ['rpo', t.rpo]] as const) {
      requireDefined(scope, `${prop}.${field}`, d, 'a Duration');
      if (!d.isUnresolved() && d.toMilliseconds() < 0) {
        throw new HaValidationError(scope, { prop: `${prop}.${field}`, received: d, expected: 'a duration of 0 or more' });
      }
    }
  }
  const a = props.availabilityTarget;
  if (a !== undefined && (typeof a !== 'number' || !(a > 0 && a < 100))) {
    throw new HaValidationError(scope, { prop: 'availabilityTarget', received: a, expected: 'a percentage above 0 and below 100, e.g. 99.95' });
  }
  if (!props.multiAz && !props.multiRegion && a === undefined) {
    throw new HaValidationError(scope, { prop: 'props', received: props, expected: 'at least one of multiAz, multiRegion or availabilityTarget' });
  }
}

import { Duration, Stack } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { isHostedZone, requireDefined, requireDurationBetween, requireRecordName } from '../core/validation';

/** Props of `SiteRecord`. */
export interface SiteRecordProps {
  /** The hosted zone of the name (imported by its id and name to keep regions free of each other's tokens). */
  readonly zone: route53.IHostedZone;

  /** The site's own name relative to the zone, e.g. `agents.eu-west-1`. */
  readonly recordName: string;

  /**
   * Where the name points: usually an alias to the site's load balancer,
   * `RecordTarget.fromAlias(new LoadBalancerTarget(alb))`.
   */
  readonly target: route53.RecordTarget;

  /**
   * TTL when the target is not an alias (fixed IP addresses).
   * @default Duration.seconds(60)
   */
  readonly ttl?: Duration;
}

/**
 * The name of one site, e.g. `agents.eu-west-1.example.com`, created in the
 * site's own stack beside what it points at. A `LatencyDns` in another
 * region refers to the site by this literal name only (its common name is a
 * CNAME to it and its health check requests it), so no token crosses a
 * region: each region can be its own CDK Pipelines stage.
 */
export class SiteRecord extends Construct {
  /** The fully-qualified name, e.g. `agents.eu-west-1.example.com`. */
  public readonly domainName: string;
  /** The region of the stack the record is declared in (where its target lives). */
  public readonly region: string;
  /** The A record. */
  public readonly record: route53.ARecord;

  constructor(scope: Construct, id: string, props: SiteRecordProps) {
    super(scope, id);
    requireDefined(this, 'zone', props.zone, 'the hosted zone of the name, e.g. HostedZone.fromHostedZoneAttributes(...)', isHostedZone);
    requireDefined(this, 'recordName', props.recordName, 'the site\'s name relative to the zone, e.g. "agents.eu-west-1"');
    requireRecordName(this, 'recordName', props.recordName);
    requireDefined(this, 'target', props.target, 'where the name points, e.g. RecordTarget.fromAlias(new LoadBalancerTarget(alb))');
    requireDurationBetween(this, 'ttl', props.ttl, Duration.seconds(0), Duration.days(2));
    this.region = Stack.of(this).region;
    this.domainName = `${props.recordName}.${props.zone.zoneName}`;
    this.record = new route53.ARecord(this, 'Resource', {
      zone: props.zone,
      recordName: props.recordName,
      target: props.target,
      ttl: props.target.aliasTarget ? undefined : (props.ttl ?? Duration.seconds(60)),
      comment: `${this.node.path}: this site only`,
    });
  }
}

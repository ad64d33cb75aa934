import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { addHaWarning, HaValidationError } from '../core/errors';
import { RegionFailoverRunner } from '../core/region-failover';
import {
  isStack, isVpc, requireDefined, requireDurationBetween, requireEnumValue, requireIdentifier, requireInteger, requireStackRegion, requireSubnets,
  requireVpcInRegion,
} from '../core/validation';
import { HaDatabaseEngine } from './engine';
import type { HaDatabaseProps } from './ha-database-props';
import type { HaDatabaseSecondaryOptions } from './secondary';

/** The smallest global replication lag Aurora Global Database can be asked to stay under. */
export const AURORA_GLOBAL_TYPICAL_LAG = Duration.seconds(1);

/** What Aurora accepts as a global cluster (and DB cluster) identifier. */
const AURORA_IDENTIFIER = /^[A-Za-z](?!.*--)[A-Za-z0-9-]{0,62}(?<!-)$/;
const AURORA_IDENTIFIER_RULE = '1 to 63 letters, digits and hyphens, starting with a letter, without two consecutive hyphens and not ending with a hyphen';

export function validate(scope: Construct, props: HaDatabaseProps, isAurora: boolean): void {
  requireDefined(scope, 'vpc', props.vpc, 'the VPC of the primary region, with isolated subnets for the database', isVpc);
  requireEnumValue(scope, 'engine', props.engine, HaDatabaseEngine, 'HaDatabaseEngine');
  requireEnumValue(scope, 'failoverRunner', props.failoverRunner, RegionFailoverRunner, 'RegionFailoverRunner');
  requireSubnets(scope, 'vpc', props.vpc, ec2.SubnetType.PRIVATE_ISOLATED, 'the database lives in them, out of reach of the internet');
  requireInteger(scope, 'readers', props.readers, 1, 15);
  requireDurationBetween(scope, 'backupRetention', props.backupRetention, Duration.days(1), Duration.days(35));
  requireInteger(scope, 'cpuThresholdPercent', props.cpuThresholdPercent, 1, 100);
  requireInteger(scope, 'freeMemoryThresholdBytes', props.freeMemoryThresholdBytes, 1);
  requireInteger(scope, 'maxConnections', props.maxConnections, 1);
  // Secrets Manager rotates every 1 to 1000 days; aws-cdk-lib turns 0 into no rotation at all, silently.
  // Secrets Manager rotates as often as every 4 hours (rate expression) and at most every 1000 days.
  requireDurationBetween(scope, 'rotationInterval', props.rotationInterval, Duration.hours(4), Duration.days(1000));
  if (props.secondary) {
    validateSecondary(scope, props, props.secondary, isAurora);
  } else if (props.globalClusterIdentifier || props.globalLagThreshold || props.autoFailover !== undefined || props.failoverDetectionPeriods !== undefined ||
    props.failoverRunner !== undefined) {
    addHaWarning(scope, 'global-without-secondary',
      'globalClusterIdentifier, globalLagThreshold, autoFailover, failoverDetectionPeriods and failoverRunner have no effect without a secondary region');
  }
}

/** The secondary region's props: its stack and VPC, the global cluster's identifier, the lag bound and the detection. */
function validateSecondary(scope: Construct, props: HaDatabaseProps, secondary: HaDatabaseSecondaryOptions, isAurora: boolean): void {
  requireDefined(scope, 'secondary.stack', secondary.stack, 'the secondary region\'s stack (an explicit env in another region)', isStack);
  requireDefined(scope, 'secondary.vpc', secondary.vpc, 'the secondary region\'s VPC, with isolated subnets for the secondary cluster', isVpc);
  if (!isAurora) {
    throw new HaValidationError(scope, {
      prop: 'secondary', received: secondary.stack.node.path,
      expected: 'no secondary with SQL Server: a cross-region secondary needs an Aurora engine (Aurora Global Database)',
    });
  }
  const here = requireStackRegion(scope, 'scope', scope);
  const there = requireStackRegion(scope, 'secondary.stack', secondary.stack);
  if (here === there) {
    throw new HaValidationError(scope, {
      prop: 'secondary.stack', received: there,
      expected: `a stack in another region than the primary (${here})`,
    });
  }
  requireVpcInRegion(scope, 'vpc', props.vpc, here, 'the primary cluster (the database\'s own stack)');
  requireVpcInRegion(scope, 'secondary.vpc', secondary.vpc, there, 'the secondary cluster (secondary.stack)');
  requireSubnets(scope, 'secondary.vpc', secondary.vpc, ec2.SubnetType.PRIVATE_ISOLATED, 'the secondary cluster lives in them, out of reach of the internet');
  requireInteger(scope, 'secondary.instances', secondary.instances, 0, 15);
  const globalId = props.globalClusterIdentifier;
  requireIdentifier(scope, 'globalClusterIdentifier', globalId, 'Aurora global cluster identifier', AURORA_IDENTIFIER, AURORA_IDENTIFIER_RULE);
  // Each region's cluster is named `<globalClusterIdentifier>-<region>`, which must be an identifier Aurora accepts too.
  const longest = Math.max(here.length, there.length);
  if (globalId !== undefined && globalId.length + 1 + longest > 63) {
    throw new HaValidationError(scope, {
      prop: 'globalClusterIdentifier', received: globalId,
      expected: `at most ${62 - longest} characters: the clusters are named <globalClusterIdentifier>-<region> and an Aurora cluster identifier has at most 63`,
    });
  }
  requireDurationBetween(scope, 'globalLagThreshold', props.globalLagThreshold, Duration.millis(0));
  requireInteger(scope, 'failoverDetectionPeriods', props.failoverDetectionPeriods, 1, 6);
  const rpo = props.recoveryTargets?.rpo;
  for (const [prop, value] of [['recoveryTargets.rpo', rpo], ['globalLagThreshold', props.globalLagThreshold]] as const) {
    if (value && !value.isUnresolved() && value.toMilliseconds() < AURORA_GLOBAL_TYPICAL_LAG.toMilliseconds()) {
      throw new HaValidationError(scope, {
        prop, received: value,
        expected: 'at least 1 second: Aurora Global Database replicates asynchronously with a typical lag of ~1 s, so a smaller cross-region RPO cannot be delivered',
      });
    }
  }
}

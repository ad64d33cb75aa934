import { Duration, Names, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import type { ColdStandbyConfigServerProps } from './cold-standby-config-server-props';
import { requirePlacements, validate } from './validation';

/** The literal names of the primary ECS cluster and live server service (a probe in the standby region names them). */
export interface PrimaryServerNames {
  readonly clusterName: string;
  readonly serverServiceName: string;
  /** The failback function's (in the primary region): the standby region's Region switch plan names it. */
  readonly failBackFunctionName: string;
}

/** The settings of a `ColdStandbyConfigServer`: its props checked, their defaults applied. */
export interface ConfigServerSettings {
  readonly primaryRegion: string;
  readonly standbyRegion: string;
  /** The regions of the store's replicas: the standby's, then each proxy site's. */
  readonly replicaRegions: string[];
  readonly port: number;
  /** The tasks of the live server, and those the turn-on scales the standby server to. */
  readonly serverCount: number;
  readonly proxyCount: number;
  readonly healthCheckPath: string;
  readonly writerRecordTtl: Duration;
  readonly writerRecordName: string;
  /** The writer's fully qualified name. */
  readonly writerHost: string;
  /** The global table's name, a literal: the other regions' stacks reference their replica by name, not by token. */
  readonly tableName: string;
  /** Whether the global table is multi-Region strongly consistent (no data loss). */
  readonly strongConsistency: boolean;
  readonly primaryNames: PrimaryServerNames;
  readonly turnOnDetectionPeriods: number;
  readonly autoTurnOn: boolean;
  readonly replicationLatencyThreshold: Duration;
}

/** Checks the props (in the order their errors are reported) and returns them with their defaults. */
export function validatedSettings(scope: Construct, props: ColdStandbyConfigServerProps): ConfigServerSettings {
  const primaryRegion = Stack.of(scope).region;
  requirePlacements(scope, props);
  const standbyRegion = props.standby.stack.region;
  validate(scope, props, primaryRegion, standbyRegion, props.proxySites ?? []);
  return resolveSettings(scope, props, primaryRegion, standbyRegion);
}

/** The props' defaults (props already checked). */
function resolveSettings(scope: Construct, props: ColdStandbyConfigServerProps, primaryRegion: string, standbyRegion: string): ConfigServerSettings {
  const writerRecordName = props.writerRecordName ?? 'config-writer';
  return {
    primaryRegion,
    standbyRegion,
    replicaRegions: [standbyRegion, ...(props.proxySites ?? []).map(s => s.stack.region)],
    port: props.containerPort ?? 8080,
    serverCount: props.serverCount ?? 2,
    proxyCount: props.proxyCount ?? 2,
    healthCheckPath: props.healthCheckPath ?? '/health',
    writerRecordTtl: props.writerRecordTtl ?? Duration.seconds(30),
    writerRecordName,
    writerHost: `${writerRecordName}.${props.zone.zoneName}`,
    tableName: props.tableName ?? Names.uniqueResourceName(scope, { maxLength: 200, separator: '-' }).toLowerCase(),
    strongConsistency: props.multiRegionConsistency === dynamodb.MultiRegionConsistency.STRONG,
    primaryNames: primaryServerNames(scope),
    turnOnDetectionPeriods: props.turnOnDetectionPeriods ?? 3,
    autoTurnOn: props.autoTurnOn ?? true,
    replicationLatencyThreshold: props.replicationLatencyThreshold ?? Duration.seconds(30),
  };
}

/** Literal names: the standby region's probe finds the live server by name, without a cross-region token. */
function primaryServerNames(scope: Construct): PrimaryServerNames {
  const base = Names.uniqueResourceName(scope, { maxLength: 60, separator: '-' });
  // A function name is at most 64 characters.
  const failBackFunctionName = `${Names.uniqueResourceName(scope, { maxLength: 55, separator: '-' })}-failback`;
  return { clusterName: `${base}-primary`, serverServiceName: `${base}-server`, failBackFunctionName };
}

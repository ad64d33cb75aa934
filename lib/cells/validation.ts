import { Duration, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { HaValidationError } from '../core/errors';
import {
  isContainerImage, isHostedZone, requireDefined, requireDurationBetween, requireEnumValue, requireFargateSize, requireHealthCheckPath,
  requireInteger, requireRecordName, requireSubnets,
} from '../core/validation';
import { CellFileShare, CellOptions } from './active-active-cell';
import type { ActiveActiveCellsProps } from './active-active-cells-props';

/** The most cells: the target groups one load-balancer forward action can weigh. */
const MAX_CELLS = 5;

/** Validates the props of `ActiveActiveCells` (`scope` names it in the errors); returns the cell names. */
export function validateProps(scope: Construct, props: ActiveActiveCellsProps): string[] {
  requireDefined(scope, 'image', props.image, 'the application image every cell runs, e.g. ContainerImage.fromRegistry(...)', isContainerImage);
  if (props.cells !== undefined) requireDefined(scope, 'cells', props.cells, 'an array of per-cell options, e.g. [{ name: \'north\' }, {}]', Array.isArray);
  if (props.drainingCells !== undefined) requireDefined(scope, 'drainingCells', props.drainingCells, 'an array of cell names', Array.isArray);
  requireEnumValue(scope, 'fileShare', props.fileShare, CellFileShare, 'CellFileShare');
  const names = cellNames(scope, props);
  requireOwnResources(scope, props.cells ?? [], names);
  requireServingCell(scope, props.drainingCells ?? [], names);
  validateSettings(scope, props);
  validateVpc(scope, props, names);
  return names;
}

/** The cells' names (`cells[i].name`, else `cell-<n>`), checked: `cellCount` cells, each a DNS label of its own. */
function cellNames(scope: Construct, props: ActiveActiveCellsProps): string[] {
  const listed = props.cells ?? [];
  const count = props.cellCount ?? (listed.length > 0 ? listed.length : 3);
  requireInteger(scope, 'cellCount', count, 2, MAX_CELLS);
  if (!Token.isUnresolved(count) && listed.length > count) {
    throw new HaValidationError(scope, { prop: 'cells', received: `${listed.length} cells`, expected: `at most cellCount (${count}) entries` });
  }
  const names = Array.from({ length: count }, (_, i) => listed[i]?.name ?? `cell-${i + 1}`);
  names.forEach((name, i) => {
    if (!/^[a-z0-9][a-z0-9-]{0,30}$/.test(name)) {
      throw new HaValidationError(scope, { prop: `cells[${i}].name`, received: name, expected: 'lowercase letters, digits and hyphens, up to 31 characters' });
    }
    const j = names.indexOf(name);
    if (j !== i) throw new HaValidationError(scope, { prop: `cells[${i}].name`, received: name, expected: `a name of its own (cell ${j + 1} is already '${name}')` });
  });
  return names;
}

/** Isolation: one file share per cell, and no database, file system or bucket shared by two cells. */
function requireOwnResources(scope: Construct, listed: CellOptions[], names: string[]): void {
  listed.forEach((cell, i) => {
    if (cell.fileSystem && cell.bucket) {
      throw new HaValidationError(scope, { prop: `cells[${i}]`, received: 'both fileSystem and bucket', expected: 'one file share per cell: a fileSystem or a bucket' });
    }
  });
  const shared: Array<[string, (c: CellOptions) => unknown]> = [['database', c => c.database], ['fileSystem', c => c.fileSystem], ['bucket', c => c.bucket]];
  for (const [prop, get] of shared) {
    listed.forEach((cell, i) => {
      const resource = get(cell);
      if (resource === undefined) return;
      const j = listed.findIndex(c => get(c) === resource);
      if (j !== i) {
        throw new HaValidationError(scope, {
          prop: `cells[${i}].${prop}`,
          received: `the ${prop} of cell '${names[j]}'`,
          expected: `a ${prop} of its own: cells '${names[j]}' and '${names[i]}' would share it (shared job logs and data collide); give each cell its own`,
        });
      }
    });
  }
}

/** The draining cells are cells of the pattern, and at least one cell keeps serving. */
function requireServingCell(scope: Construct, draining: string[], names: string[]): void {
  draining.forEach((name, i) => {
    if (!names.includes(name)) {
      throw new HaValidationError(scope, { prop: `drainingCells[${i}]`, received: name, expected: `one of the cells: ${names.join(', ')}` });
    }
  });
  if (names.every(n => draining.includes(n))) {
    throw new HaValidationError(scope, { prop: 'drainingCells', received: draining, expected: 'at least one cell that keeps serving' });
  }
}

/** The tasks, fan-out, record and traffic settings. */
function validateSettings(scope: Construct, props: ActiveActiveCellsProps): void {
  requireInteger(scope, 'desiredCountPerCell', props.desiredCountPerCell, 1);
  requireDurationBetween(scope, 'fanOutRetryInterval', props.fanOutRetryInterval, Duration.minutes(1), Duration.minutes(5));
  if (props.dns?.weight !== undefined) requireInteger(scope, 'dns.weight', props.dns.weight, 0, 255);
  if (props.dns) {
    requireDefined(scope, 'dns.zone', props.dns.zone, 'the hosted zone of the weighted record, e.g. HostedZone.fromHostedZoneAttributes(...)', isHostedZone);
    requireDefined(scope, 'dns.recordName', props.dns.recordName, 'the record name every region\'s cells share, relative to the zone, e.g. "etl"');
    requireRecordName(scope, 'dns.recordName', props.dns.recordName);
  }
  requireInteger(scope, 'containerPort', props.containerPort, 1, 65535);
  requireHealthCheckPath(scope, 'healthCheckPath', props.healthCheckPath);
  requireFargateSize(scope, 'cpu', 'memoryLimitMiB', props.cpu ?? 512, props.memoryLimitMiB ?? 1024);
  // The weighted forward action's stickiness: 1 s to 7 days, as Elastic Load Balancing accepts.
  requireDurationBetween(scope, 'cellStickiness', props.cellStickiness, Duration.seconds(1), Duration.days(7));
}

/** A given VPC has the subnets the load balancer, the tasks and the databases the cells get live in. */
function validateVpc(scope: Construct, props: ActiveActiveCellsProps, names: string[]): void {
  if (props.vpc === undefined) return;
  const listed = props.cells ?? [];
  requireSubnets(scope, 'vpc', props.vpc, ec2.SubnetType.PUBLIC, 'the cells\' internet-facing load balancer lives in them');
  requireSubnets(scope, 'vpc', props.vpc, ec2.SubnetType.PRIVATE_WITH_EGRESS, 'the cells\' tasks and file systems live in them');
  if (names.some((_, i) => listed[i]?.database === undefined)) {
    requireSubnets(scope, 'vpc', props.vpc, ec2.SubnetType.PRIVATE_ISOLATED,
      'the database each cell gets lives in them (or give every cell its own in cells[i].database)');
  }
}

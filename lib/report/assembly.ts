import * as fs from 'fs';
import * as path from 'path';
import type { DrillDescription, ProveDrill } from '../failover/drill-description';
import { DRILL_REPORT_METADATA, DrillReportRecord, PATTERN_REPORT_METADATA, PatternReportRecord, REPORT_SCHEMA_VERSION } from './record';
import type { ReportedComponent } from './reported';

/** The resilience report of one synthesized app, as its cloud assembly records it. */
export interface AssemblyReport {
  /** Title (the app's name). */
  readonly title: string;
  /** One entry per pattern instance, in construct-tree order. */
  readonly components: ReportedComponent[];
  /** The app's drills (FIS experiments, Region switch plans, zonal autoshift), in construct-tree order. */
  readonly drills: DrillDescription[];
  /** What `cdk-ha-patterns prove` reads of each drill that records it, in the same order. */
  readonly proveDrills: ProveDrill[];
}

/** Options of `readResilienceReport`. */
export interface ReadResilienceReportOptions {
  /**
   * The report's title.
   * @default the name of the directory that holds the cloud assembly (the app's directory)
   */
  readonly title?: string;
}

/** A metadata entry of a cloud assembly manifest (`manifest.json` or a stack's `*.metadata.json`). */
interface MetadataEntry {
  readonly type: string;
  readonly data?: unknown;
}

interface ManifestArtifact {
  readonly type: string;
  readonly properties?: { readonly directoryName?: string };
  readonly metadata?: Record<string, MetadataEntry[]>;
  readonly additionalMetadataFile?: string;
}

/**
 * Reads the resilience report the patterns recorded in a cloud assembly
 * (`cdk.out` after `cdk synth`): each pattern's figures, scenario outcomes,
 * targets, alarms and notifications, and the drills. Stages (nested
 * assemblies) are read too, in the order of the manifest.
 * Throws an `Error` saying what to do when the directory holds no cloud
 * assembly, records no pattern, or was written by a later library version.
 */
export function readResilienceReport(directory: string, options: ReadResilienceReportOptions = {}): AssemblyReport {
  const dir = path.resolve(directory);
  if (!fs.existsSync(path.join(dir, 'manifest.json'))) {
    throw new Error(`no cloud assembly in ${dir} (no manifest.json): synthesize the app first (npx cdk synth), ` +
      'or name the directory it wrote (cdk.json "output", default cdk.out)');
  }
  const patterns: PatternReportRecord[][] = [];
  const drills: DrillReportRecord[][] = [];
  readAssembly(dir, patterns, drills);
  const failed = patterns.flat().find(r => !r.component);
  if (failed) {
    throw new Error(`the cloud assembly in ${dir} records a pattern of stack ${failed.stackName} whose report could not be computed: ${failed.errorMessage}`);
  }
  const components = patterns.flatMap(records => sortByOrder(records).map(r => r.component!));
  if (components.length === 0) {
    throw new Error(`the cloud assembly in ${dir} records no cdk-ha-patterns pattern (no '${PATTERN_REPORT_METADATA}' metadata): ` +
      'synthesize an app that uses the patterns, with this version of cdk-ha-patterns, and without skipping validation');
  }
  return {
    title: options.title ?? path.basename(path.dirname(dir)),
    components,
    drills: drills.flatMap(records => sortByOrder(records).map(r => r.drill)),
    proveDrills: drills.flatMap(records => sortByOrder(records).flatMap(r => r.prove ? [r.prove] : [])),
  };
}

/** Collects the records of one assembly (a group per assembly), then those of its nested assemblies. */
function readAssembly(dir: string, patterns: PatternReportRecord[][], drills: DrillReportRecord[][]): void {
  const manifest = readJson(path.join(dir, 'manifest.json')) as { artifacts?: Record<string, ManifestArtifact> };
  const artifacts = Object.values(manifest.artifacts ?? {});
  const entries = artifacts
    .filter(a => a.type === 'aws:cloudformation:stack')
    .flatMap(a => [
      ...Object.values(a.metadata ?? {}).flat(),
      ...(a.additionalMetadataFile ? Object.values(readJson(path.join(dir, a.additionalMetadataFile)) as Record<string, MetadataEntry[]>).flat() : []),
    ]);
  patterns.push(entries.filter(e => e.type === PATTERN_REPORT_METADATA).map(e => checked<PatternReportRecord>(e, dir)));
  drills.push(entries.filter(e => e.type === DRILL_REPORT_METADATA).map(e => checked<DrillReportRecord>(e, dir)));
  for (const nested of artifacts.filter(a => a.type === 'cdk:cloud-assembly' && a.properties?.directoryName)) {
    readAssembly(path.join(dir, nested.properties!.directoryName!), patterns, drills);
  }
}

function checked<T extends { schemaVersion: number }>(entry: MetadataEntry, dir: string): T {
  const record = entry.data as T | undefined;
  if (!record || typeof record.schemaVersion !== 'number') {
    throw new Error(`the cloud assembly in ${dir} has a '${entry.type}' entry without a schema version: synthesize the app again`);
  }
  if (record.schemaVersion > REPORT_SCHEMA_VERSION) {
    throw new Error(`the cloud assembly in ${dir} was written by a later cdk-ha-patterns (report schema ${record.schemaVersion}; ` +
      `this version reads up to ${REPORT_SCHEMA_VERSION}): run the report of the version the app uses (npx cdk-ha-patterns from the app's directory)`);
  }
  return record;
}

function sortByOrder<T extends { order: number }>(records: T[]): T[] {
  return [...records].sort((a, b) => a.order - b.order);
}

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

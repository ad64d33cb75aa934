import { Lazy, Stack, Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import type { HaPattern } from '../core/ha-pattern';
import { addPatternHook } from '../core/pattern-hooks';
import type { DrillDescription, ProveDrill } from '../failover/drill-description';
import { reportComponent } from './component';
import type { ReportedComponent } from './reported';

/** The type of the metadata entry each pattern writes into the cloud assembly (`manifest.json`, the stack's metadata). */
export const PATTERN_REPORT_METADATA = 'cdk-ha-patterns:report';
/** The type of the metadata entry each drill writes into the cloud assembly. */
export const DRILL_REPORT_METADATA = 'cdk-ha-patterns:drill';
/** The version of the records' schema; a reader refuses records of a later version. */
export const REPORT_SCHEMA_VERSION = 1;

/** What a pattern records in the cloud assembly for the resilience report (`PATTERN_REPORT_METADATA`). */
export interface PatternReportRecord {
  /** `REPORT_SCHEMA_VERSION` of the library that wrote it. */
  readonly schemaVersion: number;
  /** The pattern's position among the app's patterns, in construct-tree order (the report's order). */
  readonly order: number;
  /** The stack the pattern lives in (its home region's). */
  readonly stackName: string;
  /**
   * The pattern's figures, alarms and notifications.
   * @default none: see `errorMessage`
   */
  readonly component?: ReportedComponent;
  /**
   * Why the report could not be computed (a report never fails a synthesis; the reader says so).
   * @default the report was computed
   */
  readonly errorMessage?: string;
}

/** What a drill records in the cloud assembly for the resilience report (`DRILL_REPORT_METADATA`). */
export interface DrillReportRecord {
  /** `REPORT_SCHEMA_VERSION` of the library that wrote it. */
  readonly schemaVersion: number;
  /** The drill's position among the app's drills, in construct-tree order. */
  readonly order: number;
  /** What the drill proves and how to start it. */
  readonly drill: DrillDescription;
  /**
   * What `cdk-ha-patterns prove` reads of the drill: the identifiers to query and the computed figures of its paths.
   * @default none (a drill of a library version without it)
   */
  readonly prove?: ProveDrill;
}

// The markers HaPattern (lib/core/ha-pattern.ts) and the drills (lib/failover/drill-support/marker.ts) set:
// Symbol.for keys, so patterns and drills of another copy of the library are found too.
const HA_PATTERN_SYMBOL = Symbol.for('cdk-ha-patterns.HaPattern');
const DRILL_SYMBOL = Symbol.for('cdk-ha-patterns.Drill');

function isPattern(x: IConstruct): x is HaPattern {
  return HA_PATTERN_SYMBOL in x;
}

function isDrill(x: IConstruct): x is IConstruct & { readonly description: DrillDescription; readonly proveTarget?: ProveDrill } {
  return DRILL_SYMBOL in x;
}

/**
 * Adds the report record of `pattern` to its stack's metadata, and those of
 * the drills of its stage (once each). HaPattern calls it from a validation,
 * once the tree is complete; each record is computed when its stack is
 * written (after every aspect and escape hatch), so its figures are those of
 * the synthesized settings. Returns no error: a report never fails a synthesis.
 */
export function recordResilienceReport(pattern: HaPattern): string[] {
  if (hasRecord(pattern, PATTERN_REPORT_METADATA)) return [];
  const everything = (Stage.of(pattern) ?? pattern.node.root).node.findAll();
  const patterns = everything.filter(isPattern);
  const order = patterns.indexOf(pattern);
  pattern.node.addMetadata(PATTERN_REPORT_METADATA, Lazy.any({
    produce: (): PatternReportRecord => {
      const head = { schemaVersion: REPORT_SCHEMA_VERSION, order, stackName: Stack.of(pattern).stackName };
      try {
        return { ...head, component: reportComponent(pattern, patterns) };
      } catch (e) {
        return { ...head, errorMessage: e instanceof Error ? e.message : String(e) };
      }
    },
  }));
  everything.filter(isDrill).forEach((drill, drillOrder) => {
    if (hasRecord(drill, DRILL_REPORT_METADATA)) return;
    drill.node.addMetadata(DRILL_REPORT_METADATA, Lazy.any({
      produce: (): DrillReportRecord => ({ schemaVersion: REPORT_SCHEMA_VERSION, order: drillOrder, drill: drill.description, prove: drill.proveTarget }),
    }));
  });
  return [];
}

function hasRecord(construct: IConstruct, type: string): boolean {
  return construct.node.metadata.some(m => m.type === type);
}

// Every pattern records its report when its app synthesizes (the package's index loads this module).
addPatternHook(pattern => isPattern(pattern) ? recordResilienceReport(pattern) : []);

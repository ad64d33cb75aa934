export * from './assembly';
export * from './drills-markdown';
export { DRILL_REPORT_METADATA, PATTERN_REPORT_METADATA, REPORT_SCHEMA_VERSION } from './record';
export type { DrillReportRecord, PatternReportRecord } from './record';
export * from './resilience-report';
export * from './reported';

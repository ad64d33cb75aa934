/**
 * The metrics a cross-region probe publishes (embedded metric format, high
 * resolution): 1 for a sample that found the primary unreachable, 0 for one
 * that found it serving. Dependency-free: the handler bundles and the
 * constructs both import it.
 */
export const WRITER_PROBE_METRIC = { namespace: 'CdkHaPatterns/HaDatabase', name: 'PrimaryWriterUnreachable', dimension: 'Cluster' } as const;

/** Environment variables of a probe's sampling (milliseconds). */
export const PROBE_ENV = {
  INTERVAL_MS: 'PROBE_INTERVAL_MS',
  TIMEOUT_MS: 'PROBE_TIMEOUT_MS',
  RUN_MS: 'PROBE_RUN_MS',
} as const;

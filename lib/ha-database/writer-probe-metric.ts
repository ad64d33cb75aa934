/**
 * The metrics a cross-region probe publishes (embedded metric format, high
 * resolution): 1 for a sample that found the primary unreachable, 0 for one
 * that found it serving. Dependency-free: the handler bundles and the
 * constructs both import it.
 */
export const WRITER_PROBE_METRIC = { namespace: 'CdkHaPatterns/HaDatabase', name: 'PrimaryWriterUnreachable', dimension: 'Cluster' } as const;

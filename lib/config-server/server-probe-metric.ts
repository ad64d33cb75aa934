/**
 * The metric the standby region's probe of the live server publishes (embedded
 * metric format, high resolution): 1 for a sample that found no running live
 * server (or no answer from the primary region), 0 otherwise. Dependency-free:
 * the handler bundle and the construct both import it.
 */
export const SERVER_PROBE_METRIC = { namespace: 'CdkHaPatterns/ConfigServer', name: 'PrimaryServerUnreachable', dimension: 'Service' } as const;

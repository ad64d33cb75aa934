/**
 * Namespace, name and dimension of the metric a spare's probe publishes:
 * 1 when the watched (primary) site answered its health path with a 2xx in
 * time, else 0; dimension `Site` is the watched site's name. Dependency-free:
 * the handler bundle and the construct both import it.
 */
export const SITE_PROBE_METRIC = { namespace: 'CdkHaPatterns/WebTier', name: 'WatchedSiteHealthy', dimension: 'Site' } as const;

/**
 * The metric the pair's probe of the primary publishes (embedded metric
 * format, high resolution): 1 for a sample in which the primary's server did
 * not accept a TCP connection through its direct listener, 0 otherwise.
 * Dependency-free: the handler bundle and the construct both import it.
 */
export const PRIMARY_PROBE_METRIC = { namespace: 'CdkHaPatterns/WarmStandby', name: 'PrimaryUnreachable', dimension: 'Pair' } as const;

/** Environment variables of the probe function (besides the sampling's `PROBE_*`). */
export const PRIMARY_PROBE_ENV = {
  /** The load balancer's DNS name. */
  HOST: 'PRIMARY_HOST',
  /** The primary's direct TCP port on it. */
  PORT: 'PRIMARY_PORT',
  /** The dimension value: the pair's path. */
  PAIR: 'PAIR',
} as const;

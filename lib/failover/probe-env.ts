/** Dependency-free: the probe handlers' bundles and the constructs both import it. */
/** Environment variables of a probe's sampling (milliseconds). */
export const PROBE_ENV = {
  INTERVAL_MS: 'PROBE_INTERVAL_MS',
  TIMEOUT_MS: 'PROBE_TIMEOUT_MS',
  RUN_MS: 'PROBE_RUN_MS',
} as const;

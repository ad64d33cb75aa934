/**
 * The lease protocol's names (no AWS SDK import: the constructs use them at
 * synthesis). See lib/runtime/README.md.
 */

/** Attribute names of a lease item (the protocol; see lib/runtime/README.md). */
export const LeaseAttributes = {
  /** Partition key (S): the lease name. */
  KEY: 'pk',
  /** (S) id of the current holder; absent once released. */
  HOLDER: 'holder',
  /** (N) fencing token: incremented on every acquisition, never decremented. */
  TOKEN: 'fencingToken',
  /** (N) expiry in epoch milliseconds by the clock of the last writer; 0 once released. */
  EXPIRES_AT: 'expiresAt',
  /**
   * (S) ECS task ARN of the holder, written with `holder` by clients that know it (read from the task metadata
   * endpoint) and removed with it: the lease-holder drill stops the task it names. Absent for other clients.
   */
  HOLDER_TASK: 'holderTask',
} as const;

/** Environment variables the constructs pass to the processes. */
export const LeaseEnvironment = {
  TABLE_NAME: 'HA_LEASE_TABLE_NAME',
  LEASE_NAME: 'HA_LEASE_NAME',
  DURATION_MS: 'HA_LEASE_DURATION_MS',
  RENEW_INTERVAL_MS: 'HA_LEASE_RENEW_INTERVAL_MS',
  MAX_CLOCK_SKEW_MS: 'HA_LEASE_MAX_CLOCK_SKEW_MS',
} as const;

/** Prefix of the lease item's checkpoint attributes: `checkpoint:<shardId>` (S, a sequence number). */
export const CHECKPOINT_ATTRIBUTE_PREFIX = 'checkpoint:';

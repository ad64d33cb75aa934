/**
 * What runs a multi-region pattern's regional failover once the probe
 * alarm in the surviving region fires (or once on-call decides to fail
 * over, when the pattern's failover is not automatic). Either way every
 * link of the path lives outside the region it recovers from, and the
 * recovery-path analysis checks the one chosen.
 */
export enum RegionFailoverRunner {
  /**
   * The library's own automation: an EventBridge rule in the surviving
   * region invokes the pattern's function there. Without automatic
   * failover, on-call invokes the function (or runs the pattern's runbook).
   */
  LIBRARY_AUTOMATION = 'library-automation',
  /**
   * An ARC Region switch plan the pattern creates beside its standby: the
   * probe alarm is the plan's trigger (automatic execution), its workflow
   * runs the pattern's failover steps, and every execution writes a report
   * to S3 with the recovery time Region switch measured. Without automatic
   * failover, on-call starts the plan (its `StartCommand` output: a graceful
   * execution, which loses no data and needs the primary region up; for a
   * lost region, an ungraceful execution, `--mode ungraceful`, fails the
   * database over with data loss). No EventBridge rule is created for the failover.
   */
  REGION_SWITCH_PLAN = 'region-switch-plan',
}

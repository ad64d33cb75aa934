/** How ready the spare region is before a failover. */
export enum SpareMode {
  /** The spare runs N+1 tasks, like the primary: takes the full load at once. */
  HOT = 'HOT',
  /**
   * The spare runs a floor of `warmCapacity` tasks (serving at once, at
   * reduced capacity) and is scaled to N+1 by the failover automation.
   */
  WARM = 'WARM',
  /**
   * The spare runs no tasks (load balancer, cluster and service exist) and
   * is scaled to N+1 by the failover automation: the cheapest, the slowest.
   */
  PILOT_LIGHT = 'PILOT_LIGHT',
}

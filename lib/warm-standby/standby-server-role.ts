/** Which of the two servers. */
export enum StandbyServerRole {
  /** The active server: receives the traffic and may write the configuration. */
  PRIMARY = 'PRIMARY',
  /** The warm standby: running and health-checked, serves only while the primary is offline. */
  SECONDARY = 'SECONDARY',
}

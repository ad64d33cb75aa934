/** The database engines `HaDatabase` supports. */
export enum HaDatabaseEngine {
  /** Aurora PostgreSQL, Multi-AZ cluster (writer + readers in other zones). */
  AURORA_POSTGRESQL = 'aurora-postgresql',
  /** Aurora MySQL, Multi-AZ cluster (writer + readers in other zones). */
  AURORA_MYSQL = 'aurora-mysql',
  /** SQL Server Standard Edition (license included), RDS Multi-AZ instance. */
  SQL_SERVER = 'sqlserver-se',
}

/** The parameters that make the engine refuse connections without TLS. */
export function tlsParameters(engine: HaDatabaseEngine): Record<string, string> {
  return engine === HaDatabaseEngine.AURORA_MYSQL ? { require_secure_transport: 'ON' } : { 'rds.force_ssl': '1' };
}

export * from './standby-server-role';
export * from './warm-standby-pair';

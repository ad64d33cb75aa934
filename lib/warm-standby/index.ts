export * from './standby-server-role';
export * from './warm-standby-pair';
export * from './warm-standby-pair-props';

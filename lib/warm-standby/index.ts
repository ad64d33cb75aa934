export * from './warm-standby-pair';

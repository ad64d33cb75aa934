// Public API of lib/hot-standby.
export * from './hot-standby-consumer';

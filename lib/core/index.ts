export * from './errors';
export * from './failover-notifications';
export * from './ha-dashboard';
export * from './ha-pattern';
export * from './recovery-objectives';
export * from './resilience-report';

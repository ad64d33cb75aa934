export * from './drill-description';
export * from './drills';
export * from './fault-action';
export * from './fault-experiment';
export * from './region-switch-plan';
export * from './region-switch-step';
export * from './resilience-policy';
export * from './zonal-autoshift';

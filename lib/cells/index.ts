export * from './active-active-cell';
export * from './active-active-cells';
export type { CellOutcome, CellTarget, FanOutClients, FanOutConfig, FanOutResult, UpdateRef } from './handler/fan-out';

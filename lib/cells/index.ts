export * from './active-active-cell';
export * from './active-active-cells';

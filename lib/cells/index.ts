export * from './active-active-cell';
export * from './active-active-cells';
export * from './active-active-cells-props';

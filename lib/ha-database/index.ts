export * from './ha-database';
export * from './secondary';

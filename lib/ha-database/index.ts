export * from './ha-database';
export * from './secondary';
export { HaDatabaseEngine } from './engine';
export { WriterFollowing } from './promoters';
export * from './ha-database-props';

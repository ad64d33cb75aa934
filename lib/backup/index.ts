export * from './ha-backup';

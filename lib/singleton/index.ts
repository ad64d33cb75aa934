// Public API of lib/singleton.
export * from './lease-table';
export * from './singleton-daemon';

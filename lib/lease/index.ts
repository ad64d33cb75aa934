// Public API of lib/lease.
export * from './lease-table';
export * from './lease-task-props';
export * from './lease-mode';

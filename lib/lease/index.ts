// Public API of lib/lease.
export * from './lease-table';

// Public API of lib/worker-pool (filled in by its pattern issue).
export {};

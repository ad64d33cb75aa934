// Public API of lib/runtime (filled in by its pattern issue).
export {};

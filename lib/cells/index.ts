// Public API of lib/cells (filled in by its pattern issue).
export {};

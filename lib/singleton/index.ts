// Public API of lib/singleton (filled in by its pattern issue).
export {};

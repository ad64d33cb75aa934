// Public API of lib/multi-site (filled in by its pattern issue).
export {};

// Public API of lib/web-tier (filled in by its pattern issue).
export {};

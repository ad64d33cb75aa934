// Public API of lib/ha-database (filled in by its pattern issue).
export {};

// Public API of lib/config-server (filled in by its pattern issue).
export {};

// Public API of lib/warm-standby (filled in by its pattern issue).
export {};

// Public API of lib/hot-standby (filled in by its pattern issue).
export {};

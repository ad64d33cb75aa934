// Public API of lib/latency-dns (filled in by its pattern issue).
export {};

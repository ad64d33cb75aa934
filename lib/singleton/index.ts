// Public API of lib/singleton.
export * from './singleton-daemon';

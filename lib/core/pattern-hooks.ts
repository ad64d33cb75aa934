/**
 * What the layers above core (the resilience report) do with every pattern
 * when its app synthesizes, without core importing them: they register a
 * hook when their module loads (the package's index loads them all), and
 * each `HaPattern` runs the hooks from a validation.
 */
import type { IConstruct } from 'constructs';

/** A hook: runs for a pattern when its app validates; returns validation errors (none to pass). */
export type PatternHook = (pattern: IConstruct) => string[];

const HOOKS = Symbol.for('cdk-ha-patterns.PatternHooks');
type HookRegistry = { [HOOKS]?: PatternHook[] };

/** The hooks, shared by copies of the library in one process (as the patterns' markers are). */
function hooks(): PatternHook[] {
  const registry = globalThis as HookRegistry;
  return (registry[HOOKS] ??= []);
}

/** Registers `hook` (once: a module loaded twice registers the same function once). */
export function addPatternHook(hook: PatternHook): void {
  if (!hooks().includes(hook)) hooks().push(hook);
}

/** Runs every hook for `pattern`; their validation errors. */
export function runPatternHooks(pattern: IConstruct): string[] {
  return hooks().flatMap(hook => hook(pattern));
}

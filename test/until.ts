/** Waiting in tests that run real processes, timers or a local DynamoDB. */

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms));

/**
 * Polls `fn` every `pollMs` until it returns a truthy value, and returns
 * that value; fails naming `what` once `ms` have passed.
 */
export async function until<T>(what: string, fn: () => T | Promise<T>, ms = 10_000, pollMs = 10): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value) return value as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(pollMs);
  }
}

import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls a condition until it holds (or fails with the last observed value). Never a fixed sleep.
 * The default deadline is generous: on a busy 2-core machine a child process alone can take 8 s to
 * start, and a deadline is there to end a hung test, not to measure speed.
 */
export async function waitFor<T>(
  probe: () => Promise<T>,
  ok: (value: T) => boolean,
  { timeoutMs = 60_000, intervalMs = 25, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (ok(last)) return last;
    await sleep(intervalMs);
  }
  // Log positions are bigints, which JSON.stringify refuses: print them as text.
  const shown = JSON.stringify(last, (_key, v) => (typeof v === 'bigint' ? v.toString() : v));
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${shown}`);
}

import { setTimeout as sleep } from 'node:timers/promises';

/** Yields at once, then every `intervalMs`, until the signal aborts. */
export async function* pollUntilAborted(intervalMs: number, signal?: AbortSignal): AsyncGenerator<void> {
  while (!signal?.aborted) {
    yield;
    if (signal?.aborted) return;
    try {
      await sleep(intervalMs, undefined, signal ? { signal } : undefined);
    } catch {
      return; // aborted while waiting
    }
  }
}

/**
 * Subscriptions of the memory event store that have caught up wait here for the next append,
 * without polling: wakeAll() (an append, or close) resolves every waiting consumer at once.
 */
export class AppendWaiters {
  private readonly waiting = new Set<() => void>();

  /** Resolves at the next wakeAll(), or when the signal aborts (at once if it already has). */
  next(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        this.waiting.delete(wake);
        signal?.removeEventListener('abort', wake);
        resolve();
      };
      if (signal?.aborted) return wake();
      this.waiting.add(wake);
      signal?.addEventListener('abort', wake, { once: true });
    });
  }

  wakeAll(): void {
    for (const wake of [...this.waiting]) wake();
  }

  /** How many consumers are waiting (for tests: a finished subscription leaves none behind). */
  get size(): number {
    return this.waiting.size;
  }
}

import { setTimeout as sleep } from 'node:timers/promises';
import type { Position } from '../eventstore/port.ts';

/**
 * How a caught-up log reader (a projection runner) waits for new events. `epoch` moves on each
 * wake-up; a reader notes it BEFORE reading the log, and `idle(seen, …)` returns at once when a
 * wake-up came meanwhile (so an append announced during a read is never slept through).
 */
export interface LogWakeups {
  readonly epoch: number;
  /**
   * Resolves on a wake-up after `seen`, after the current poll interval, or on abort.
   * `readUpTo`: the reader's log position after its read (null: the start of the log).
   */
  idle(seen: number, signal: AbortSignal, readUpTo: Position | null): Promise<void>;
}

/** No wake-ups: poll every `intervalMs` (EventStoreDB, the memory store). */
export function pollingWakeups(intervalMs: number): LogWakeups {
  return {
    epoch: 0,
    idle: (_seen, signal) => sleep(intervalMs, undefined, { signal }).catch(() => {}),
  };
}

export interface NotifiedWakeupsOptions {
  /** The poll interval while notifications arrive and nothing announced is pending: a safety net. */
  fallbackMs: number;
  /** The poll interval while not listening (the connection is lost and being re-made). */
  disconnectedMs: number;
  /** The poll interval while an announced append is not yet visible to the reader (see `wake`). */
  pendingMs: number;
  /** An announced append still invisible after this long is left to the fallback poll. */
  pendingMaxMs: number;
}

/**
 * Wake-ups from the Postgres store's NOTIFY (AppendListener): `wake(commit)` per notification, with
 * the appending transaction's id. A commit becomes visible to log readers only once every older
 * transaction of the cluster has ended, so a reader woken by it may find nothing yet: while its
 * log position (whose `commit` is a transaction id) is below the newest announced transaction, it
 * polls at `pendingMs` instead of sleeping for the fallback interval.
 */
export class NotifiedWakeups implements LogWakeups {
  epoch = 0;
  private newestCommit = -1n;
  private newestAt = Number.NEGATIVE_INFINITY;
  private readonly waiting = new Set<() => void>();
  private readonly options: NotifiedWakeupsOptions;
  private readonly listening: () => boolean;

  constructor(listening: () => boolean, options: NotifiedWakeupsOptions) {
    this.listening = listening;
    this.options = options;
  }

  /** A notification (commit: the appending transaction), a reconnect or a lost connection. */
  wake(commit?: bigint): void {
    this.epoch++;
    if (commit !== undefined && commit > this.newestCommit) {
      this.newestCommit = commit;
      this.newestAt = performance.now();
    }
    for (const w of [...this.waiting]) w();
  }

  /** The poll interval for a reader at `readUpTo` (see the options). */
  intervalMs(readUpTo: Position | null): number {
    const { fallbackMs, disconnectedMs, pendingMs, pendingMaxMs } = this.options;
    if (!this.listening()) return Math.min(disconnectedMs, fallbackMs);
    const pending = this.newestCommit > (readUpTo?.commit ?? -1n);
    if (pending && performance.now() - this.newestAt < pendingMaxMs) return Math.min(pendingMs, fallbackMs);
    return fallbackMs;
  }

  idle(seen: number, signal: AbortSignal, readUpTo: Position | null): Promise<void> {
    if (this.epoch !== seen || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiting.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, this.intervalMs(readUpTo));
      this.waiting.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

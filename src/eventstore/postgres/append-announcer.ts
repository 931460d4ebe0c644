import type pg from 'pg';
import { APPEND_CHANNEL } from './append-listener.ts';

/**
 * Announces committed appends on APPEND_CHANNEL (what AppendListener hears), after the commit and
 * off the caller's path. Not in the appending transaction: a transaction that notifies holds a
 * cluster-wide lock from its pre-commit until its WAL flush, which serialises every appender
 * behind the previous one's flush. Here the NOTIFY runs in a transaction of its own with
 * synchronous_commit off: it writes nothing that needs a flush, so it holds that lock briefly.
 *
 * At most one announcement is in flight per store; appends committed meanwhile are announced
 * together by the next one, whose payload is the newest of their transaction ids (what readers
 * need: "everything up to this transaction is committed"). A failed announcement is dropped:
 * readers still find the events with their fallback poll.
 */
export class AppendAnnouncer {
  private readonly pool: pg.Pool;
  private newest = -1n;
  private announced = -1n;
  private inFlight: Promise<void> | null = null;
  /** Announcements sent (tests, metrics). */
  sent = 0;

  constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  /** `commit`: the appending transaction's id (Position.commit of what it wrote). */
  announce(commit: bigint): void {
    if (commit > this.newest) this.newest = commit;
    // drain() awaits before it can end, so inFlight is set before it is cleared.
    if (!this.inFlight && this.newest > this.announced) this.inFlight = this.drain();
  }

  /** Resolves once everything announced so far has been sent (or dropped). */
  async settled(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  private async drain(): Promise<void> {
    try {
      while (this.newest > this.announced) {
        const commit = this.newest;
        this.announced = commit;
        this.sent++;
        await this.pool
          .query({
            name: 'es_announce_append',
            text: "select set_config('synchronous_commit', 'off', true), pg_notify($1, $2)",
            values: [APPEND_CHANNEL, commit.toString()],
          })
          .catch(() => {});
      }
    } finally {
      this.inFlight = null;
    }
  }
}

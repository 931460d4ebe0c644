import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { comparePositions, type Position } from '../../eventstore/port.ts';

interface Waiter {
  position: Position;
  resolve: (reached: boolean) => void;
  timer: NodeJS.Timeout;
}

/**
 * How far every read-model projection has got, for Oms-Min-Position, read by one poll loop per
 * process: any number of waiting requests cost one checkpoint query per tick, not one each, and
 * concurrent one-off readings share the query in flight.
 */
export class ReadModelPosition {
  private readonly waiters = new Set<Waiter>();
  private inFlight: Promise<Position | null> | null = null;
  private polling = false;

  private readonly pool: pg.Pool;
  private readonly projectionNames: () => readonly string[];
  private readonly pollMs: number;

  constructor(pool: pg.Pool, projectionNames: () => readonly string[], pollMs = 10) {
    this.pool = pool;
    this.projectionNames = projectionNames;
    this.pollMs = pollMs;
  }

  /** The position all of them have reached (null: one has not started). */
  current(): Promise<Position | null> {
    this.inFlight ??= this.read().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /** True once every projection has reached `position`, false when `timeoutMs` passes first. */
  reached(position: Position, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const waiter: Waiter = {
        position,
        resolve,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          resolve(false);
        }, timeoutMs),
      };
      this.waiters.add(waiter);
      void this.poll();
    });
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      while (this.waiters.size > 0) {
        // A failed reading is retried on the next tick; the waiters' deadlines still apply.
        const at = await this.current().catch(() => null);
        for (const w of this.waiters) {
          if (at && comparePositions(at, w.position) >= 0) {
            clearTimeout(w.timer);
            this.waiters.delete(w);
            w.resolve(true);
          }
        }
        if (this.waiters.size > 0) await sleep(this.pollMs);
      }
    } finally {
      this.polling = false;
    }
  }

  private async read(): Promise<Position | null> {
    const names = this.projectionNames();
    const res = await this.pool.query<{ position_commit: string; position_prepare: string }>({
      name: 'oms_read_model_position',
      text: 'select position_commit, position_prepare from projection_checkpoints where name = any($1)',
      values: [names],
    });
    if (res.rows.length < names.length) return null;
    let lowest: Position | null = null;
    for (const r of res.rows) {
      const p = { commit: BigInt(r.position_commit), prepare: BigInt(r.position_prepare) };
      if (!lowest || comparePositions(p, lowest) < 0) lowest = p;
    }
    return lowest;
  }
}

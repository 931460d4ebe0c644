// How far each projection is behind the log: its checkpoint (projection_checkpoints) against the
// event store's head, counted in events and aged in seconds. Read from the tables and the store, so
// any process can answer for every projector (the CLI's `oms projections status` and
// GET /v1/operations/projections both use it); the oms_projection_lag_seconds gauge only exists in
// the processes that run a projector.
import type { Knex } from 'knex';
import { type EventStore, formatPosition, type Position } from '../eventstore/port.ts';
import { readCheckpoint } from './checkpoints.ts';

export interface ProjectionLag {
  name: string;
  /** The checkpoint; null before the first event. */
  position: Position | null;
  /** Events after the checkpoint, at most the cap given. */
  lagEvents: number;
  /** More events than the cap are pending: lagEvents is the cap, a floor. */
  lagCapped: boolean;
  /** When the oldest event not applied yet was recorded; null when caught up. */
  oldestPendingAt: Date | null;
  eventsProcessed: number;
  updatedAt: Date | null;
}

export interface LogLag {
  head: Position | null;
  projections: ProjectionLag[];
}

/**
 * Lag of the named projections. The events after a checkpoint are counted by reading them (the
 * store port has no count), up to `cap` per distinct checkpoint: projections at the same position
 * (the usual case, all caught up) share one read, and a caught-up one reads nothing.
 */
export async function projectionLags(
  knex: Knex,
  store: EventStore,
  names: readonly string[],
  cap: number,
): Promise<LogLag> {
  const head = await store.headPosition();
  const pending = new Map<string, Promise<{ count: number; capped: boolean; oldest: Date | null }>>();
  const count = (after: Position | null) => {
    const key = after ? formatPosition(after) : '';
    let p = pending.get(key);
    if (!p) {
      p = store.readAll({ after, maxCount: cap + 1 }).then((events) => ({
        count: Math.min(events.length, cap),
        capped: events.length > cap,
        oldest: events[0]?.createdAt ?? null,
      }));
      pending.set(key, p);
    }
    return p;
  };
  const projections: ProjectionLag[] = [];
  for (const name of names) {
    const cp = await readCheckpoint(knex, name);
    const position = cp?.position ?? null;
    const behind = await count(position);
    projections.push({
      name,
      position,
      lagEvents: behind.count,
      lagCapped: behind.capped,
      oldestPendingAt: behind.oldest,
      eventsProcessed: cp?.eventsProcessed ?? 0,
      updatedAt: cp?.updatedAt ?? null,
    });
  }
  return { head, projections };
}

/** Seconds since the oldest pending event was recorded, as of `at` (0 when caught up). */
export function lagSeconds(lag: ProjectionLag, at: Date): number {
  return lag.oldestPendingAt ? Math.max(0, at.getTime() - lag.oldestPendingAt.getTime()) / 1000 : 0;
}

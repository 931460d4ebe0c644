import type pg from 'pg';
import { formatPosition, type Position } from '../../src/eventstore/port.ts';
import { readCheckpoint } from '../../src/projector/checkpoints.ts';
import type { TestApp } from './app.ts';
import { waitFor } from './wait.ts';

/**
 * Waits until no job and no allocation demand is pending (unless jobs: false) and every projection
 * (and the dispatcher) has reached the log head.
 */
export async function quiescent(app: TestApp, timeoutMs = 60_000, opts: { jobs?: boolean } = {}): Promise<void> {
  const settled = async () => {
    if (opts.jobs !== false) {
      const counts = await app.runtime.services.queue.getJobCounts(
        'waiting',
        'active',
        'delayed',
        'prioritized',
        'waiting-children',
      );
      if (Object.values(counts).some((n) => n > 0)) return false;
      const demand = await app.runtime.services.knex('allocation_demand').first('id');
      if (demand) return false;
    }
    const head = await committedHead(app);
    if (!head) return true;
    for (const p of app.runtime.allProjections()) {
      const cp = await readCheckpoint(app.runtime.services.knex, p.name);
      if (!cp?.position || formatPosition(cp.position) !== formatPosition(head)) return false;
    }
    return true;
  };
  // Twice in a row: a job finishing can append events that enqueue further jobs.
  let streak = 0;
  await waitFor(
    async () => {
      streak = (await settled()) ? streak + 1 : 0;
      return streak;
    },
    (n) => n >= 3,
    { timeoutMs, intervalMs: 50, what: 'quiescence' },
  );
}

/**
 * The newest committed event. On Postgres this can be ahead of headPosition(): log readers see a
 * commit only once every older transaction has ended (a projector's open batch holds them back), so
 * "every checkpoint at headPosition()" could be true while committed events are still to be read.
 */
async function committedHead(app: TestApp): Promise<Position | null> {
  if (app.runtime.services.store.kind !== 'postgres') return app.runtime.services.store.headPosition();
  const row = (
    await app.runtime.services.pool.query<{ commit: string; prepare: string }>(
      'select transaction_id::text as commit, global_position::text as prepare from es_events order by transaction_id desc, global_position desc limit 1',
    )
  ).rows[0];
  return row ? { commit: BigInt(row.commit), prepare: BigInt(row.prepare) } : null;
}

/**
 * The same settling, seen from SQL only (for processes this test spawned): no allocation demand
 * left, and every projection checkpoint at the newest committed event.
 */
export async function settledInDatabase(sql: pg.Pool, timeoutMs = 120_000): Promise<void> {
  let streak = 0;
  await waitFor(
    async () => {
      const { rows } = await sql.query<{ demand: boolean; behind: string[] }>(
        `with head as (
           select transaction_id::text::bigint as t, global_position as g from es_events
            order by transaction_id desc, global_position desc limit 1)
         select exists (select 1 from allocation_demand) as demand,
                coalesce((select array_agg(c.name) from projection_checkpoints c, head
                           where (c.position_commit, c.position_prepare) is distinct from (head.t, head.g)),
                         '{}') as behind`,
      );
      const settled = !rows[0]!.demand && rows[0]!.behind.length === 0;
      streak = settled ? streak + 1 : 0;
      return { streak, demand: rows[0]!.demand, behind: rows[0]!.behind };
    },
    (s) => s.streak >= 3,
    { timeoutMs, intervalMs: 100, what: 'allocation demand drained and every projection at the head' },
  );
}

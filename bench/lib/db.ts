import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';

export interface Position {
  commit: bigint;
  prepare: bigint;
}

export function parsePosition(text: string | null | undefined): Position | null {
  const m = /^(\d{1,20})-(\d{1,20})$/.exec(text ?? '');
  return m ? { commit: BigInt(m[1]!), prepare: BigInt(m[2]!) } : null;
}

export function reached(checkpoint: Position, target: Position): boolean {
  return (
    checkpoint.commit > target.commit || (checkpoint.commit === target.commit && checkpoint.prepare >= target.prepare)
  );
}

export interface PgStats {
  db: Record<string, number>;
  tables: Record<string, Record<string, number>>;
}

/** What the database did between two snapshots, per request when `requests` is given; busiest tables first. */
export function pgStatsDelta(
  a: PgStats,
  b: PgStats,
  requests?: number,
): { db: Record<string, number>; tables: Record<string, Record<string, number>> } {
  const per = (x: number) => (requests && requests > 0 ? Math.round((x / requests) * 100) / 100 : x);
  const db: Record<string, number> = {};
  for (const [k, v] of Object.entries(b.db)) db[k] = per(v - (a.db[k] ?? 0));
  const rows: [string, Record<string, number>][] = [];
  for (const [name, t] of Object.entries(b.tables)) {
    const d: Record<string, number> = {};
    let activity = 0;
    for (const [k, v] of Object.entries(t)) {
      const x = v - (a.tables[name]?.[k] ?? 0);
      activity += x;
      if (x !== 0) d[k] = per(x);
    }
    if (activity > 0) rows.push([name, d]);
  }
  // Busiest first: rows read, then (indexes) blocks read.
  const weight = (t: Record<string, number>) =>
    (t.seq_tup_read ?? 0) + (t.idx_tup_fetch ?? 0) + (t.heap_blks_read ?? 0) + (t.idx_blks_read ?? 0);
  rows.sort((x, y) => weight(y[1]) - weight(x[1]));
  return { db, tables: Object.fromEntries(rows) };
}

export interface QuietState {
  quiet: boolean;
  behind: string[];
  jobs: Record<string, number>;
  pendingOrders: number;
}

/** The bench's own view of the service's state: checkpoints, job queue, orders. */
/**
 * CTEs over the orders of customer $2 in tenant $1: `mine` (id, stream), `placed` and `settled` (per
 * stream, when its OrderPlaced and its first OrderConfirmed or OrderBackordered were recorded).
 */
const PLACED_AND_SETTLED = `with mine as (select id, $1 || ':order:' || id as stream from orders where tenant = $1 and customer_id = $2),
            placed as (select e.stream_name, min(e.created_at) as t from es_events e join mine m on m.stream = e.stream_name
                        where e.event_type = 'OrderPlaced' group by 1),
            settled as (select e.stream_name, min(e.created_at) as t from es_events e join mine m on m.stream = e.stream_name
                         where e.event_type in ('OrderConfirmed', 'OrderBackordered') group by 1)`;

export class Observer {
  readonly pool: pg.Pool;
  readonly queue: Queue;
  private readonly redis: Redis;

  constructor(databaseUrl: string, redisUrl: string, redisPrefix: string) {
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: 3, application_name: 'bench-observer' });
    this.pool.on('error', () => {});
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    this.redis.on('error', () => {});
    this.queue = new Queue('oms-jobs', { connection: this.redis, prefix: redisPrefix });
    this.queue.on('error', () => {});
  }

  private connTimer: NodeJS.Timeout | null = null;
  /** The most connections the database under test had at once, by application_name at that moment. */
  connectionsPeak: { total: number; byApplication: Record<string, number> } = { total: 0, byApplication: {} };

  /** Postgres backends of the database under test (for their CPU time). */
  async backendPids(): Promise<number[]> {
    const r = await this.pool.query<{ pid: number }>(
      'select pid from pg_stat_activity where datname = current_database()',
    );
    return r.rows.map((row) => row.pid);
  }

  sampleConnections(intervalMs = 1000): void {
    this.connTimer ??= setInterval(() => {
      this.pool
        .query<{ app: string; n: string }>(
          `select coalesce(nullif(application_name, ''), '?') as app, count(*) as n from pg_stat_activity where datname = current_database() group by 1`,
        )
        .then((r) => {
          const byApplication = Object.fromEntries(r.rows.map((row) => [row.app, Number(row.n)]));
          const total = Object.values(byApplication).reduce((a, b) => a + b, 0);
          if (total > this.connectionsPeak.total) this.connectionsPeak = { total, byApplication };
        })
        .catch(() => {});
    }, intervalMs);
    this.connTimer.unref();
  }

  /** Cumulative statistics of the database under test (approximate: backends flush them about once a second). */
  async pgStats(): Promise<PgStats> {
    const db = await this.pool.query<Record<string, string>>(
      `select xact_commit, xact_rollback, tup_returned, tup_fetched, tup_inserted, tup_updated, tup_deleted, blks_hit, blks_read
         from pg_stat_database where datname = current_database()`,
    );
    const tables = await this.pool.query<Record<string, string> & { relname: string }>(
      `select t.relname, seq_scan, seq_tup_read, coalesce(idx_scan, 0) as idx_scan, coalesce(idx_tup_fetch, 0) as idx_tup_fetch,
              n_tup_ins, n_tup_upd, n_tup_del, heap_blks_read, heap_blks_hit
         from pg_stat_user_tables t join pg_statio_user_tables io using (relid)`,
    );
    // Per index, as "<table>.<index>": which one reads blocks from outside shared_buffers (a random
    // key such as a v4 UUID spreads inserts over every leaf page of a large index).
    const indexes = await this.pool.query<Record<string, string> & { relname: string }>(
      `select relname || '.' || indexrelname as relname, idx_blks_read, idx_blks_hit from pg_statio_user_indexes`,
    );
    const num = (row: Record<string, string> | undefined) =>
      Object.fromEntries(
        Object.entries(row ?? {})
          .filter(([k]) => k !== 'relname')
          .map(([k, v]) => [k, Number(v)]),
      );
    return {
      db: num(db.rows[0]),
      tables: Object.fromEntries([...tables.rows, ...indexes.rows].map((t) => [t.relname, num(t)])),
    };
  }

  async close(): Promise<void> {
    if (this.connTimer) clearInterval(this.connTimer);
    this.connTimer = null;
    await this.queue.close().catch(() => {});
    this.redis.disconnect();
    await this.pool.end().catch(() => {});
  }

  async headPosition(): Promise<Position | null> {
    const r = await this.pool.query<{ tx: string; pos: string }>(
      'select transaction_id::text as tx, global_position::text as pos from es_events order by transaction_id desc, global_position desc limit 1',
    );
    const row = r.rows[0];
    return row ? { commit: BigInt(row.tx), prepare: BigInt(row.pos) } : null;
  }

  async checkpoints(): Promise<Map<string, Position>> {
    const r = await this.pool.query<{ name: string; c: string; p: string }>(
      'select name, position_commit::text as c, position_prepare::text as p from projection_checkpoints',
    );
    return new Map(r.rows.map((row) => [row.name, { commit: BigInt(row.c), prepare: BigInt(row.p) }]));
  }

  async jobCounts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts(
      'waiting',
      'active',
      'delayed',
      'prioritized',
      'waiting-children',
      'failed',
      'completed',
    );
  }

  async pendingOrders(tenant: string, customerId?: string): Promise<number> {
    const r = customerId
      ? await this.pool.query<{ n: string }>(
          `select count(*) as n from orders where tenant = $1 and customer_id = $2 and status = 'pending'`,
          [tenant, customerId],
        )
      : await this.pool.query<{ n: string }>(
          `select count(*) as n from orders where tenant = $1 and status = 'pending'`,
          [tenant],
        );
    return Number(r.rows[0]!.n);
  }

  /** Every projection at the log head, no job waiting or running, no order of `customerId` pending. */
  async quietState(tenant: string, customerId?: string): Promise<QuietState> {
    const [head, cps, jobs] = await Promise.all([this.headPosition(), this.checkpoints(), this.jobCounts()]);
    const behind = head ? [...cps].filter(([, p]) => !reached(p, head)).map(([n]) => n) : [];
    const pendingOrders = customerId !== undefined ? await this.pendingOrders(tenant, customerId) : 0;
    const busyJobs =
      (jobs.waiting ?? 0) + (jobs.active ?? 0) + (jobs.prioritized ?? 0) + (jobs['waiting-children'] ?? 0);
    return { quiet: behind.length === 0 && busyJobs === 0 && pendingOrders === 0, behind, jobs, pendingOrders };
  }

  /**
   * Waits until the service has caught up (three quiet polls in a row: a finishing job can append
   * events that enqueue more jobs). Returns how long it took and whether it got there in time.
   */
  async waitQuiet(
    tenant: string,
    timeoutMs: number,
    customerId?: string,
  ): Promise<{ ms: number; quiet: boolean; last: QuietState }> {
    const t0 = performance.now();
    let streak = 0;
    let last: QuietState = { quiet: false, behind: [], jobs: {}, pendingOrders: 0 };
    while (performance.now() - t0 < timeoutMs) {
      last = await this.quietState(tenant, customerId);
      streak = last.quiet ? streak + 1 : 0;
      if (streak >= 3) return { ms: Math.round(performance.now() - t0), quiet: true, last };
      await new Promise((r) => setTimeout(r, 100));
    }
    return { ms: Math.round(performance.now() - t0), quiet: false, last };
  }

  /**
   * Discards the jobs still waiting (not the running ones), so the next phase starts without the
   * previous phase's allocation backlog. Returns how many were dropped.
   */
  async dropBacklog(): Promise<number> {
    const c = await this.queue.getJobCounts('waiting', 'prioritized', 'delayed');
    const n = (c.waiting ?? 0) + (c.prioritized ?? 0) + (c.delayed ?? 0);
    if (n > 0) await this.queue.drain(true);
    // Allocation's own queue: the demand not yet decided.
    const demand = await this.pool.query('delete from allocation_demand');
    return n + (demand.rowCount ?? 0);
  }

  /** Allocation outcome of one customer's orders (each phase uses its own customer). */
  async allocationStats(
    tenant: string,
    customerId: string,
  ): Promise<{
    orders: number;
    byStatus: Record<string, number>;
    firstPlaced: Date | null;
    lastAllocated: Date | null;
  }> {
    const r = await this.pool.query<{ status: string; n: string; first: Date | null; last: Date | null }>(
      `select status, count(*) as n, min(created_at) as first, max(updated_at) filter (where status <> 'pending') as last
         from orders where tenant = $1 and customer_id = $2 group by status`,
      [tenant, customerId],
    );
    const byStatus: Record<string, number> = {};
    let orders = 0;
    let first: Date | null = null;
    let last: Date | null = null;
    for (const row of r.rows) {
      byStatus[row.status] = Number(row.n);
      orders += Number(row.n);
      if (row.first && (!first || row.first < first)) first = row.first;
      if (row.last && (!last || row.last > last)) last = row.last;
    }
    return { orders, byStatus, firstPlaced: first, lastAllocated: last };
  }

  /** Orders of `customerId` that left pending, per second since the first was placed (allocation pace over time). */
  async allocationTimeline(tenant: string, customerId: string): Promise<number[]> {
    const r = await this.pool.query<{ sec: number; n: string }>(
      `with o as (select created_at, updated_at, status from orders where tenant = $1 and customer_id = $2)
       select floor(extract(epoch from updated_at - (select min(created_at) from o)))::int as sec, count(*) as n
         from o where status <> 'pending' group by 1 order by 1`,
      [tenant, customerId],
    );
    const out: number[] = [];
    for (const row of r.rows) {
      while (out.length < row.sec) out.push(0);
      out[row.sec] = Number(row.n);
    }
    return out;
  }

  /**
   * Accept → allocated per order of `customerId`, from the log: the time between its OrderPlaced
   * and its first OrderConfirmed or OrderBackordered, as the store recorded them (p50, p99, count).
   */
  async acceptToAllocatedMs(tenant: string, customerId: string): Promise<{ p50: number; p99: number; n: number }> {
    const r = await this.pool.query<{ p50: number | null; p99: number | null; n: string }>(
      `${PLACED_AND_SETTLED}
       select percentile_cont(0.5) within group (order by ms) as p50,
              percentile_cont(0.99) within group (order by ms) as p99, count(*) as n
         from (select extract(epoch from s.t - p.t) * 1000 as ms from placed p join settled s using (stream_name)) x`,
      [tenant, customerId],
    );
    const row = r.rows[0]!;
    return { p50: Math.round(row.p50 ?? 0), p99: Math.round(row.p99 ?? 0), n: Number(row.n) };
  }

  /**
   * For --stage-timing: a trigger on allocation_demand notes when each order's demand row was
   * written (clock time, not the transaction's start), so stageLatenciesMs() can split accept →
   * allocated at that point. Costs one more insert per demand row, inside the projector's transaction.
   */
  async installStageTiming(): Promise<void> {
    await this.pool.query(`
      create table if not exists bench_demand_written (order_id text not null, written_at timestamptz not null);
      create or replace function bench_demand_written() returns trigger language plpgsql as $$
        begin
          insert into bench_demand_written values (new.order_id, clock_timestamp());
          return null;
        end $$;
      drop trigger if exists bench_demand_written on allocation_demand;
      create trigger bench_demand_written after insert on allocation_demand
        for each row when (new.order_id <> '') execute function bench_demand_written();`);
  }

  /**
   * The two stages of accept → allocated per order of `customerId` (p50, p99 in ms): from its
   * OrderPlaced to its first demand row (the projector), and from there to its first OrderConfirmed or
   * OrderBackordered (the allocator's queue and batch). Needs installStageTiming() first.
   */
  async stageLatenciesMs(
    tenant: string,
    customerId: string,
  ): Promise<{ projector: { p50: number; p99: number }; allocator: { p50: number; p99: number }; n: number }> {
    const r = await this.pool.query<{ pp50: number; pp99: number; ap50: number; ap99: number; n: string }>(
      `${PLACED_AND_SETTLED},
            demand as (select m.stream as stream_name, min(w.written_at) as t
                         from bench_demand_written w join mine m on m.id = w.order_id group by 1),
            x as (select extract(epoch from d.t - p.t) * 1000 as proj, extract(epoch from s.t - d.t) * 1000 as alloc
                    from placed p join demand d using (stream_name) join settled s using (stream_name))
       select percentile_cont(0.5) within group (order by proj) as pp50, percentile_cont(0.99) within group (order by proj) as pp99,
              percentile_cont(0.5) within group (order by alloc) as ap50, percentile_cont(0.99) within group (order by alloc) as ap99,
              count(*) as n from x`,
      [tenant, customerId],
    );
    const row = r.rows[0]!;
    const ms = (v: number | null) => Math.round(v ?? 0);
    return {
      projector: { p50: ms(row.pp50), p99: ms(row.pp99) },
      allocator: { p50: ms(row.ap50), p99: ms(row.ap99) },
      n: Number(row.n),
    };
  }

  /** Event count of streams whose name matches a LIKE pattern (e.g. the benchmark's inventory streams). */
  async streamLengths(pattern: string): Promise<Record<string, number>> {
    const r = await this.pool.query<{ stream_name: string; revision: string }>(
      'select stream_name, revision from es_streams where stream_name like $1 order by stream_name',
      [pattern],
    );
    return Object.fromEntries(r.rows.map((row) => [row.stream_name, Number(row.revision) + 1]));
  }

  async redisMemoryMb(): Promise<number | null> {
    try {
      const info = await this.redis.info('memory');
      const m = /used_memory:(\d+)/.exec(info);
      return m ? Math.round((Number(m[1]) / 1024 / 1024) * 10) / 10 : null;
    } catch {
      return null;
    }
  }

  async tableSizes(): Promise<Record<string, { rows: number; mb: number }>> {
    const r = await this.pool.query<{ name: string; rows: string; bytes: string }>(
      `select relname as name, n_live_tup::text as rows, pg_total_relation_size(relid)::text as bytes
         from pg_stat_user_tables order by pg_total_relation_size(relid) desc limit 12`,
    );
    const out: Record<string, { rows: number; mb: number }> = {};
    for (const row of r.rows)
      out[row.name] = {
        rows: Math.max(0, Number(row.rows)),
        mb: Math.round((Number(row.bytes) / 1024 / 1024) * 10) / 10,
      };
    return out;
  }
}

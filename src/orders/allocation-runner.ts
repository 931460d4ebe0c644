// Works the allocation_demand queue in worker processes: partitions (tenant × SKU) spread over any
// number of them, and exactly one allocator works a partition at a time. The lease is a Postgres
// session advisory lock on a connection held for the batch: a worker that dies loses its
// connection and with it the lease, at once, and the rows it had not yet deleted are decided again
// by whoever takes the partition next (a decision is made from what the streams hold, so doing one
// twice changes nothing). No transaction stays open across a batch: an open transaction would
// hold back every reader of the Postgres event log.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import type pg from 'pg';
import type { EventStore } from '../eventstore/port.ts';
import { AppendListener } from '../eventstore/postgres/append-listener.ts';
import type { StockLocations } from '../inventory/locations.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { ALLOCATOR_ACTOR, DEMAND_CHANNEL, type DemandRow } from './allocation-demand.ts';
import { allocatePartition, skusEverOn } from './allocation.ts';
import { orderStream } from './commands.ts';

export interface AllocationRunnerOptions {
  knex: Knex;
  pool: pg.Pool;
  store: EventStore;
  locations: StockLocations;
  databaseUrl: string;
  logger: Logger;
  metrics?: Metrics;
  /** Demand rows decided per batch (one decision, one append). */
  batchSize?: number;
  /** Partitions this process works at the same time. */
  concurrency?: number;
  /** Safety-net poll while notifications flow (they wake it at once). */
  pollMs?: number;
  /** A partition whose batch failed waits this long (doubling per failure, up to 30 s). */
  retryMs?: number;
  /** Tests: called after a batch's append, before its rows are deleted. */
  afterAppend?: (partition: { tenant: string; sku: string }) => Promise<void>;
}

interface Partition {
  tenant: string;
  sku: string;
}

type PassResult = 'worked' | 'blocked' | 'empty';

const leaseKey = (p: Partition) => `oms-allocation:${p.tenant}:${p.sku}`;

export class AllocationRunner {
  private readonly o: Required<Omit<AllocationRunnerOptions, 'metrics' | 'afterAppend'>> &
    Pick<AllocationRunnerOptions, 'metrics' | 'afterAppend'>;
  private readonly stopping = new AbortController();
  private running: Promise<void> | null = null;
  private listener: AppendListener | null = null;
  private epoch = 0;
  private wakeWaiter: (() => void) | null = null;
  /** Partitions whose last batch failed: not before this time (ms), and the failures in a row. */
  private readonly backoff = new Map<string, { until: number; failures: number }>();
  /** Batches decided by this runner, and partitions it found leased to another (tests and logs). */
  batches = 0;
  leaseRefusals = 0;

  constructor(options: AllocationRunnerOptions) {
    this.o = { batchSize: 500, concurrency: 4, pollMs: 1000, retryMs: 200, ...options };
  }

  start(): void {
    this.listener = new AppendListener(this.o.databaseUrl, () => this.wake(), {
      channel: DEMAND_CHANNEL,
      applicationName: 'oms-allocation-listener',
      onError: (err) =>
        this.o.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'allocation listener lost'),
    });
    this.listener.start();
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.wake();
    await this.running;
    await this.listener?.stop();
  }

  private wake(): void {
    this.epoch++;
    this.wakeWaiter?.();
  }

  private idle(seen: number, ms: number): Promise<void> {
    if (seen !== this.epoch || this.stopping.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeWaiter = done;
    });
  }

  private async run(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      const seen = this.epoch;
      let result: PassResult;
      try {
        result = await this.pass();
      } catch (err) {
        this.o.logger.error({ err }, 'allocation pass failed; retrying');
        result = 'blocked';
        await sleep(this.o.retryMs, undefined, { signal: this.stopping.signal }).catch(() => {});
      }
      if (result === 'worked') continue;
      // Blocked: another worker holds the partitions there are (or they are backing off); it will
      // finish them, but look again soon in case it died.
      await this.idle(seen, result === 'blocked' ? Math.min(50, this.o.pollMs) : this.o.pollMs);
    }
  }

  /** One look at the queue: expand orders to their SKUs, then work the partitions with demand. */
  async pass(): Promise<PassResult> {
    const expanded = await this.expandOrders();
    const partitions = (await this.o.knex.raw(
      `select tenant, sku from allocation_demand where sku <> ''
       group by tenant, sku order by min(id) limit ?`,
      [this.o.concurrency * 16],
    )) as { rows: Partition[] };
    if (partitions.rows.length === 0) return expanded ? 'worked' : 'empty';
    const now = Date.now();
    const ready = partitions.rows.filter((p) => (this.backoff.get(leaseKey(p))?.until ?? 0) <= now);
    let worked = false;
    let next = 0;
    const lane = async () => {
      while (next < ready.length && !this.stopping.signal.aborted) {
        if (await this.workPartition(ready[next++]!)) worked = true;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.o.concurrency, ready.length) }, lane));
    return worked ? 'worked' : 'blocked';
  }

  /** Rows of cancelled or changed orders name no SKU: their SKUs are every one ever on the order. */
  private async expandOrders(): Promise<boolean> {
    const rows = (await this.o
      .knex('allocation_demand')
      .where('sku', '')
      .orderBy('id')
      .limit(this.o.batchSize)
      .select('id', 'tenant', 'order_id', 'cause', 'correlation_id')) as (DemandRow & { id: string })[];
    if (rows.length === 0) return false;
    const perSku: DemandRow[] = [];
    await Promise.all(
      rows.map(async ({ tenant, order_id, cause, correlation_id }) => {
        const events = await this.o.store.readStream(orderStream(tenant, order_id));
        for (const sku of skusEverOn(events))
          perSku.push({ tenant, sku, order_id, location: '', cause, correlation_id });
      }),
    );
    await this.o.knex.transaction(async (trx) => {
      if (perSku.length) await trx('allocation_demand').insert(perSku);
      await trx('allocation_demand')
        .whereIn(
          'id',
          rows.map((r) => r.id),
        )
        .delete();
    });
    return true;
  }

  /** Takes the partition's lease if free and works its queue; false when another worker holds it. */
  async workPartition(p: Partition): Promise<boolean> {
    const client = await this.o.pool.connect();
    let broken: Error | undefined;
    // The lease's connection can die under it (Postgres restarting, an operator's terminate): the
    // lease is gone then, and the batch's expected revisions keep whatever it still writes honest.
    const lost = (err: Error) => {
      broken = err;
    };
    client.on('error', lost);
    try {
      const { rows } = await client.query<{ ok: boolean }>(
        'select pg_try_advisory_lock(hashtextextended($1, 0)) as ok',
        [leaseKey(p)],
      );
      if (!rows[0]?.ok) {
        this.leaseRefusals++;
        return false;
      }
      try {
        await this.drain(p);
        this.backoff.delete(leaseKey(p));
      } catch (err) {
        const failures = (this.backoff.get(leaseKey(p))?.failures ?? 0) + 1;
        const wait = Math.min(30_000, this.o.retryMs * 2 ** (failures - 1));
        this.backoff.set(leaseKey(p), { until: Date.now() + wait, failures });
        this.o.metrics?.allocationBatches.inc({ outcome: 'failed' });
        this.o.logger.error({ err, tenant: p.tenant, sku: p.sku, retryInMs: wait }, 'allocation batch failed');
      } finally {
        await client.query('select pg_advisory_unlock(hashtextextended($1, 0))', [leaseKey(p)]).catch((err) => {
          broken = err as Error; // a connection that cannot unlock is destroyed, which unlocks
        });
      }
      return true;
    } finally {
      client.off('error', lost);
      client.release(broken);
    }
  }

  /** Batch after batch until the partition's queue is empty (or this runner stops). */
  private async drain(p: Partition): Promise<void> {
    while (!this.stopping.signal.aborted) {
      const rows = (await this.o
        .knex('allocation_demand')
        .where({ tenant: p.tenant, sku: p.sku })
        .orderBy('id')
        .limit(this.o.batchSize)
        .select('id', 'order_id', 'location', 'cause', 'correlation_id')) as (DemandRow & { id: string })[];
      if (rows.length === 0) return;
      const orderIds: string[] = [];
      const causes = new Map<string, { causationId: string | null; correlationId: string }>();
      for (const r of rows) {
        if (!r.order_id || causes.has(r.order_id)) continue;
        orderIds.push(r.order_id);
        causes.set(r.order_id, { causationId: r.cause, correlationId: r.correlation_id ?? r.cause ?? 'allocation' });
      }
      const alsoTry = [...new Set(rows.map((r) => r.location).filter((l) => l !== ''))];
      const batchId = randomUUID();
      await allocatePartition(
        { store: this.o.store, locations: this.o.locations },
        {
          tenant: p.tenant,
          actor: ALLOCATOR_ACTOR,
          correlationId: rows[0]!.correlation_id ?? `allocation-${batchId}`,
          causationId: rows[0]!.cause,
          now: new Date().toISOString(),
        },
        p.sku,
        orderIds,
        alsoTry,
        causes,
      );
      await this.o.afterAppend?.(p);
      await this.o
        .knex('allocation_demand')
        .whereIn(
          'id',
          rows.map((r) => r.id),
        )
        .delete();
      this.batches++;
      this.o.metrics?.allocationBatches.inc({ outcome: 'decided' });
      this.o.metrics?.allocationDemand.inc(rows.length);
    }
  }
}

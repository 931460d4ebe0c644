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
import type { StockLocations } from '../locations/stock-locations.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { ALLOCATOR_ACTOR, DEMAND_CHANNEL, type DemandRow } from './allocation-demand.ts';
import { allocatePartitions, type PartitionWork, skusEverOn } from './allocation.ts';
import { type DemandRecord, LEASE_SQL, type LeaseRow, leaseKey, type Partition } from './allocation-lease.ts';
import { inventoryStates, inventoryStream } from '../inventory/streams.ts';
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
  /** Safety-net poll while notifications flow (they wake it at once). */
  pollMs?: number;
  /** A partition whose batch failed waits this long (doubling per failure, up to 30 s). */
  retryMs?: number;
  /**
   * Vacuums the queue this often while rows are being deleted (0: never). Every decided row leaves
   * a dead row behind in the table and its indexes; until a vacuum removes them, each lease walks
   * past them. Autovacuum does it too where it runs, but not as often as a queue needs, and
   * not at all where it is turned off.
   */
  vacuumEveryMs?: number;
  /** Tests: called after a batch's append, before its rows are deleted. */
  afterAppend?: (partition: { tenant: string; sku: string }) => Promise<void>;
}

type PassResult = 'worked' | 'blocked' | 'empty';

/** How often a partition another allocator holds is read into this one's cache (see keepWarm). */
const WARM_EVERY_MS = 1000;

export class AllocationRunner {
  private readonly o: Required<Omit<AllocationRunnerOptions, 'metrics' | 'afterAppend'>> &
    Pick<AllocationRunnerOptions, 'metrics' | 'afterAppend'>;
  private readonly stopping = new AbortController();
  private running: Promise<void> | null = null;
  private listener: AppendListener | null = null;
  private epoch = 0;
  private wakeWaiter: (() => void) | null = null;
  /**
   * Whether order-level rows (sku '') may be queued: set by a notification that says so (or says
   * nothing, as after a reconnect), cleared by a look that finds none. Looked for anyway once per
   * pollMs, in case a notification was lost.
   */
  private orderRowsDue = true;
  private orderRowsLookedAt = 0;
  /** Partitions whose last batch failed: not before this time (ms), and the failures in a row. */
  private readonly backoff = new Map<string, { until: number; failures: number }>();
  /** Batches decided by this runner, and partitions it found leased to another (tests and logs). */
  batches = 0;
  leaseRefusals = 0;
  /** Inventory streams read into the cache while another allocator held their partition (tests). */
  warmed = 0;
  /** Vacuums of the queue run by this runner (tests). */
  vacuums = 0;
  private vacuumedAt = 0;
  private vacuuming: Promise<void> | null = null;
  /** When each partition held elsewhere was last read into the cache (see keepWarm). */
  private readonly warmedAt = new Map<string, number>();

  constructor(options: AllocationRunnerOptions) {
    this.o = { batchSize: 500, pollMs: 1000, retryMs: 200, vacuumEveryMs: 5_000, ...options };
  }

  /** True while its listener is connected: notifications wake it at once (tests). */
  get listening(): boolean {
    return this.listener?.listening ?? false;
  }

  start(): void {
    this.listener = new AppendListener(
      this.o.databaseUrl,
      (orderRows) => {
        if (orderRows !== 0n) this.orderRowsDue = true; // undefined: a wake-up that does not say
        this.wake();
      },
      {
        channel: DEMAND_CHANNEL,
        applicationName: 'oms-allocation-listener',
        onError: (err) =>
          this.o.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'allocation listener lost'),
      },
    );
    this.listener.start();
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.wake();
    await this.running;
    await this.vacuuming;
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
      if (result === 'blocked') {
        // Another worker holds every partition with demand (or they are backing off): it will finish
        // them, but look again soon in case it died. Not at the next notification: during a sale they
        // come many times a second, and a worker answering each one would spin on a partition it
        // cannot take (about 75 tries a second), taking CPU from the one that holds it.
        await sleep(Math.min(50, this.o.pollMs), undefined, { signal: this.stopping.signal }).catch(() => {});
        continue;
      }
      await this.idle(seen, this.o.pollMs);
    }
  }

  /** Rows of cancelled or changed orders name no SKU: their SKUs are every one ever on the order. */
  private async expandOrders(): Promise<boolean> {
    if (!this.orderRowsDue && Date.now() - this.orderRowsLookedAt < this.o.pollMs) return false;
    // Cleared before the look: a notification arriving meanwhile sets it again.
    this.orderRowsDue = false;
    this.orderRowsLookedAt = Date.now();
    const rows = (await this.o
      .knex('allocation_demand')
      .where('sku', '')
      .orderBy('id')
      .limit(this.o.batchSize)
      .select('id', 'tenant', 'order_id', 'cause', 'correlation_id')
      .catch((err) => {
        this.orderRowsDue = true; // not looked after all
        throw err;
      })) as DemandRecord[];
    if (rows.length === 0) return false;
    this.orderRowsDue = true; // there may be more than one batch of them
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

  /**
   * One batch: the oldest demand rows across partitions. The partitions among them that no other
   * allocator holds are leased, decided and appended together, and their rows deleted; if another
   * allocator holds every one of them, look once more past those.
   */
  async pass(): Promise<PassResult> {
    const expanded = await this.expandOrders();
    const heldElsewhere: string[] = [];
    for (let look = 0; look < 2; look++) {
      const now = Date.now();
      const skip = [...heldElsewhere, ...[...this.backoff].filter(([, b]) => b.until > now).map(([k]) => k)];
      const found = await this.withLeases(skip, (_leased, rows) => this.decide(rows));
      if (found === 'worked') return 'worked';
      if (found === 'none') return expanded ? 'worked' : look === 0 && skip.length === 0 ? 'empty' : 'blocked';
      heldElsewhere.push(...found.heldElsewhere.map((p) => p.key));
      await this.keepWarm(found.heldElsewhere);
    }
    return 'blocked';
  }

  /**
   * While another allocator holds a partition, this one reads that partition's inventory streams
   * into its cache (a read needs no lease), at most once per WARM_EVERY_MS each. Otherwise its first
   * batch there would fold the whole stream while holding the lease (an event per reservation: on a
   * hot SKU, tens of thousands, seconds of folding) with orders queueing behind it. Best effort: a
   * failed read is left for the batch to make.
   */
  private async keepWarm(partitions: readonly (Partition & { key: string })[]): Promise<void> {
    const now = Date.now();
    const due = partitions.filter((p) => (this.warmedAt.get(p.key) ?? 0) + WARM_EVERY_MS <= now);
    if (due.length === 0) return;
    for (const p of due) this.warmedAt.set(p.key, now);
    if (this.warmedAt.size > 10_000) this.warmedAt.clear();
    const byTenant = new Map<string, string[]>();
    for (const p of due) byTenant.set(p.tenant, [...(byTenant.get(p.tenant) ?? []), p.sku]);
    try {
      const streams: string[] = [];
      for (const [tenant, skus] of byTenant) {
        const found = await this.o.locations.candidatesMany(
          tenant,
          skus.map((sku) => ({ sku, held: [] })),
          { all: true },
        );
        skus.forEach((sku, i) => {
          for (const location of found[i]!.locations) streams.push(inventoryStream(tenant, sku, location));
        });
      }
      await inventoryStates(this.o.store).loadMany(this.o.store, streams);
      this.warmed += streams.length;
    } catch (err) {
      this.o.logger.debug({ err }, 'allocation: warming the inventory cache failed');
    }
  }

  /**
   * Finds the partitions of the oldest demand rows (leaving out lease keys in `skip`), leases
   * whichever are free and reads their demand, in one statement (LEASE_SQL) on a connection held
   * meanwhile; runs `work` with them; then deletes the rows it decided and lets the leases go,
   * again in one statement. Round trips are what a busy machine makes a batch wait for.
   * 'none': no demand outside `skip`.
   */
  private async withLeases(
    skip: readonly string[],
    work: (leased: string[], rows: DemandRecord[]) => Promise<DemandRecord[]>,
  ): Promise<'worked' | 'none' | { heldElsewhere: (Partition & { key: string })[] }> {
    const client = await this.o.pool.connect();
    let broken: Error | undefined;
    // The lease's connection can die under it (Postgres restarting, an operator's terminate): the
    // leases are gone then, and the batch's expected revisions keep whatever it still writes honest.
    const lost = (err: Error) => {
      broken = err;
    };
    client.on('error', lost);
    try {
      const { rows: found } = await client.query<{ partitions: LeaseRow[]; demand: DemandRecord[] }>(LEASE_SQL, [
        skip,
        this.o.batchSize,
      ]);
      const { partitions, demand } = found[0]!;
      if (partitions.length === 0) return 'none';
      const leased = partitions.filter((r) => r.leased).map((r) => r.key);
      this.leaseRefusals += partitions.length - leased.length;
      if (leased.length === 0) return { heldElsewhere: partitions };
      const decided: DemandRecord[] = [];
      try {
        decided.push(...(await work(leased, demand)));
        for (const k of leased) this.backoff.delete(k);
      } catch (err) {
        // One partition's trouble must not hold up the others: decide them one by one, and only
        // the ones that fail alone wait.
        const failed = leased.length === 1 ? leased : [];
        if (leased.length > 1)
          for (const k of leased)
            await work(
              [k],
              demand.filter((r) => leaseKey(r) === k),
            ).then(
              (rows) => {
                decided.push(...rows);
                this.backoff.delete(k);
              },
              () => failed.push(k),
            );
        for (const k of failed) {
          const failures = (this.backoff.get(k)?.failures ?? 0) + 1;
          this.backoff.set(k, { until: Date.now() + Math.min(30_000, this.o.retryMs * 2 ** (failures - 1)), failures });
        }
        if (failed.length) {
          this.o.metrics?.allocationBatches.inc({ outcome: 'failed' });
          this.o.logger.error({ err, partitions: failed }, 'allocation batch failed');
        }
      } finally {
        // The leases go as the statement runs, a moment before its delete commits: an allocator
        // that takes a partition in that moment may read those rows and decide them again, which
        // changes nothing (a decision starts from what the streams hold).
        await client
          .query(
            `with decided as (delete from allocation_demand where id = any($1::bigint[]))
             select pg_advisory_unlock(hashtextextended(key, 0)) from unnest($2::text[]) as key`,
            [decided.map((r) => r.id), leased],
          )
          .then(
            () => this.decided(decided.length),
            (err) => {
              // Its rows are decided again later; a connection that cannot unlock is destroyed, which unlocks.
              broken = err as Error;
              this.o.logger.warn(
                { err: broken.message },
                'allocation: decided demand not deleted; it is decided again',
              );
            },
          );
      }
      return 'worked';
    } finally {
      client.off('error', lost);
      client.release(broken);
    }
  }

  /** After a batch's rows were deleted. */
  private decided(rows: number): void {
    if (rows === 0) return;
    this.batches++;
    this.o.metrics?.allocationBatches.inc({ outcome: 'decided' });
    this.o.metrics?.allocationDemand.inc(rows);
    this.vacuumIfDue();
  }

  /** After rows were deleted: starts a vacuum of the queue unless one ran within vacuumEveryMs (see the option). */
  private vacuumIfDue(): void {
    const now = Date.now();
    if (this.o.vacuumEveryMs <= 0 || this.vacuuming || now - this.vacuumedAt < this.o.vacuumEveryMs) return;
    this.vacuumedAt = now;
    // Not awaited: the batches go on meanwhile. SKIP_LOCKED: if another worker is vacuuming it, this one need not.
    this.vacuuming = this.o.pool
      .query('vacuum (skip_locked) allocation_demand')
      .then(
        () => {
          this.vacuums++;
        },
        (err: Error) => this.o.logger.warn({ err: err.message }, 'allocation: vacuum of the demand queue failed'),
      )
      .finally(() => {
        this.vacuuming = null;
      });
  }

  /** Decides the leased partitions' demand rows (read as they were leased); returns the rows decided. */
  private async decide(rows: readonly DemandRecord[]): Promise<DemandRecord[]> {
    if (rows.length === 0) return [];
    const work = new Map<string, PartitionWork & { orderIds: string[]; alsoTry: string[]; seen: Set<string> }>();
    const causes = new Map<string, { causationId: string | null; correlationId: string }>();
    for (const r of rows) {
      const key = leaseKey(r);
      const w = work.get(key) ?? { tenant: r.tenant, sku: r.sku, orderIds: [], alsoTry: [], seen: new Set<string>() };
      work.set(key, w);
      if (r.order_id && !w.seen.has(r.order_id)) {
        w.seen.add(r.order_id);
        w.orderIds.push(r.order_id);
      }
      if (r.location && !w.alsoTry.includes(r.location)) w.alsoTry.push(r.location);
      if (r.order_id && !causes.has(r.order_id))
        causes.set(r.order_id, { causationId: r.cause, correlationId: r.correlation_id ?? r.cause ?? 'allocation' });
    }
    await allocatePartitions(
      { store: this.o.store, locations: this.o.locations },
      {
        actor: ALLOCATOR_ACTOR,
        correlationId: `allocation-${randomUUID()}`,
        causationId: null,
        now: new Date().toISOString(),
      },
      [...work.values()],
      causes,
    );
    for (const w of work.values()) await this.o.afterAppend?.({ tenant: w.tenant, sku: w.sku });
    return [...rows];
  }
}

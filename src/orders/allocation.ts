// The allocation process manager, batched by partition: one SKU of one tenant, every location of
// it, and the orders whose demand for it may have changed. One decision over all of them
// (domain/inventory/batch.ts), then one multi-stream append: each inventory stream that moved and
// each order told what it now holds, every stream with the revision it was read at. On Postgres
// that append is one transaction, so the orders always agree with the inventory; on EventStoreDB a
// failure part-way is healed by running the partition again.
//
// It must be safe to run twice, concurrently, and to crash half-way: every run starts from what the
// streams hold ("truth"), demand is a target (an order holds quantity − cancelled − shipped), and a conflict
// on any stream (a cancel, a restock, another allocator) throws the decision away and decides again
// on what is now stored. The runner (allocation-runner.ts) keeps one allocator per partition at a
// time, so conflicts are the exception, not the traffic.
import { randomUUID } from 'node:crypto';
import { decidePartition, type Demand, type PartitionDecision } from '../../domain/inventory/batch.ts';
import type { InventoryState } from '../../domain/inventory/state.ts';
import { orderDecider } from '../../domain/orders/decider.ts';
import type { LineAllocation, OrderPlaced, OrderUpdated } from '../../domain/orders/events.ts';
import { holdsStock, isFullyReserved, unshippedOf, type OrderState } from '../../domain/orders/state.ts';
import { currentVersion } from '../../domain/upcasters.ts';
import type { CommandContext } from '../commands/context.ts';
import { foldRecorded } from '../commands/load.ts';
import type { CachedState } from '../commands/state-cache.ts';
import {
  WrongExpectedVersionError,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
  type StreamWrite,
} from '../eventstore/port.ts';
import type { Candidates, StockLocations } from '../locations/stock-locations.ts';
import { DEFAULT_LOCATION, inventoryStates, inventoryStream } from '../inventory/streams.ts';
import { loadOrder, orderStream } from './commands.ts';

export interface AllocationDeps {
  store: EventStore;
  /** Where a SKU's stock may be: the read model in production (readModelLocations), or the event log. */
  locations: StockLocations;
}

export type AllocationOutcome = 'confirmed' | 'backordered' | 'released' | 'skipped';

/** Every SKU that was ever on the order (a line removed by a change may still hold stock). */
export function skusEverOn(events: readonly RecordedEvent[]): Set<string> {
  const skus = new Set<string>();
  for (const e of events) {
    const lines =
      e.type === 'OrderPlaced'
        ? (e.data as OrderPlaced['data']).lines
        : e.type === 'OrderUpdated'
          ? (e.data as OrderUpdated['data']).changes.lines
          : undefined;
    for (const l of lines ?? []) skus.add(l.sku);
  }
  return skus;
}

interface LoadedOrder {
  state: OrderState;
  version: number;
}

/** What the order should hold of `sku` now, and where it would rather it came from. */
function demandOf(orderId: string, sku: string, order: OrderState): Demand {
  if (order.status === 'none' || order.status === 'cancelled')
    return { orderId, target: 0, releaseReason: 'order_cancelled' };
  const line = holdsStock(order.status) ? order.lines.find((l) => l.sku === sku) : undefined;
  return {
    orderId,
    target: line ? Math.max(0, unshippedOf(line)) : 0,
    releaseReason: 'lines_changed',
    ...(order.preferredLocations?.length ? { preferred: order.preferredLocations } : {}),
  };
}

/** Rounds of "read the wait-listed orders the stock reached, decide again" before giving up on a batch. */
const MAX_READ_ROUNDS = 5;
/** Attempts after a conflicting write before the caller (a job, the runner) is left to retry later. */
const MAX_ATTEMPTS = 10;

/** Orders of a batch, across tenants. */
class Orders {
  private readonly byKey = new Map<string, LoadedOrder>();
  private readonly store: EventStore;

  constructor(store: EventStore) {
    this.store = store;
  }

  get(tenant: string, id: string): LoadedOrder | undefined {
    return this.byKey.get(`${tenant}\u0000${id}`);
  }

  /** Reads the orders of every partition (one readStreams call per tenant). */
  async loadAll(work: readonly PartitionWork[]): Promise<void> {
    const byTenant = new Map<string, string[]>();
    for (const w of work) byTenant.set(w.tenant, [...(byTenant.get(w.tenant) ?? []), ...w.orderIds]);
    await Promise.all([...byTenant].map(([tenant, ids]) => this.load(tenant, ids)));
  }

  /** Reads the orders not read yet (one readStreams call). */
  async load(tenant: string, ids: Iterable<string>): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !this.byKey.has(`${tenant}\u0000${id}`));
    if (missing.length === 0) return;
    const read = await this.store.readStreams(missing.map((id) => ({ streamName: orderStream(tenant, id) })));
    missing.forEach((id, i) => {
      this.byKey.set(`${tenant}\u0000${id}`, { state: foldRecorded(orderDecider, read[i]!), version: read[i]!.length });
    });
  }
}

/** One partition's share of a batch: a tenant's SKU, and the orders whose demand for it may have changed. */
export interface PartitionWork {
  tenant: string;
  sku: string;
  /** In arrival order (FIFO). */
  orderIds: readonly string[];
  /** Locations with stock the (asynchronous) inventory read model may not show yet. */
  alsoTry?: readonly string[];
}

/** Per order, the event that made its demand: its events name it as their cause (the batch's are ctx's). */
export type Causes = ReadonlyMap<string, { causationId: string | null; correlationId: string }>;

type BatchContext = Omit<CommandContext, 'tenant'>;

interface Decided {
  work: PartitionWork;
  stock: { location: string; state: InventoryState; version: number }[];
  decision: PartitionDecision;
}

/** Where a partition's orders hold stock or would rather be served from, and where its demand rows point. */
function heldOf(w: PartitionWork, orders: Orders): string[] {
  const states = w.orderIds.map((id) => orders.get(w.tenant, id)!.state).filter((o) => o.status !== 'none');
  return [
    ...states.flatMap((o) => Object.keys(o.lines.find((l) => l.sku === w.sku)?.reserved ?? {})),
    ...(w.alsoTry ?? []),
    // Tried even if the read model shows no stock there yet.
    ...states.flatMap((o) => o.preferredLocations ?? []),
  ];
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Decides every partition of a batch on the state read now. The reads that need nothing from each
 * other run together: the orders, the candidate locations and the inventory streams as far as they
 * are known without the orders (the default location and those the demand rows name). Only a
 * partition whose orders hold or prefer other locations costs another read of each (in a flash
 * sale the orders are new: none). Then each partition is decided; wait-listed orders a decision
 * reached without having read them are read (one read) and their partitions decided again.
 */
async function decideAll(
  deps: AllocationDeps,
  work: readonly PartitionWork[],
  orders: Orders,
  now: string,
): Promise<Decided[]> {
  const cache = inventoryStates(deps.store);
  const locations = new Map<PartitionWork, Candidates>();
  const candidatesFor = (ws: readonly PartitionWork[], held: (w: PartitionWork) => string[]) => {
    const byTenant = new Map<string, PartitionWork[]>();
    for (const w of ws) byTenant.set(w.tenant, [...(byTenant.get(w.tenant) ?? []), w]); // few tenants per batch
    return Promise.all(
      [...byTenant].map(async ([tenant, group]) => {
        const found = await deps.locations.candidatesMany(
          tenant,
          group.map((w) => ({ sku: w.sku, held: held(w) })),
          { all: true },
        );
        for (const [i, w] of group.entries()) locations.set(w, found[i]!);
      }),
    );
  };
  const stock = new Map<string, CachedState<InventoryState>>();
  const loadStock = async (streams: readonly string[]) => {
    const missing = [...new Set(streams)].filter((s) => !stock.has(s));
    if (missing.length === 0) return;
    const loaded = await cache.loadMany(deps.store, missing);
    for (const [i, s] of missing.entries()) stock.set(s, loaded[i]!);
  };
  const streamsOf = (w: PartitionWork, codes: readonly string[]) =>
    codes.map((l) => inventoryStream(w.tenant, w.sku, l));

  const guessed = new Map(work.map((w) => [w, [...(w.alsoTry ?? [])]]));
  await Promise.all([
    orders.loadAll(work),
    candidatesFor(work, (w) => guessed.get(w)!),
    loadStock(work.flatMap((w) => streamsOf(w, [DEFAULT_LOCATION, ...guessed.get(w)!]))),
  ]);
  const again = work.filter((w) => !sameList(heldOf(w, orders), guessed.get(w)!));
  if (again.length) await candidatesFor(again, (w) => heldOf(w, orders));
  await loadStock(work.flatMap((w) => streamsOf(w, locations.get(w)!.locations)));
  const stockOf = new Map<PartitionWork, Decided['stock']>(
    work.map((w) => [
      w,
      locations.get(w)!.locations.map((location) => {
        const { state, version } = stock.get(inventoryStream(w.tenant, w.sku, location))!;
        return { location, state, version };
      }),
    ]),
  );

  const extra = new Map<PartitionWork, string[]>(work.map((w) => [w, []]));
  let open = [...work];
  const decided = new Map<PartitionWork, Decided>();
  for (let round = 1; round <= MAX_READ_ROUNDS && open.length > 0; round++) {
    const unknown = new Map<string, string[]>();
    for (const w of open) {
      const ids = [...new Set([...w.orderIds, ...extra.get(w)!])];
      const demands = ids.map((id) => demandOf(id, w.sku, orders.get(w.tenant, id)!.state));
      const decision = decidePartition(w.sku, stockOf.get(w)!, demands, now, {
        queueAt: DEFAULT_LOCATION,
        inactive: locations.get(w)!.inactive,
      });
      decided.set(w, { work: w, stock: stockOf.get(w)!, decision });
      if (decision.unknown.length) {
        extra.get(w)!.push(...decision.unknown);
        unknown.set(w.tenant, [...(unknown.get(w.tenant) ?? []), ...decision.unknown]);
      }
    }
    open = open.filter((w) => decided.get(w)!.decision.unknown.length > 0);
    await Promise.all([...unknown].map(([tenant, ids]) => orders.load(tenant, ids)));
  }
  if (open.length) throw new Error(`allocation of ${open[0]!.sku}: the wait list kept changing; the caller retries`);
  return work.map((w) => decided.get(w)!);
}

export interface BatchResult {
  /** Orders this run told what they hold (key: tenant NUL order id), by their status after it. */
  told: Map<string, string>;
  /** Events appended (all streams). */
  appended: number;
  attempts: number;
}

/**
 * Allocates partitions in one batch: each decided on its own (domain/inventory/batch.ts), all
 * appended as one multi-stream write. An order told by several partitions gets one command with
 * the news of each.
 */
export async function allocatePartitions(
  deps: AllocationDeps,
  ctx: BatchContext,
  work: readonly PartitionWork[],
  causes: Causes = new Map(),
): Promise<BatchResult> {
  const { store } = deps;
  const cache = inventoryStates(store);
  for (let attempt = 1; ; attempt++) {
    const orders = new Orders(store);
    const decided = await decideAll(deps, work, orders, ctx.now);

    const toNew = (tenant: string, e: { type: string; data: unknown }, orderId?: string): NewEvent => {
      const cause = causes.get(orderId ?? (e.data as { orderId?: string }).orderId ?? '');
      return {
        id: randomUUID(),
        type: e.type,
        data: e.data,
        metadata: {
          tenant,
          actor: ctx.actor,
          correlationId: cause?.correlationId ?? ctx.correlationId,
          causationId: cause ? cause.causationId : ctx.causationId,
          schemaVersion: currentVersion(e.type),
        },
      };
    };
    const writes: StreamWrite[] = [];
    const inventoryWrites = new Map<string, { state: InventoryState }>();
    const tells = new Map<string, { tenant: string; orderId: string; allocations: LineAllocation[] }>();
    for (const { work: w, stock, decision } of decided) {
      for (const s of stock) {
        const events = decision.events.get(s.location);
        if (!events?.length) continue;
        const streamName = inventoryStream(w.tenant, w.sku, s.location);
        inventoryWrites.set(streamName, { state: decision.states.get(s.location)! });
        writes.push({
          streamName,
          events: events.map((e) => toNew(w.tenant, e)),
          expectedRevision: s.version === 0 ? 'no_stream' : s.version - 1,
        });
      }
      for (const [orderId, holding] of decision.holdings) {
        const order = orders.get(w.tenant, orderId)?.state;
        if (!order || order.status === 'none' || !holdsStock(order.status)) continue;
        const line = order.lines.find((l) => l.sku === w.sku);
        if (!line) continue;
        // Every location it holds now or thought it held; at least one entry, so the SKU counts as reported.
        const allocations = [...holding.reserved]
          .filter(([location, reserved]) => reserved > 0 || location in line.reserved)
          .map(([location, reserved]) => ({ sku: w.sku, location, reserved }));
        if (allocations.length === 0) allocations.push({ sku: w.sku, location: stock[0]!.location, reserved: 0 });
        const key = `${w.tenant}\u0000${orderId}`;
        const tell = tells.get(key) ?? { tenant: w.tenant, orderId, allocations: [] };
        tell.allocations.push(...allocations);
        tells.set(key, tell);
      }
    }
    const told = new Map<string, string>();
    for (const [key, { tenant, orderId, allocations }] of tells) {
      const order = orders.get(tenant, orderId)!;
      const events = orderDecider.decide(
        { type: 'RecordAllocation', data: { allocations, roundComplete: true, now: ctx.now } },
        order.state,
      );
      if (events.length === 0) continue;
      told.set(key, events.reduce(orderDecider.evolve, order.state).status);
      writes.push({
        streamName: orderStream(tenant, orderId),
        events: events.map((e) => toNew(tenant, e, orderId)),
        expectedRevision: order.version - 1,
      });
    }
    if (writes.length === 0) return { told, appended: 0, attempts: attempt };
    try {
      const results = await store.appendToStreams(writes);
      writes.forEach((w, i) => {
        const written = inventoryWrites.get(w.streamName);
        if (written)
          cache.remember(w.streamName, {
            state: written.state,
            version: results[i]!.nextExpectedRevision + 1,
            position: results[i]!.position,
          });
      });
      return { told, appended: writes.reduce((n, w) => n + w.events.length, 0), attempts: attempt };
    } catch (err) {
      if (!(err instanceof WrongExpectedVersionError) || attempt >= MAX_ATTEMPTS) throw err;
      // Someone else wrote one of these streams: decide again on what is stored now.
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 ** attempt)));
    }
  }
}

/** One partition on its own (see allocatePartitions). */
export function allocatePartition(
  deps: AllocationDeps,
  ctx: CommandContext,
  sku: string,
  orderIds: readonly string[],
  alsoTry: readonly string[] = [],
): Promise<BatchResult> {
  return allocatePartitions(deps, ctx, [{ tenant: ctx.tenant, sku, orderIds, alsoTry }]);
}

/**
 * Allocates one order: each SKU ever on it, as a partition of one. Used where a single order is
 * worth doing at once (tests, repair); the runner batches instead.
 */
export async function allocateOrder(
  deps: AllocationDeps,
  ctx: CommandContext,
  orderId: string,
  alsoTry: readonly string[] = [],
): Promise<AllocationOutcome> {
  const { events, state } = await loadOrder(deps.store, ctx.tenant, orderId);
  if (state.status === 'none') return 'skipped';
  for (const sku of skusEverOn(events)) await allocatePartition(deps, ctx, sku, [orderId], alsoTry);
  const { state: now } = await loadOrder(deps.store, ctx.tenant, orderId);
  if (now.status === 'none') return 'skipped';
  if (now.status === 'cancelled') return 'released';
  if (!holdsStock(now.status)) return 'skipped';
  return isFullyReserved(now) ? 'confirmed' : 'backordered';
}

/** After stock became available for a SKU: serve its wait list, oldest first. Returns the orders confirmed. */
export async function drainBackorders(
  deps: AllocationDeps,
  ctx: CommandContext,
  sku: string,
  location: string,
): Promise<number> {
  const { told } = await allocatePartition(deps, ctx, sku, [], [location]);
  return [...told.values()].filter((s) => s === 'confirmed').length;
}

// The allocation process manager, batched by partition: one SKU of one tenant, every location of
// it, and the orders whose demand for it may have changed. One decision over all of them
// (domain/inventory/batch.ts), then one multi-stream append: each inventory stream that moved and
// each order told what it now holds, every stream with the revision it was read at. On Postgres
// that append is one transaction, so the orders always agree with the inventory; on EventStoreDB a
// failure part-way is healed by running the partition again.
//
// It must be safe to run twice, concurrently, and to crash half-way: every run starts from what the
// streams hold ("truth"), demand is a target (an order holds quantity − shipped), and a conflict
// on any stream (a cancel, a restock, another allocator) throws the decision away and decides again
// on what is now stored. The runner (allocation-runner.ts) keeps one allocator per partition at a
// time, so conflicts are the exception, not the traffic.
import { randomUUID } from 'node:crypto';
import { decidePartition, type Demand } from '../../domain/inventory/batch.ts';
import type { InventoryState } from '../../domain/inventory/state.ts';
import { orderDecider } from '../../domain/orders/decider.ts';
import type { OrderPlaced, OrderUpdated } from '../../domain/orders/events.ts';
import { holdsStock, isFullyReserved, shippedOf, type OrderState } from '../../domain/orders/state.ts';
import { currentVersion } from '../../domain/upcasters.ts';
import type { CommandContext } from '../commands/context.ts';
import { foldRecorded } from '../commands/load.ts';
import {
  WrongExpectedVersionError,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
  type StreamWrite,
} from '../eventstore/port.ts';
import type { StockLocations } from '../inventory/locations.ts';
import { inventoryStates, inventoryStream } from '../inventory/streams.ts';
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

/** What the order should hold of `sku` now. */
function demandOf(orderId: string, sku: string, order: OrderState): Demand {
  if (order.status === 'none' || order.status === 'cancelled')
    return { orderId, target: 0, releaseReason: 'order_cancelled' };
  const line = holdsStock(order.status) ? order.lines.find((l) => l.sku === sku) : undefined;
  return { orderId, target: line ? Math.max(0, line.quantity - shippedOf(line)) : 0, releaseReason: 'lines_changed' };
}

/** Rounds of "read the wait-listed orders the stock reached, decide again" before giving up on a batch. */
const MAX_READ_ROUNDS = 5;
/** Attempts after a conflicting write before the caller (a job, the runner) is left to retry later. */
const MAX_ATTEMPTS = 10;

async function loadOrders(store: EventStore, tenant: string, ids: readonly string[], into: Map<string, LoadedOrder>) {
  await Promise.all(
    ids.map(async (id) => {
      const events = await store.readStream(orderStream(tenant, id));
      into.set(id, { state: foldRecorded(orderDecider, events), version: events.length });
    }),
  );
}

export interface PartitionResult {
  /** Orders this run told what they hold, by their status after it. */
  told: Map<string, string>;
  /** Events appended (all streams). */
  appended: number;
  attempts: number;
}

/**
 * Allocates one partition: the orders named (in arrival order: FIFO), and the SKU's wait list.
 * `alsoTry` names locations that have stock the (asynchronous) read model may not show yet.
 */
export async function allocatePartition(
  deps: AllocationDeps,
  ctx: CommandContext,
  sku: string,
  orderIds: readonly string[],
  alsoTry: readonly string[] = [],
  /** Per order, the event that made its demand: its events name it as their cause (the batch's are ctx's). */
  causes: ReadonlyMap<string, { causationId: string | null; correlationId: string }> = new Map(),
): Promise<PartitionResult> {
  const { store } = deps;
  const cache = inventoryStates(store);
  const ids = [...new Set(orderIds)];
  for (let attempt = 1; ; attempt++) {
    const orders = new Map<string, LoadedOrder>();
    await loadOrders(store, ctx.tenant, ids, orders);
    let decision: ReturnType<typeof decidePartition> | null = null;
    let stock: { location: string; state: InventoryState; version: number }[] = [];
    for (let round = 1; round <= MAX_READ_ROUNDS; round++) {
      const held = [...orders.values()].flatMap((o) =>
        o.state.status === 'none' ? [] : Object.keys(o.state.lines.find((l) => l.sku === sku)?.reserved ?? {}),
      );
      const locations = await deps.locations.candidates(ctx.tenant, sku, [...held, ...alsoTry], { all: true });
      stock = await Promise.all(
        locations.map(async (location) => {
          const { state, version } = await cache.load(store, inventoryStream(ctx.tenant, sku, location));
          return { location, state, version };
        }),
      );
      const demands = ids.map((id) => demandOf(id, sku, orders.get(id)!.state));
      for (const [id, o] of orders) if (!ids.includes(id)) demands.push(demandOf(id, sku, o.state));
      decision = decidePartition(sku, stock, demands, ctx.now);
      if (decision.unknown.length === 0) break;
      await loadOrders(store, ctx.tenant, decision.unknown, orders);
      decision = null;
    }
    if (!decision) throw new Error(`allocation of ${sku}: the wait list kept changing; the caller retries`);

    const writes: StreamWrite[] = [];
    const metadata = {
      tenant: ctx.tenant,
      actor: ctx.actor,
      correlationId: ctx.correlationId,
      causationId: ctx.causationId,
    };
    const toNew = (
      e: { type: string; data: unknown },
      orderId = (e.data as { orderId?: string }).orderId,
    ): NewEvent => {
      return {
        id: randomUUID(),
        type: e.type,
        data: e.data,
        metadata: { ...metadata, ...(orderId && causes.get(orderId)), schemaVersion: currentVersion(e.type) },
      };
    };
    for (const s of stock) {
      const events = decision.events.get(s.location);
      if (events?.length)
        writes.push({
          streamName: inventoryStream(ctx.tenant, sku, s.location),
          events: events.map((e) => toNew(e)),
          expectedRevision: s.version === 0 ? 'no_stream' : s.version - 1,
        });
    }
    const told = new Map<string, string>();
    for (const [orderId, holding] of decision.holdings) {
      const order = orders.get(orderId);
      if (!order || order.state.status === 'none' || !holdsStock(order.state.status)) continue;
      const line = order.state.lines.find((l) => l.sku === sku);
      if (!line) continue;
      // Every location it holds now or thought it held; at least one entry, so the SKU counts as reported.
      const allocations = [...holding.reserved]
        .filter(([location, reserved]) => reserved > 0 || location in line.reserved)
        .map(([location, reserved]) => ({ sku, location, reserved }));
      if (allocations.length === 0) allocations.push({ sku, location: stock[0]!.location, reserved: 0 });
      const events = orderDecider.decide(
        { type: 'RecordAllocation', data: { allocations, roundComplete: true, now: ctx.now } },
        order.state,
      );
      if (events.length === 0) continue;
      const after = events.reduce(orderDecider.evolve, order.state);
      told.set(orderId, after.status);
      writes.push({
        streamName: orderStream(ctx.tenant, orderId),
        events: events.map((e) => toNew(e, orderId)),
        expectedRevision: order.version - 1,
      });
    }
    if (writes.length === 0) return { told, appended: 0, attempts: attempt };
    try {
      const results = await store.appendToStreams(writes);
      writes.forEach((w, i) => {
        const s = stock.find((x) => inventoryStream(ctx.tenant, sku, x.location) === w.streamName);
        if (s)
          cache.remember(w.streamName, {
            state: decision.states.get(s.location)!,
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

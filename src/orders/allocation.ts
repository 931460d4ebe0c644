// The allocation process manager: makes the inventory hold what each order needs and tells the
// order what it holds. It runs inside BullMQ jobs, so it must be safe to run twice, to run
// concurrently for the same order, and to crash half-way and run again:
// - it never trusts the order's own view of its reservations: every step starts from what the
//   inventory streams hold for the order ("truth") and appends with their expected revision;
// - reservations are topped up to a target, so a retried step finds the target met and does nothing;
// - the order is then told the absolute truth (RecordAllocation), so a crash between the two
//   appends is healed by the retry, and an order that was cancelled meanwhile gets it all back.
import { inventoryDecider } from '../../domain/inventory/decider.ts';
import type { InventoryCommand, ReleaseReservation } from '../../domain/inventory/commands.ts';
import { reservedFor, unitsOrderMayTake } from '../../domain/inventory/level.ts';
import { orderDecider } from '../../domain/orders/decider.ts';
import type { LineAllocation, OrderPlaced, OrderUpdated } from '../../domain/orders/events.ts';
import { holdsStock, isFullyReserved, shippedOf, type PlacedOrder } from '../../domain/orders/state.ts';
import { DomainError } from '../../domain/shared/errors.ts';
import type { CommandContext } from '../commands/context.ts';
import { handleCommand } from '../commands/handle.ts';
import type { EventStore, RecordedEvent } from '../eventstore/port.ts';
import type { StockLocations } from '../inventory/locations.ts';
import { DEFAULT_LOCATION, inventoryStates, inventoryStream, loadInventory } from '../inventory/streams.ts';
import { loadOrder, orderStream } from './commands.ts';

export interface AllocationDeps {
  store: EventStore;
  /** Where a SKU's stock may be: the read model in production (readModelLocations), or the event log. */
  locations: StockLocations;
}

function inventoryCommand(
  deps: AllocationDeps,
  ctx: CommandContext,
  sku: string,
  location: string,
  command: (state: ReturnType<typeof inventoryDecider.initialState>) => InventoryCommand | null,
) {
  return handleCommand({
    store: deps.store,
    stream: inventoryStream(ctx.tenant, sku, location),
    decider: inventoryDecider,
    cache: inventoryStates(deps.store),
    ctx,
    command,
  });
}

/** Reservation held for the order per location (truth from the inventory streams). */
async function heldByLocation(deps: AllocationDeps, tenant: string, orderId: string, sku: string, locations: string[]) {
  const held = new Map<string, number>();
  for (const location of locations) {
    const { state } = await loadInventory(deps.store, tenant, sku, location);
    held.set(location, reservedFor(state, orderId));
  }
  return held;
}

/** Gives back everything the order holds for a SKU at these locations (and takes it off the wait list). */
export async function releaseAll(
  deps: AllocationDeps,
  ctx: CommandContext,
  orderId: string,
  sku: string,
  locations: string[],
  reason: ReleaseReservation['data']['reason'],
): Promise<void> {
  for (const location of locations) {
    await inventoryCommand(deps, ctx, sku, location, (s) =>
      reservedFor(s, orderId) > 0 || s.waitList.some((b) => b.orderId === orderId)
        ? { type: 'ReleaseReservation', data: { sku, location, orderId, reason, now: ctx.now } }
        : null,
    );
  }
}

/** Every SKU that was ever on the order (a line removed by a change may still hold stock). */
function skusEverOn(events: readonly RecordedEvent[]): Set<string> {
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

async function releaseSkus(
  deps: AllocationDeps,
  ctx: CommandContext,
  order: PlacedOrder,
  skus: Iterable<string>,
  reason: 'order_cancelled' | 'lines_changed',
) {
  for (const sku of skus) {
    const held = order.lines.find((l) => l.sku === sku)?.reserved ?? {};
    const locations = await deps.locations.candidates(ctx.tenant, sku, Object.keys(held), { all: true });
    await releaseAll(deps, ctx, order.orderId, sku, locations, reason);
  }
}

export type AllocationOutcome = 'confirmed' | 'backordered' | 'released' | 'skipped';

/**
 * One allocation round for an order. Safe to repeat at any time. `alsoTry` names locations known to
 * have stock that the (asynchronous) inventory read model may not show yet, e.g. the location of
 * the restock that triggered a drain.
 */
export async function allocateOrder(
  deps: AllocationDeps,
  ctx: CommandContext,
  orderId: string,
  alsoTry: readonly string[] = [],
  round = 1,
): Promise<AllocationOutcome> {
  const { state, events } = await loadOrder(deps.store, ctx.tenant, orderId);
  if (state.status === 'none') return 'skipped';
  const everSkus = skusEverOn(events);
  if (state.status === 'cancelled') {
    await releaseSkus(deps, ctx, state, everSkus, 'order_cancelled');
    return 'released';
  }
  if (!holdsStock(state.status)) return 'skipped';
  // Lines removed by a change give back what they held.
  await releaseSkus(
    deps,
    ctx,
    state,
    [...everSkus].filter((sku) => !state.lines.some((l) => l.sku === sku)),
    'lines_changed',
  );

  const allocations: LineAllocation[] = [];
  const shortBySku = new Map<string, number>();
  for (const line of state.lines) {
    const locations = await deps.locations.candidates(ctx.tenant, line.sku, [
      ...Object.keys(line.reserved),
      ...alsoTry,
    ]);
    const held = await heldByLocation(deps, ctx.tenant, orderId, line.sku, locations);
    const wanted = line.quantity - shippedOf(line);
    let total = [...held.values()].reduce((a, b) => a + b, 0);

    // Too much held (fewer units after a change, or two rounds racing): give back the newest first.
    for (const location of [...locations].reverse()) {
      if (total <= wanted) break;
      const excess = Math.min(total - wanted, held.get(location) ?? 0);
      if (excess <= 0) continue;
      await inventoryCommand(deps, ctx, line.sku, location, (s) => {
        const q = Math.min(excess, reservedFor(s, orderId));
        return q > 0
          ? {
              type: 'ReleaseReservation',
              data: { sku: line.sku, location, orderId, quantity: q, reason: 'lines_changed', now: ctx.now },
            }
          : null;
      });
      total -= excess;
      held.set(location, (held.get(location) ?? 0) - excess);
    }

    // Top up, location by location, to a target (FIFO decides how much each location grants).
    for (const location of locations) {
      const need = wanted - total;
      if (need <= 0) break;
      const target = (held.get(location) ?? 0) + need;
      const res = await inventoryCommand(deps, ctx, line.sku, location, (s) => {
        const q = target - reservedFor(s, orderId);
        return q > 0
          ? { type: 'ReserveStock', data: { sku: line.sku, location, orderId, quantity: q, now: ctx.now } }
          : null;
      });
      const now = reservedFor(res.state, orderId);
      total += now - (held.get(location) ?? 0);
      held.set(location, now);
    }
    for (const [location, reserved] of held) allocations.push({ sku: line.sku, location, reserved });
    if (total < wanted) shortBySku.set(line.sku, wanted - total);
  }

  // Tell the order what it holds. A cancel that won the race gets everything back.
  let outcome: AllocationOutcome;
  try {
    const res = await handleCommand({
      store: deps.store,
      stream: orderStream(ctx.tenant, orderId),
      decider: orderDecider,
      ctx,
      command: { type: 'RecordAllocation', data: { allocations, roundComplete: true, now: ctx.now } },
    });
    if (res.state.status === 'none' || !['confirmed', 'backordered', 'partially_shipped'].includes(res.state.status))
      return 'skipped';
    outcome = isFullyReserved(res.state) ? 'confirmed' : 'backordered';
  } catch (err) {
    if (err instanceof DomainError && err.code === 'order_already_cancelled') {
      const { state: now } = await loadOrder(deps.store, ctx.tenant, orderId);
      if (now.status !== 'none') await releaseSkus(deps, ctx, now, everSkus, 'order_cancelled');
      return 'released';
    }
    throw err;
  }

  // What the order was just told was read before it was told: another round may have told it
  // newer news meanwhile (a stock count took units away, and that round finished first). Read
  // again; if the inventory moved, tell the order again. The last round to tell it checks after
  // telling, and any later move of the inventory runs a round of its own.
  if (await inventoryMoved(deps, ctx.tenant, orderId, allocations)) {
    if (round >= MAX_ROUNDS) throw new Error(`allocation of ${orderId}: the inventory kept moving; the job retries`);
    return allocateOrder(deps, ctx, orderId, alsoTry, round + 1);
  }

  // Short lines wait in the default location's FIFO queue; satisfied lines leave it.
  let openNow = false;
  for (const line of state.lines) {
    const short = shortBySku.get(line.sku) ?? 0;
    const res = await inventoryCommand(deps, ctx, line.sku, DEFAULT_LOCATION, (s) => {
      const queued = s.waitList.find((b) => b.orderId === orderId);
      if (short > 0)
        return queued?.quantity === short
          ? null
          : {
              type: 'QueueBackorder',
              data: { sku: line.sku, location: DEFAULT_LOCATION, orderId, quantity: short, now: ctx.now },
            };
      return queued
        ? {
            type: 'DequeueBackorder',
            data: { sku: line.sku, location: DEFAULT_LOCATION, orderId, reason: 'allocated_elsewhere', now: ctx.now },
          }
        : null;
    });
    if (short > 0 && unitsOrderMayTake(res.state, orderId) > 0) openNow = true;
  }
  // Stock arrived while this round ran (its drain may have read the queue before we joined it):
  // go again rather than wait for the next restock.
  if (openNow && round < 3) return allocateOrder(deps, ctx, orderId, alsoTry, round + 1);
  return outcome;
}

/** Rounds one allocation may run before it gives up and lets its job retry later. */
const MAX_ROUNDS = 5;

/** Whether the inventory holds, for the order, other than what `allocations` says. */
async function inventoryMoved(
  deps: AllocationDeps,
  tenant: string,
  orderId: string,
  allocations: readonly LineAllocation[],
): Promise<boolean> {
  for (const a of allocations) {
    const { state } = await loadInventory(deps.store, tenant, a.sku, a.location);
    if (reservedFor(state, orderId) !== a.reserved) return true;
  }
  return false;
}

/** After stock became available for a SKU: offer it to the waiting orders, oldest first. */
export async function drainBackorders(
  deps: AllocationDeps,
  ctx: CommandContext,
  sku: string,
  location: string,
  max = 200,
): Promise<number> {
  const { state } = await loadInventory(deps.store, ctx.tenant, sku, DEFAULT_LOCATION);
  let confirmed = 0;
  for (const waiting of state.waitList.slice(0, max)) {
    if ((await allocateOrder(deps, ctx, waiting.orderId, [location])) === 'confirmed') confirmed++;
  }
  return confirmed;
}

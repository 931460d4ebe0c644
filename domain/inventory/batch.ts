// One allocation decision for a partition: every location of one SKU (of one tenant) and the orders
// whose demand for it may have changed. It is made on the folded states of those streams and
// runs the inventory's own commands one after the other on them, so every rule of a single
// reservation (FIFO through the wait list, Σ reserved ≤ onHand, the wait-list bookkeeping) holds
// for the batch as it does for one order. The caller appends all of it at once.
import type { InventoryCommand } from './commands.ts';
import { decideInventory } from './decide.ts';
import type { InventoryEvent } from './events.ts';
import { evolveInventory } from './evolve.ts';
import { reservedFor, unitsOrderMayTake } from './level.ts';
import type { InventoryState } from './state.ts';

/** What one order should hold of the partition's SKU now. */
export interface Demand {
  orderId: string;
  /** quantity − cancelled − shipped of its line; 0 when it wants none (cancelled, line removed, no longer holding stock). */
  target: number;
  /** How units it gives back are labelled. */
  releaseReason: 'order_cancelled' | 'lines_changed';
  /** Locations the order asked to be served from first, in its order (POST /v1/orders preferredLocations). */
  preferred?: readonly string[];
}

/** Where the partition may draw from. */
export interface DrawRules {
  /** The location that keeps the wait list (default: the first of `stock`). */
  queueAt?: string;
  /** Locations never drawn from (inactive): they only give back what they hold. */
  inactive?: readonly string[];
}

export interface StockAt {
  location: string;
  state: InventoryState;
}

export interface PartitionDecision {
  /** New events per location, in decision order (locations without events are absent). */
  events: Map<string, InventoryEvent[]>;
  /** Every location's state after its events. */
  states: Map<string, InventoryState>;
  /** Per order decided or served: units held per location (every location of the partition), and units short. */
  holdings: Map<string, { reserved: Map<string, number>; short: number }>;
  /**
   * Wait-listed orders the stock reached that were not among the demands. The decision assumed each
   * still wants what its entry says; the caller reads those orders and decides again.
   */
  unknown: string[];
}

/**
 * `stock` is in the order locations are tried (the caller orders them: priority, then the rest);
 * `rules.queueAt` keeps the wait list (the default location), `rules.inactive` are never drawn
 * from. An order's `preferred` locations are tried before the others. `demands` are in arrival
 * order. First every order gives back what it no longer needs (last location first), then the
 * wait list is served in its order, then the other demands in theirs: an order short after that
 * joins (or stays in) the wait list with what it lacks.
 */
export function decidePartition(
  sku: string,
  stock: readonly StockAt[],
  demands: readonly Demand[],
  now: string,
  rules: DrawRules = {},
): PartitionDecision {
  const states = new Map(stock.map((s) => [s.location, s.state]));
  const events = new Map<string, InventoryEvent[]>();
  const locations = stock.map((s) => s.location);
  const queueAt = rules.queueAt ?? locations[0]!;
  const drawable = locations.filter((l) => !rules.inactive?.includes(l));
  const run = (location: string, command: InventoryCommand) => {
    let state = states.get(location)!;
    const decided = decideInventory(command, state);
    for (const e of decided) state = evolveInventory(state, e);
    states.set(location, state);
    if (decided.length) events.set(location, [...(events.get(location) ?? []), ...decided]);
  };
  const heldAt = (orderId: string, location: string) => reservedFor(states.get(location)!, orderId);
  const held = (orderId: string) => locations.reduce((n, l) => n + heldAt(orderId, l), 0);
  const queued = (orderId: string) => states.get(queueAt)!.waitList.find((b) => b.orderId === orderId);
  const at = (location: string) => ({ sku, location, now });

  // 1. Give back: what a cancelled or changed order no longer needs becomes available first.
  for (const d of demands) {
    let excess = held(d.orderId) - d.target;
    if (d.target === 0) {
      for (const location of locations)
        if (heldAt(d.orderId, location) > 0 || (location === queueAt && queued(d.orderId)))
          run(location, {
            type: 'ReleaseReservation',
            data: { ...at(location), orderId: d.orderId, reason: d.releaseReason },
          });
      continue;
    }
    for (const location of [...locations].reverse()) {
      if (excess <= 0) break;
      const quantity = Math.min(excess, heldAt(d.orderId, location));
      if (quantity <= 0) continue;
      run(location, {
        type: 'ReleaseReservation',
        data: { ...at(location), orderId: d.orderId, quantity, reason: 'lines_changed' },
      });
      excess -= quantity;
    }
  }

  // 2. Serve: the wait list in its order, then the rest in arrival order.
  const byId = new Map(demands.map((d) => [d.orderId, d]));
  const waiting = states.get(queueAt)!.waitList.map((b) => ({ orderId: b.orderId, quantity: b.quantity }));
  const waitingIds = new Map(waiting.map((b) => [b.orderId, b.quantity]));
  const queue = [
    ...waitingIds.keys(),
    ...demands.filter((d) => d.target > 0 && !waitingIds.has(d.orderId)).map((d) => d.orderId),
  ];
  const available = () => drawable.some((l) => states.get(l)!.onHand > states.get(l)!.reserved);
  const drawOrder = (orderId: string) => {
    const preferred = (byId.get(orderId)?.preferred ?? []).filter((l) => drawable.includes(l));
    return [...new Set([...preferred, ...drawable])];
  };
  const unknown: string[] = [];
  const served: string[] = [];
  for (const orderId of queue) {
    let target = byId.get(orderId)?.target;
    if (target === undefined) {
      // Not read: only worth reading if the stock reaches it at all (a sold-out SKU's long wait
      // list costs nothing per batch).
      if (!available() || !drawable.some((l) => unitsOrderMayTake(states.get(l)!, orderId) > 0)) continue;
      unknown.push(orderId);
      target = held(orderId) + (waitingIds.get(orderId) ?? 0);
    }
    if (target === 0) continue;
    let total = held(orderId);
    for (const location of drawOrder(orderId)) {
      const need = target - total;
      if (need <= 0) break;
      run(location, { type: 'ReserveStock', data: { ...at(location), orderId, quantity: need } });
      total = held(orderId);
    }
    const short = target - total;
    if (short > 0) run(queueAt, { type: 'QueueBackorder', data: { ...at(queueAt), orderId, quantity: short } });
    else if (queued(orderId))
      run(queueAt, { type: 'DequeueBackorder', data: { ...at(queueAt), orderId, reason: 'allocated_elsewhere' } });
    served.push(orderId);
  }

  const holdings = new Map<string, { reserved: Map<string, number>; short: number }>();
  for (const orderId of new Set([...demands.map((d) => d.orderId), ...served])) {
    const target = byId.get(orderId)?.target ?? 0;
    const total = held(orderId);
    holdings.set(orderId, {
      reserved: new Map(locations.map((l) => [l, heldAt(orderId, l)])),
      short: Math.max(0, target - total),
    });
  }
  return { events, states, holdings, unknown };
}

import type { OrderCommand } from './commands.ts';
import {
  duplicateLineSku,
  orderAlreadyCancelled,
  orderAlreadyExists,
  orderFullyShipped,
  orderNotEditable,
  orderNotFound,
  quantityExceedsUnshipped,
  quantityExceedsUnshippedToCancel,
  shipmentNotFound,
  unknownLineSku,
} from './errors.ts';
import { assertOrderLines, assertQuantity } from '../shared/limits.ts';
import type { OrderEvent, OrderLineInput, Release, ShipmentLine } from './events.ts';
import { evolveOrder } from './evolve.ts';
import {
  dueOf,
  hasShipped,
  holdsStock,
  isFullyReserved,
  isFullyShipped,
  reservedOf,
  shippedOf,
  type LineState,
  type OrderState,
  type PlacedOrder,
  unshippedOf,
} from './state.ts';

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function assertUniqueSkus(lines: readonly { sku: string }[]): void {
  const seen = new Set<string>();
  for (const l of lines) {
    if (seen.has(l.sku)) throw duplicateLineSku(l.sku);
    seen.add(l.sku);
  }
}

function placed(state: OrderState, orderId = ''): PlacedOrder {
  if (state.status === 'none') throw orderNotFound(orderId);
  return state;
}

/** Reservations a line no longer needs when it shrinks to `keep` units (latest locations give back first). */
function excessOf(line: LineState, keep: number): Release[] {
  let excess = reservedOf(line) - Math.max(0, keep - shippedOf(line));
  const out: Release[] = [];
  for (const [location, held] of Object.entries(line.reserved).reverse()) {
    if (excess <= 0) break;
    const quantity = Math.min(held, excess);
    excess -= quantity;
    out.push({ sku: line.sku, location, quantity });
  }
  return out;
}

/** Every unit not shipped yet, per line. */
const everyUnshipped = (o: PlacedOrder): ShipmentLine[] =>
  o.lines.filter((l) => unshippedOf(l) > 0).map((l) => ({ sku: l.sku, quantity: unshippedOf(l) }));

/** The lines a cancel names, each within what is unshipped of its line. */
function checkedCancels(o: PlacedOrder, lines: readonly ShipmentLine[]): ShipmentLine[] {
  if (o.lines.every((l) => unshippedOf(l) === 0)) return [];
  assertUniqueSkus(lines);
  for (const x of lines) {
    assertQuantity('quantity', x.quantity);
    const line = o.lines.find((l) => l.sku === x.sku);
    if (!line) throw unknownLineSku(x.sku);
    if (x.quantity > unshippedOf(line)) throw quantityExceedsUnshippedToCancel(x.sku, unshippedOf(line), x.quantity);
  }
  return lines.map(({ sku, quantity }) => ({ sku, quantity }));
}

export function decideOrder(command: OrderCommand, state: OrderState): OrderEvent[] {
  switch (command.type) {
    case 'PlaceOrder': {
      if (state.status !== 'none') throw orderAlreadyExists(command.data.orderId);
      assertUniqueSkus(command.data.lines);
      assertOrderLines(command.data.lines);
      const { now, ...d } = command.data;
      return [{ type: 'OrderPlaced', data: { ...d, placedAt: now } }];
    }

    case 'RecordAllocation': {
      const o = placed(state);
      if (o.status === 'cancelled') throw orderAlreadyCancelled();
      if (!holdsStock(o.status)) return [];
      const { allocations, roundComplete, now } = command.data;
      const events: OrderEvent[] = [];
      const changed = allocations.filter((a) => {
        const line = o.lines.find((l) => l.sku === a.sku);
        return line && (line.reserved[a.location] ?? 0) !== a.reserved;
      });
      if (changed.length)
        events.push({ type: 'OrderAllocationRecorded', data: { allocations: changed, occurredAt: now } });
      const after = events.reduce(evolveOrder, o as OrderState) as PlacedOrder;
      // Once goods left, the status follows the shipments, not the reservations.
      if (hasShipped(after)) return events;
      if (isFullyReserved(after)) {
        if (after.status !== 'confirmed') events.push({ type: 'OrderConfirmed', data: { occurredAt: now } });
      } else if (roundComplete && after.status !== 'backordered') {
        // Allocation reports one SKU at a time (one partition each): a line it has not reported yet
        // is still undecided, so only a short line it reported makes the order backordered.
        const reported = new Set(allocations.map((a) => a.sku));
        const shortages = after.lines
          .filter((l) => reported.has(l.sku))
          .map((l) => ({ sku: l.sku, quantity: dueOf(l) - reservedOf(l) - shippedOf(l) }))
          .filter((s) => s.quantity > 0);
        if (shortages.length) events.push({ type: 'OrderBackordered', data: { shortages, occurredAt: now } });
      }
      return events;
    }

    case 'UpdateOrder': {
      const o = placed(state);
      if (o.status === 'cancelled') throw orderAlreadyCancelled();
      if (hasShipped(o) || !['pending', 'confirmed', 'backordered'].includes(o.status))
        throw orderNotEditable(o.status);
      const { lines, shippingAddress, notes, now } = command.data;
      const changes: { lines?: OrderLineInput[]; shippingAddress?: typeof shippingAddress; notes?: string | null } = {};
      if (lines !== undefined) {
        assertUniqueSkus(lines);
        assertOrderLines(lines);
        const current = o.lines.map(({ sku, quantity, unitPrice }) => ({ sku, quantity, unitPrice }));
        if (!same(current, lines)) changes.lines = lines;
      }
      if (shippingAddress !== undefined && !same(shippingAddress, o.shippingAddress))
        changes.shippingAddress = shippingAddress;
      if (notes !== undefined && notes !== o.notes) changes.notes = notes;
      if (Object.keys(changes).length === 0) return [];
      const releases = changes.lines
        ? o.lines.flatMap((l) => excessOf(l, changes.lines!.find((n) => n.sku === l.sku)?.quantity ?? 0))
        : [];
      return [{ type: 'OrderUpdated', data: { changes, releases, updatedAt: now } }];
    }

    case 'CancelOrder': {
      const o = placed(state);
      if (o.status === 'cancelled') throw orderAlreadyCancelled();
      const { reason, lines, now } = command.data;
      const cancels = lines === undefined ? everyUnshipped(o) : checkedCancels(o, lines);
      if (cancels.length === 0) throw orderFullyShipped(o.status);
      const cancelledOfSku = (sku: string) => cancels.find((x) => x.sku === sku)?.quantity ?? 0;
      // Nothing shipped and nothing left: the order as a whole is cancelled.
      if (!hasShipped(o) && o.lines.every((l) => dueOf(l) === cancelledOfSku(l.sku))) {
        const releases = o.lines.flatMap((l) =>
          Object.entries(l.reserved).map(([location, quantity]) => ({ sku: l.sku, location, quantity })),
        );
        return [{ type: 'OrderCancelled', data: { reason, releases, cancelledAt: now } }];
      }
      const releases = o.lines.flatMap((l) => excessOf(l, dueOf(l) - cancelledOfSku(l.sku)));
      const events: OrderEvent[] = [
        {
          type: 'OrderLinesCancelled',
          data: {
            reason,
            lines: cancels.map((x) => ({ ...x, unitPrice: o.lines.find((l) => l.sku === x.sku)!.unitPrice })),
            releases,
            occurredAt: now,
          },
        },
      ];
      const after = evolveOrder(o, events[0]!) as PlacedOrder;
      // What is left decides the status: all of it shipped (or delivered), or all of it reserved.
      if (hasShipped(after)) {
        if (isFullyShipped(after)) events.push({ type: 'OrderShipped', data: { occurredAt: now } });
        if (after.status === 'delivered') events.push({ type: 'OrderDelivered', data: { occurredAt: now } });
      } else if (after.status === 'backordered' && isFullyReserved(after)) {
        events.push({ type: 'OrderConfirmed', data: { occurredAt: now } });
      }
      return events;
    }

    case 'RecordShipment': {
      const o = placed(state);
      const { shipmentId, location, lines, details, now } = command.data;
      if (o.shipments[shipmentId]) return []; // already recorded (a retried job)
      if (o.status === 'cancelled') throw orderAlreadyCancelled();
      for (const s of lines) {
        assertQuantity('quantity', s.quantity);
        const line = o.lines.find((l) => l.sku === s.sku);
        if (!line) throw unknownLineSku(s.sku);
        const held = line.reserved[location] ?? 0;
        const asked = lines.filter((x) => x.sku === s.sku).reduce((n, x) => n + x.quantity, 0);
        if (asked > held) throw quantityExceedsUnshipped(s.sku, held, asked);
      }
      const events: OrderEvent[] = [
        {
          type: 'OrderShipmentRecorded',
          data: { shipmentId, location, lines, occurredAt: now, ...(details ? { details } : {}) },
        },
      ];
      const after = evolveOrder(o, events[0]!) as PlacedOrder;
      if (isFullyShipped(after)) events.push({ type: 'OrderShipped', data: { occurredAt: now } });
      return events;
    }

    case 'RecordShipmentCancelled': {
      const o = placed(state);
      const s = o.shipments[command.data.shipmentId];
      if (!s) throw shipmentNotFound(command.data.shipmentId);
      if (s.status === 'cancelled') return [];
      return [
        { type: 'OrderShipmentCancelled', data: { shipmentId: command.data.shipmentId, occurredAt: command.data.now } },
      ];
    }

    case 'RecordShipmentDelivered': {
      const o = placed(state);
      const s = o.shipments[command.data.shipmentId];
      if (!s) throw shipmentNotFound(command.data.shipmentId);
      if (s.status !== 'active') return [];
      const events: OrderEvent[] = [
        { type: 'OrderShipmentDelivered', data: { shipmentId: command.data.shipmentId, occurredAt: command.data.now } },
      ];
      const after = evolveOrder(o, events[0]!) as PlacedOrder;
      if (after.status === 'delivered') events.push({ type: 'OrderDelivered', data: { occurredAt: command.data.now } });
      return events;
    }
  }
}

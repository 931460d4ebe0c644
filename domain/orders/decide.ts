import type { OrderCommand } from './commands.ts';
import {
  captureExceedsTotal,
  duplicateLineSku,
  duplicatePaymentReference,
  holdAlreadyReleased,
  holdNotFound,
  orderAlreadyCancelled,
  orderAlreadyExists,
  orderNotCancellable,
  orderNotEditable,
  orderNotFound,
  orderNotHoldable,
  orderOnHold,
  quantityExceedsUnshipped,
  refundExceedsCaptured,
  shipmentNotFound,
  totalBelowCaptured,
  unknownLineSku,
  voidAfterCapture,
  voidExceedsAuthorized,
} from './errors.ts';
import { assertOrderMoney, assertPaymentAmount, paymentAmounts, totalsOf } from './money.ts';
import { amountOutOfRange, MAX_AMOUNT } from '../shared/limits.ts';
import { assertOrderLines, assertQuantity } from '../shared/limits.ts';
import type { OrderEvent, OrderLineInput, Release } from './events.ts';
import { evolveOrder } from './evolve.ts';
import {
  hasShipped,
  holdsStock,
  isFullyReserved,
  isFullyShipped,
  openHolds,
  reservedOf,
  shippedOf,
  type LineState,
  type OrderState,
  type PlacedOrder,
  withMoneyDefaults,
} from './state.ts';

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function assertUniqueSkus(lines: OrderLineInput[]): void {
  const seen = new Set<string>();
  for (const l of lines) {
    if (seen.has(l.sku)) throw duplicateLineSku(l.sku);
    seen.add(l.sku);
  }
}

function placed(state: OrderState, orderId = ''): PlacedOrder {
  if (state.status === 'none') throw orderNotFound(orderId);
  return withMoneyDefaults(state);
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

export function decideOrder(command: OrderCommand, state: OrderState): OrderEvent[] {
  switch (command.type) {
    case 'PlaceOrder': {
      if (state.status !== 'none') throw orderAlreadyExists(command.data.orderId);
      assertUniqueSkus(command.data.lines);
      assertOrderLines(command.data.lines);
      assertOrderMoney(command.data.lines, command.data.shipping);
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
          .map((l) => ({ sku: l.sku, quantity: l.quantity - reservedOf(l) - shippedOf(l) }))
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
      const { lines, shippingAddress, notes, shipping, now } = command.data;
      const changes: {
        lines?: OrderLineInput[];
        shippingAddress?: typeof shippingAddress;
        notes?: string | null;
        shipping?: typeof shipping;
      } = {};
      if (lines !== undefined) {
        assertUniqueSkus(lines);
        assertOrderLines(lines);
        // Lines are replaced whole: a line sent without discount or tax has none.
        const money = (l: OrderLineInput) => ({
          sku: l.sku,
          quantity: l.quantity,
          unitPrice: l.unitPrice,
          discount: l.discount ?? 0,
          tax: l.tax ?? 0,
        });
        if (!same(o.lines.map(money), lines.map(money))) changes.lines = lines;
      }
      if (shippingAddress !== undefined && !same(shippingAddress, o.shippingAddress))
        changes.shippingAddress = shippingAddress;
      if (notes !== undefined && notes !== o.notes) changes.notes = notes;
      if (shipping !== undefined && !same(shipping, o.shipping)) changes.shipping = shipping;
      if (Object.keys(changes).length === 0) return [];
      if (changes.lines || changes.shipping) {
        const next = { ...o, lines: changes.lines ?? o.lines, shipping: changes.shipping ?? o.shipping };
        assertOrderMoney(next.lines, next.shipping);
        // What was captured (and not given back) must stay covered by the order.
        const m = paymentAmounts(o);
        const { total } = totalsOf(next);
        if (total < m.captured - m.refunded) throw totalBelowCaptured(total, m.captured - m.refunded);
      }
      const releases = changes.lines
        ? o.lines.flatMap((l) => excessOf(l, changes.lines!.find((n) => n.sku === l.sku)?.quantity ?? 0))
        : [];
      return [{ type: 'OrderUpdated', data: { changes, releases, updatedAt: now } }];
    }

    case 'CancelOrder': {
      const o = placed(state);
      if (o.status === 'cancelled') throw orderAlreadyCancelled();
      if (hasShipped(o) || !['pending', 'confirmed', 'backordered'].includes(o.status))
        throw orderNotCancellable(o.status);
      const releases = o.lines.flatMap((l) =>
        Object.entries(l.reserved).map(([location, quantity]) => ({ sku: l.sku, location, quantity })),
      );
      return [
        { type: 'OrderCancelled', data: { reason: command.data.reason, releases, cancelledAt: command.data.now } },
      ];
    }

    case 'RecordShipment': {
      const o = placed(state);
      const { shipmentId, location, lines, details, now } = command.data;
      if (o.shipments[shipmentId]) return []; // already recorded (a retried job)
      if (o.status === 'cancelled') throw orderAlreadyCancelled();
      const held = openHolds(o);
      if (held.length > 0) throw orderOnHold(held.map((h) => h.holdId));
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

    case 'RecordPayment': {
      const o = placed(state);
      const { paymentId, type, amount, reference, now } = command.data;
      if (o.payments.some((p) => p.paymentId === paymentId)) return []; // already recorded (a retry)
      assertPaymentAmount('amount', amount);
      if (o.payments.some((p) => p.type === type && p.reference === reference))
        throw duplicatePaymentReference(type, reference);
      const m = paymentAmounts(o);
      if (type === 'authorized') {
        if (o.status === 'cancelled') throw orderAlreadyCancelled();
        if (m.authorized + amount > MAX_AMOUNT) throw amountOutOfRange('authorized', m.authorized + amount);
      }
      if (type === 'captured') {
        if (o.status === 'cancelled') throw orderAlreadyCancelled();
        const { total } = totalsOf(o);
        if (m.captured + amount > total) throw captureExceedsTotal(total, m.captured, amount);
      }
      if (type === 'voided') {
        if (m.captured > 0) throw voidAfterCapture(m.captured);
        if (amount > m.authorized - m.voided) throw voidExceedsAuthorized(m.authorized - m.voided, amount);
      }
      return [{ type: 'OrderPaymentRecorded', data: { paymentId, type, amount, reference, recordedAt: now } }];
    }

    case 'RecordRefund': {
      const o = placed(state);
      const { refundId, returnId, amount, reference, at } = command.data;
      if (o.refunds.some((r) => r.refundId === refundId)) return []; // already recorded (a retried job)
      assertPaymentAmount('amount', amount);
      const m = paymentAmounts(o);
      if (amount > m.captured - m.refunded) throw refundExceedsCaptured(m.captured - m.refunded, amount);
      return [
        { type: 'RefundRecorded', data: { refundId, returnId: returnId ?? null, amount, reference, recordedAt: at } },
      ];
    }

    case 'PlaceHold': {
      const o = placed(state);
      const { holdId, reason, note, now } = command.data;
      if (o.holds.some((h) => h.holdId === holdId)) return []; // already placed (a retry)
      if (o.status === 'cancelled') throw orderAlreadyCancelled();
      // A hold stops shipments: an order with nothing left to ship has nothing to hold.
      if (!holdsStock(o.status)) throw orderNotHoldable(o.status);
      return [{ type: 'OrderHoldPlaced', data: { holdId, reason, note, placedAt: now } }];
    }

    case 'ReleaseHold': {
      const o = placed(state);
      const hold = o.holds.find((h) => h.holdId === command.data.holdId);
      if (!hold) throw holdNotFound(command.data.holdId);
      if (hold.releasedAt !== null) throw holdAlreadyReleased(command.data.holdId);
      return [{ type: 'OrderHoldReleased', data: { holdId: hold.holdId, releasedAt: command.data.now } }];
    }
  }
}

import type { OrderEvent, Release } from './events.ts';
import { withReturns } from './returns.ts';
import {
  hasShipped,
  isFullyReserved,
  isFullyShipped,
  type LineState,
  type OrderState,
  type PlacedOrder,
  withMoneyDefaults,
} from './state.ts';

/** A line as an event carries it (discount and tax absent on older events). */
const lineOf = (l: { sku: string; quantity: number; unitPrice: number; discount?: number; tax?: number }) => ({
  sku: l.sku,
  quantity: l.quantity,
  unitPrice: l.unitPrice,
  discount: l.discount ?? 0,
  tax: l.tax ?? 0,
});

function released(lines: LineState[], releases: Release[]): LineState[] {
  return lines.map((l) => {
    const reserved = { ...l.reserved };
    for (const r of releases) {
      if (r.sku !== l.sku) continue;
      const left = (reserved[r.location] ?? 0) - r.quantity;
      if (left > 0) reserved[r.location] = left;
      else delete reserved[r.location];
    }
    return { ...l, reserved };
  });
}

function move(
  lines: LineState[],
  location: string,
  shipment: { sku: string; quantity: number }[],
  sign: 1 | -1,
): LineState[] {
  return lines.map((l) => {
    const q = shipment.filter((s) => s.sku === l.sku).reduce((n, s) => n + s.quantity, 0);
    if (q === 0) return l;
    const reserved = { ...l.reserved, [location]: (l.reserved[location] ?? 0) - sign * q };
    const shipped = { ...l.shipped, [location]: (l.shipped[location] ?? 0) + sign * q };
    if (reserved[location]! <= 0) delete reserved[location];
    if (shipped[location]! <= 0) delete shipped[location];
    return { ...l, reserved, shipped };
  });
}

/** Status once shipments changed: follows what has shipped (a cancelled shipment counts as not shipped). */
function statusAfterShipments(o: PlacedOrder): PlacedOrder['status'] {
  if (!hasShipped(o)) return isFullyReserved(o) ? 'confirmed' : 'backordered';
  if (!isFullyShipped(o)) return 'partially_shipped';
  const active = Object.values(o.shipments).filter((s) => s.status !== 'cancelled');
  return withReturns(o, active.every((s) => s.status === 'delivered') ? 'delivered' : 'shipped');
}

export function evolveOrder(state: OrderState, event: OrderEvent): OrderState {
  if (event.type === 'OrderPlaced') {
    const d = event.data;
    return {
      status: 'pending',
      orderId: d.orderId,
      customerId: d.customerId,
      currency: d.currency,
      lines: d.lines.map((l) => ({ ...lineOf(l), reserved: {}, shipped: {}, cancelled: 0 })),
      shippingAddress: d.shippingAddress,
      externalId: d.externalId,
      notes: d.notes,
      placedAt: d.placedAt,
      updatedAt: d.placedAt,
      shipments: {},
      shipping: d.shipping ?? { amount: 0, method: null },
      payments: [],
      refunds: [],
      holds: [],
      ...(d.preferredLocations?.length ? { preferredLocations: d.preferredLocations } : {}),
    };
  }
  if (state.status === 'none') return state;
  const o = withMoneyDefaults(state);
  switch (event.type) {
    case 'OrderAllocationRecorded': {
      const lines = o.lines.map((l) => {
        const reserved = { ...l.reserved };
        for (const a of event.data.allocations) {
          if (a.sku !== l.sku) continue;
          if (a.reserved > 0) reserved[a.location] = a.reserved;
          else delete reserved[a.location];
        }
        return { ...l, reserved };
      });
      return { ...o, lines, updatedAt: event.data.occurredAt };
    }
    case 'OrderConfirmed':
      return { ...o, status: 'confirmed', updatedAt: event.data.occurredAt };
    case 'OrderBackordered':
      return { ...o, status: 'backordered', updatedAt: event.data.occurredAt };
    case 'OrderUpdated': {
      const { changes, releases, updatedAt } = event.data;
      let lines = released(o.lines, releases);
      if (changes.lines) {
        const old = new Map(lines.map((l) => [l.sku, l]));
        lines = changes.lines.map((l) => ({
          ...lineOf(l),
          reserved: old.get(l.sku)?.reserved ?? {},
          shipped: old.get(l.sku)?.shipped ?? {},
          // New lines state the units wanted afresh (changes happen before anything ships).
          cancelled: 0,
        }));
      }
      return {
        ...o,
        lines,
        ...(changes.shippingAddress !== undefined ? { shippingAddress: changes.shippingAddress } : {}),
        ...(changes.notes !== undefined ? { notes: changes.notes } : {}),
        ...(changes.shipping !== undefined ? { shipping: changes.shipping } : {}),
        // New lines must be allocated again.
        status: changes.lines ? 'pending' : o.status,
        updatedAt,
      };
    }
    case 'OrderCancelled':
      return {
        ...o,
        status: 'cancelled',
        lines: released(o.lines, event.data.releases),
        updatedAt: event.data.cancelledAt,
      };
    case 'OrderLinesCancelled': {
      const { lines: cancels, releases, occurredAt } = event.data;
      const lines = released(o.lines, releases).map((l) => {
        const q = cancels.filter((x) => x.sku === l.sku).reduce((n, x) => n + x.quantity, 0);
        return q === 0 ? l : { ...l, cancelled: (l.cancelled ?? 0) + q };
      });
      const next = { ...o, lines, updatedAt: occurredAt };
      // Once goods left, the status follows the shipments; before, allocation or the decider's next event moves it.
      return hasShipped(next) ? { ...next, status: statusAfterShipments(next) } : next;
    }
    case 'OrderShipmentRecorded': {
      const { shipmentId, location, lines, occurredAt } = event.data;
      const next = {
        ...o,
        lines: move(o.lines, location, lines, 1),
        shipments: { ...o.shipments, [shipmentId]: { location, lines, status: 'active' as const } },
        updatedAt: occurredAt,
      };
      return { ...next, status: statusAfterShipments(next) };
    }
    case 'OrderShipmentCancelled': {
      const s = o.shipments[event.data.shipmentId];
      if (!s || s.status === 'cancelled') return o;
      const next = {
        ...o,
        lines: move(o.lines, s.location, s.lines, -1),
        shipments: { ...o.shipments, [event.data.shipmentId]: { ...s, status: 'cancelled' as const } },
        updatedAt: event.data.occurredAt,
      };
      return { ...next, status: statusAfterShipments(next) };
    }
    case 'OrderShipmentDelivered': {
      const s = o.shipments[event.data.shipmentId];
      if (!s) return o;
      const next = {
        ...o,
        shipments: { ...o.shipments, [event.data.shipmentId]: { ...s, status: 'delivered' as const } },
        updatedAt: event.data.occurredAt,
      };
      return { ...next, status: statusAfterShipments(next) };
    }
    case 'OrderShipped':
      return { ...o, status: withReturns(o, 'shipped'), updatedAt: event.data.occurredAt };
    case 'OrderDelivered':
      return { ...o, status: withReturns(o, 'delivered'), updatedAt: event.data.occurredAt };
    case 'OrderReturnRequested': {
      const { returnId, lines, occurredAt } = event.data;
      const returns = { ...o.returns, [returnId]: { lines, received: [], status: 'open' as const } };
      return { ...o, returns, updatedAt: occurredAt };
    }
    case 'OrderReturnRejected': {
      const r = o.returns?.[event.data.returnId];
      if (!r) return o;
      const returns = { ...o.returns, [event.data.returnId]: { ...r, status: 'rejected' as const } };
      return { ...o, returns, updatedAt: event.data.occurredAt };
    }
    case 'OrderReturnReceived': {
      const r = o.returns?.[event.data.returnId];
      if (!r) return o;
      const returns = { ...o.returns, [event.data.returnId]: { ...r, received: [...r.received, ...event.data.lines] } };
      const next = { ...o, returns, updatedAt: event.data.occurredAt };
      return { ...next, status: withReturns(next, o.status) };
    }
    case 'OrderPaymentRecorded':
      return { ...o, payments: [...o.payments, { ...event.data }], updatedAt: event.data.recordedAt };
    case 'RefundRecorded':
      return { ...o, refunds: [...o.refunds, { ...event.data }], updatedAt: event.data.recordedAt };
    case 'OrderHoldPlaced':
      return { ...o, holds: [...o.holds, { ...event.data, releasedAt: null }], updatedAt: event.data.placedAt };
    case 'OrderHoldReleased':
      return {
        ...o,
        holds: o.holds.map((h) => (h.holdId === event.data.holdId ? { ...h, releasedAt: event.data.releasedAt } : h)),
        updatedAt: event.data.releasedAt,
      };
  }
}

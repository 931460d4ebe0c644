import type { InventoryCommand } from './commands.ts';
import {
  insufficientStock,
  invalidQuantity,
  quantityExceedsShipped,
  quantityExceedsUnshipped,
  reasonSignMismatch,
  shipmentNotFound,
} from './errors.ts';
import { assertQuantity } from '../shared/limits.ts';
import type { AdjustmentReason, InventoryEvent } from './events.ts';
import { reservedFor, unitsOrderMayTake } from './level.ts';
import { shortfallReleases } from './shortfall.ts';
import type { InventoryState } from './state.ts';

const positive = (field: string, n: number) => {
  if (!Number.isInteger(n) || n < 1) throw invalidQuantity(field, n, 'a positive integer');
  assertQuantity(field, n);
};

/** The sign each adjustment reason implies: stock in, stock out, or (a correction) either way. */
const REASON_SIGN: Record<AdjustmentReason, 'positive' | 'negative' | 'either'> = {
  received: 'positive',
  returned: 'positive',
  found: 'positive',
  damaged: 'negative',
  lost: 'negative',
  correction: 'either',
};

// Refusals come first in every branch; a command with nothing to do returns [] (nothing is appended).
export function decideInventory(command: InventoryCommand, s: InventoryState): InventoryEvent[] {
  const { sku, location, now } = command.data;
  const at = { sku, location, occurredAt: now };
  switch (command.type) {
    case 'AdjustStock': {
      const { delta, reason } = command.data;
      if (!Number.isInteger(delta) || delta === 0) throw invalidQuantity('delta', delta, 'a non-zero integer');
      assertQuantity('delta', delta);
      const sign = REASON_SIGN[reason];
      if (sign !== 'either' && (sign === 'positive') !== delta > 0) throw reasonSignMismatch(reason, delta, sign);
      const onHand = s.onHand + delta;
      if (onHand < 0) throw insufficientStock(s.onHand, delta);
      assertQuantity('onHand', onHand);
      const releases = shortfallReleases(s, onHand, command.data);
      const reserved = releases.at(-1)?.data.reserved ?? s.reserved;
      const reference = command.data.reference ?? null;
      return [
        ...releases,
        {
          type: 'StockAdjusted',
          data: { ...at, delta, reason, reference, onHandDelta: delta, reservedDelta: 0, onHand, reserved },
        },
      ];
    }
    case 'CountStock': {
      const { onHand } = command.data;
      if (!Number.isInteger(onHand) || onHand < 0) throw invalidQuantity('onHand', onHand, 'a non-negative integer');
      assertQuantity('onHand', onHand);
      const releases = shortfallReleases(s, onHand, command.data);
      const reserved = releases.at(-1)?.data.reserved ?? s.reserved;
      const delta = onHand - s.onHand;
      return [
        ...releases,
        {
          type: 'StockCounted',
          data: {
            ...at,
            reason: 'cycle_count',
            previousOnHand: s.onHand,
            delta,
            onHandDelta: delta,
            reservedDelta: 0,
            onHand,
            reserved,
          },
        },
      ];
    }
    case 'ReserveStock': {
      const { orderId, quantity: requested } = command.data;
      positive('quantity', requested);
      const quantity = Math.min(requested, unitsOrderMayTake(s, orderId));
      if (quantity <= 0) return [];
      const move = { onHandDelta: 0, reservedDelta: quantity, onHand: s.onHand, reserved: s.reserved + quantity };
      const events: InventoryEvent[] = [
        {
          type: 'StockReserved',
          data: {
            ...at,
            orderId,
            quantity,
            requested,
            orderReserved: reservedFor(s, orderId) + quantity,
            reason: 'reservation',
            ...move,
          },
        },
      ];
      // A queued order being served leaves the queue by what it got (the rest keeps its place).
      const queued = s.waitList.find((b) => b.orderId === orderId);
      if (queued) {
        const served = Math.min(queued.quantity, quantity);
        events.push({
          type: 'BackorderDequeued',
          data: { ...at, orderId, quantity: served, remaining: queued.quantity - served, reason: 'reserved' },
        });
      }
      return events;
    }
    case 'QueueBackorder': {
      const { orderId, quantity } = command.data;
      positive('quantity', quantity);
      const queued = s.waitList.find((b) => b.orderId === orderId);
      if (!queued)
        return [{ type: 'BackorderQueued', data: { ...at, orderId, quantity, position: s.waitList.length + 1 } }];
      if (queued.quantity === quantity) return [];
      return [{ type: 'BackorderUpdated', data: { ...at, orderId, quantity, previousQuantity: queued.quantity } }];
    }
    case 'DequeueBackorder': {
      const { orderId, reason } = command.data;
      const queued = s.waitList.find((b) => b.orderId === orderId);
      if (!queued) return [];
      return [{ type: 'BackorderDequeued', data: { ...at, orderId, quantity: queued.quantity, remaining: 0, reason } }];
    }
    case 'ReleaseReservation': {
      const { orderId, reason } = command.data;
      if (command.data.quantity !== undefined) positive('quantity', command.data.quantity);
      const held = reservedFor(s, orderId);
      const quantity = Math.min(command.data.quantity ?? held, held);
      const events: InventoryEvent[] = [];
      if (quantity > 0) {
        const move = { onHandDelta: 0, reservedDelta: -quantity, onHand: s.onHand, reserved: s.reserved - quantity };
        events.push({
          type: 'ReservationReleased',
          data: { ...at, orderId, quantity, orderReserved: held - quantity, reason, ...move },
        });
      }
      // The order's demand is gone or about to be recomputed: it also leaves the wait list.
      const queued = s.waitList.find((b) => b.orderId === orderId);
      if (queued && (reason === 'order_cancelled' || reason === 'lines_changed')) {
        events.push({
          type: 'BackorderDequeued',
          data: { ...at, orderId, quantity: queued.quantity, remaining: 0, reason },
        });
      }
      return events;
    }
    case 'CommitReservation': {
      const { orderId, shipmentId, quantity } = command.data;
      positive('quantity', quantity);
      if (s.shipments.has(shipmentId)) return []; // a shipment commits once per SKU × location: a retry is a no-op
      const held = reservedFor(s, orderId);
      if (quantity > held) throw quantityExceedsUnshipped(orderId, held, quantity);
      const move = {
        onHandDelta: -quantity,
        reservedDelta: -quantity,
        onHand: s.onHand - quantity,
        reserved: s.reserved - quantity,
      };
      return [
        {
          type: 'StockShipped',
          data: { ...at, orderId, shipmentId, quantity, orderReserved: held - quantity, reason: 'shipment', ...move },
        },
      ];
    }
    case 'ReturnShippedToReservation': {
      const { orderId, shipmentId, quantity } = command.data;
      positive('quantity', quantity);
      const shipment = s.shipments.get(shipmentId);
      if (!shipment || shipment.orderId !== orderId) throw shipmentNotFound(shipmentId);
      const outstanding = shipment.quantity - shipment.returned;
      if (outstanding === 0) return []; // already returned: a retry is a no-op
      if (quantity > outstanding) throw quantityExceedsShipped(shipmentId, outstanding, quantity);
      assertQuantity('onHand', s.onHand + quantity);
      const move = {
        onHandDelta: quantity,
        reservedDelta: quantity,
        onHand: s.onHand + quantity,
        reserved: s.reserved + quantity,
      };
      const orderReserved = reservedFor(s, orderId) + quantity;
      return [
        {
          type: 'StockUnshipped',
          data: { ...at, orderId, shipmentId, quantity, orderReserved, reason: 'shipment_cancelled', ...move },
        },
      ];
    }
    case 'RecordDamagedReturn': {
      const { quantity, orderId, returnId } = command.data;
      positive('quantity', quantity);
      const move = { onHandDelta: 0, reservedDelta: 0, onHand: s.onHand, reserved: s.reserved };
      return [
        {
          type: 'DamagedStockReturned',
          data: { ...at, ...move, reason: 'returned', condition: 'damaged', quantity, orderId, reference: returnId },
        },
      ];
    }
  }
}

import type { InventoryEvent, LevelMovement } from './events.ts';
import type { InventoryState, Reservations } from './state.ts';

/** Adds `delta` to an order's reservation: a new one goes last (newest); one that reaches 0 is gone. */
function reshape(list: Reservations, orderId: string, delta: number): Reservations {
  const held = list.get(orderId);
  if (held === undefined) return delta > 0 ? list.set(orderId, delta) : list;
  return held + delta > 0 ? list.set(orderId, held + delta) : list.delete(orderId);
}

// Levels move by the events' deltas (their `onHand`/`reserved` fields are for readers).
const moved = (s: InventoryState, d: LevelMovement & { occurredAt: string }): InventoryState => ({
  ...s,
  onHand: s.onHand + d.onHandDelta,
  reserved: s.reserved + d.reservedDelta,
  lastMovementAt: d.occurredAt,
});

// Total and deterministic: any prefix of a stream folds (time travel); unknown types change nothing.
export function evolveInventory(state: InventoryState, event: InventoryEvent): InventoryState {
  const s = state.sku === null ? { ...state, sku: event.data.sku, location: event.data.location } : state;
  switch (event.type) {
    case 'StockAdjusted':
      return moved(s, event.data);
    case 'StockCounted':
      return { ...moved(s, event.data), lastCountedAt: event.data.occurredAt };
    case 'StockReserved':
    case 'ReservationReleased':
      return {
        ...moved(s, event.data),
        reservations: reshape(s.reservations, event.data.orderId, event.data.reservedDelta),
      };
    case 'StockShipped': {
      const { orderId, shipmentId, quantity } = event.data;
      return {
        ...moved(s, event.data),
        reservations: reshape(s.reservations, orderId, -quantity),
        shipments: s.shipments.set(shipmentId, { orderId, quantity, returned: 0 }),
      };
    }
    case 'StockUnshipped': {
      const { orderId, shipmentId, quantity } = event.data;
      const shipment = s.shipments.get(shipmentId) ?? { orderId, quantity, returned: 0 };
      return {
        ...moved(s, event.data),
        reservations: reshape(s.reservations, orderId, quantity),
        shipments: s.shipments.set(shipmentId, { ...shipment, returned: shipment.returned + quantity }),
      };
    }
    case 'DamagedStockReturned':
      return moved(s, event.data);
    case 'BackorderQueued':
      return {
        ...s,
        waitList: [
          ...s.waitList.filter((b) => b.orderId !== event.data.orderId),
          { orderId: event.data.orderId, quantity: event.data.quantity },
        ],
      };
    case 'BackorderUpdated':
      return {
        ...s,
        waitList: s.waitList.map((b) =>
          b.orderId === event.data.orderId ? { ...b, quantity: event.data.quantity } : b,
        ),
      };
    case 'BackorderDequeued': {
      const { orderId, remaining } = event.data;
      return {
        ...s,
        waitList: s.waitList
          .map((b) => (b.orderId === orderId ? { ...b, quantity: remaining } : b))
          .filter((b) => b.quantity > 0),
      };
    }
    default:
      return state;
  }
}

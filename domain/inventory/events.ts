import type { FromSchema } from 'json-schema-to-ts';
import { dateTime, type EventsOf, int, object, str, strOrNull, stringEnum } from '../shared/schema.ts';

// Inventory events: one stream per SKU × location. Every event that moves a level carries the
// whole ledger line (how onHand and reserved moved, both levels after it, a reason and the order,
// shipment or outside reference), so a movements projection needs nothing but the event itself.

const adjustmentReason = stringEnum(['received', 'returned', 'damaged', 'lost', 'found', 'correction']);
export type AdjustmentReason = FromSchema<typeof adjustmentReason>;
/** `stock_shortfall` is never asked for: the aggregate emits it when onHand drops below reserved. */
const releaseReason = stringEnum([
  'order_cancelled',
  'lines_changed',
  'allocation_rejected',
  'manual',
  'stock_shortfall',
]);
export type ReleaseReason = FromSchema<typeof releaseReason>;
/** `reserved` is emitted when a reservation serves (part of) the order's wait-list entry. */
const dequeueReason = stringEnum(['reserved', 'order_cancelled', 'lines_changed', 'allocated_elsewhere', 'withdrawn']);
export type DequeueReason = FromSchema<typeof dequeueReason>;

const where = { sku: str, location: str, occurredAt: dateTime } as const;

/** How a level moved, and the levels after the event. */
const levelMovement = object({ onHandDelta: int, reservedDelta: int, onHand: int, reserved: int });
export type LevelMovement = FromSchema<typeof levelMovement>;

const level = { ...where, ...levelMovement.properties };

/** An order's reservation moving; `orderReserved` is that order's reservation after the event. */
const orderMovement = { orderId: str, quantity: int, orderReserved: int } as const;

/** Each inventory event's data, by type: the one definition of its shape. */
export const inventoryEventSchemas = {
  /** `delta` is the contract's name for onHandDelta (kept equal). */
  StockAdjusted: object({ ...level, delta: int, reason: adjustmentReason, reference: strOrNull }),
  /** Recorded even when the count matches (delta 0): the count itself is auditable. */
  StockCounted: object({ ...level, reason: { const: 'cycle_count' }, previousOnHand: int, delta: int }),
  /** `quantity` is what was granted (≥ 1), `requested` what was asked for. */
  StockReserved: object({ ...level, ...orderMovement, reason: { const: 'reservation' }, requested: int }),
  ReservationReleased: object({ ...level, ...orderMovement, reason: releaseReason }),
  StockShipped: object({ ...level, ...orderMovement, reason: { const: 'shipment' }, shipmentId: str }),
  StockUnshipped: object({ ...level, ...orderMovement, reason: { const: 'shipment_cancelled' }, shipmentId: str }),
  /**
   * Units of a return that came back damaged: in the ledger (reason `returned`, the return as
   * `reference`) but never on hand, so never available. Levels do not move.
   */
  DamagedStockReturned: object({
    ...level,
    reason: { const: 'returned' },
    condition: { const: 'damaged' },
    quantity: int,
    orderId: str,
    reference: str,
  }),
  /** `position` is 1-based (the end of the queue when it was queued). */
  BackorderQueued: object({ ...where, orderId: str, quantity: int, position: int }),
  /** A re-queue with another quantity: the entry keeps its place in the queue. */
  BackorderUpdated: object({ ...where, orderId: str, quantity: int, previousQuantity: int }),
  /** `quantity` left the queue; `remaining` is still queued (0: the entry is gone). */
  BackorderDequeued: object({ ...where, orderId: str, quantity: int, remaining: int, reason: dequeueReason }),
} as const;

type InventoryEvents = EventsOf<typeof inventoryEventSchemas>;
export type StockAdjusted = InventoryEvents['StockAdjusted'];
export type StockCounted = InventoryEvents['StockCounted'];
export type StockReserved = InventoryEvents['StockReserved'];
export type ReservationReleased = InventoryEvents['ReservationReleased'];
export type StockShipped = InventoryEvents['StockShipped'];
export type StockUnshipped = InventoryEvents['StockUnshipped'];
export type DamagedStockReturned = InventoryEvents['DamagedStockReturned'];
export type BackorderQueued = InventoryEvents['BackorderQueued'];
export type BackorderUpdated = InventoryEvents['BackorderUpdated'];
export type BackorderDequeued = InventoryEvents['BackorderDequeued'];
export type InventoryEvent = InventoryEvents[keyof InventoryEvents];

/** The events that move a stock level; each carries the level after it (a read model keeps the last one). */
export type LevelEvent = Exclude<InventoryEvent, BackorderQueued | BackorderUpdated | BackorderDequeued>;

export const LEVEL_EVENT_TYPES: readonly LevelEvent['type'][] = [
  'StockAdjusted',
  'StockCounted',
  'StockReserved',
  'ReservationReleased',
  'StockShipped',
  'StockUnshipped',
  'DamagedStockReturned',
];

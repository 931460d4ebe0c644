// Inventory events: one stream per SKU × location. Every event that moves a level carries the
// whole ledger line (how onHand and reserved moved, both levels after it, a reason and the order,
// shipment or outside reference), so a movements projection needs nothing but the event itself.

export type AdjustmentReason = 'received' | 'returned' | 'damaged' | 'lost' | 'found' | 'correction';
/** `stock_shortfall` is never asked for: the aggregate emits it when onHand drops below reserved. */
export type ReleaseReason = 'order_cancelled' | 'lines_changed' | 'allocation_rejected' | 'manual' | 'stock_shortfall';
/** `reserved` is emitted when a reservation serves (part of) the order's wait-list entry. */
export type DequeueReason = 'reserved' | 'order_cancelled' | 'lines_changed' | 'allocated_elsewhere' | 'withdrawn';

interface Where {
  sku: string;
  location: string;
  occurredAt: string;
}

/** How a level moved, and the levels after the event. */
export interface LevelMovement {
  onHandDelta: number;
  reservedDelta: number;
  onHand: number;
  reserved: number;
}

/** An order's reservation moving; `orderReserved` is that order's reservation after the event. */
interface OrderMovement {
  orderId: string;
  quantity: number;
  orderReserved: number;
}

export type StockAdjusted = {
  type: 'StockAdjusted';
  /** `delta` is the contract's name for onHandDelta (kept equal). */
  data: Where & LevelMovement & { delta: number; reason: AdjustmentReason; reference: string | null };
};

export type StockCounted = {
  type: 'StockCounted';
  /** Recorded even when the count matches (delta 0): the count itself is auditable. */
  data: Where & LevelMovement & { reason: 'cycle_count'; previousOnHand: number; delta: number };
};

export type StockReserved = {
  type: 'StockReserved';
  /** `quantity` is what was granted (≥ 1), `requested` what was asked for. */
  data: Where & LevelMovement & OrderMovement & { reason: 'reservation'; requested: number };
};

export type ReservationReleased = {
  type: 'ReservationReleased';
  data: Where & LevelMovement & OrderMovement & { reason: ReleaseReason };
};

export type StockShipped = {
  type: 'StockShipped';
  data: Where & LevelMovement & OrderMovement & { reason: 'shipment'; shipmentId: string };
};

export type StockUnshipped = {
  type: 'StockUnshipped';
  data: Where & LevelMovement & OrderMovement & { reason: 'shipment_cancelled'; shipmentId: string };
};

export type BackorderQueued = {
  type: 'BackorderQueued';
  /** `position` is 1-based (the end of the queue when it was queued). */
  data: Where & { orderId: string; quantity: number; position: number };
};

export type BackorderUpdated = {
  type: 'BackorderUpdated';
  /** A re-queue with another quantity: the entry keeps its place in the queue. */
  data: Where & { orderId: string; quantity: number; previousQuantity: number };
};

export type BackorderDequeued = {
  type: 'BackorderDequeued';
  /** `quantity` left the queue; `remaining` is still queued (0: the entry is gone). */
  data: Where & { orderId: string; quantity: number; remaining: number; reason: DequeueReason };
};

export type InventoryEvent =
  | StockAdjusted
  | StockCounted
  | StockReserved
  | ReservationReleased
  | StockShipped
  | StockUnshipped
  | BackorderQueued
  | BackorderUpdated
  | BackorderDequeued;

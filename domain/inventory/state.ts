import { Map as ImmutableMap, OrderedMap } from 'immutable';

/**
 * Units reserved per order (orderId → quantity > 0), in the order the reservations were first made:
 * the last entry is the newest. A persistent map: an event changes one entry in O(log n) without
 * copying the rest, so folding a hot SKU's stream of thousands of reservations stays linear (a
 * copied array made it quadratic), and every earlier state stays as it was.
 */
export type Reservations = OrderedMap<string, number>;
export const noReservations = (): Reservations => OrderedMap<string, number>();

export interface Backorder {
  orderId: string;
  quantity: number;
}

/** A shipment's commit at this SKU × location (one per shipment), kept so commits and returns are idempotent. */
export interface CommittedShipment {
  orderId: string;
  quantity: number;
  returned: number;
}

export interface InventoryState {
  /** null until the stream's first event. */
  sku: string | null;
  location: string | null;
  onHand: number;
  /** Always Σ reservations[].quantity, and never above onHand. */
  reserved: number;
  /** In the order they were first made: the last is the newest (released first on a shortfall). */
  reservations: Reservations;
  /** FIFO wait list of backordered demand: the first entry is served first. */
  waitList: Backorder[];
  /** Per shipment id; persistent for the same reason as `reservations` (a SKU ships for years). */
  shipments: ImmutableMap<string, CommittedShipment>;
  lastMovementAt: string | null;
  lastCountedAt: string | null;
}

export const initialInventoryState = (): InventoryState => ({
  sku: null,
  location: null,
  onHand: 0,
  reserved: 0,
  reservations: noReservations(),
  waitList: [],
  shipments: ImmutableMap<string, CommittedShipment>(),
  lastMovementAt: null,
  lastCountedAt: null,
});

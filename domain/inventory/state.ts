export interface Reservation {
  orderId: string;
  quantity: number;
}

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
  reservations: Reservation[];
  /** FIFO wait list of backordered demand: the first entry is served first. */
  waitList: Backorder[];
  shipments: Record<string, CommittedShipment>;
  lastMovementAt: string | null;
  lastCountedAt: string | null;
}

export const initialInventoryState = (): InventoryState => ({
  sku: null,
  location: null,
  onHand: 0,
  reserved: 0,
  reservations: [],
  waitList: [],
  shipments: {},
  lastMovementAt: null,
  lastCountedAt: null,
});

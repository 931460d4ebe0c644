import type { Address } from '../shared/address.ts';

export interface OrderLineInput {
  sku: string;
  quantity: number;
  /** Minor units of the order's currency. */
  unitPrice: number;
}

/** Units held for a line at one location (absolute, as the inventory stream holds them). */
export interface LineAllocation {
  sku: string;
  location: string;
  reserved: number;
}

/** A reservation the order gives back (cancel, fewer units after a change). */
export interface Release {
  sku: string;
  location: string;
  quantity: number;
}

export interface ShipmentLine {
  sku: string;
  quantity: number;
}

export type OrderPlaced = {
  type: 'OrderPlaced';
  data: {
    orderId: string;
    customerId: string;
    currency: string;
    lines: OrderLineInput[];
    shippingAddress: Address;
    externalId: string | null;
    notes: string | null;
    placedAt: string;
  };
};
/** What the inventory now holds for the order's lines (absolute per location). */
export type OrderAllocationRecorded = {
  type: 'OrderAllocationRecorded';
  data: { allocations: LineAllocation[]; occurredAt: string };
};
export type OrderConfirmed = { type: 'OrderConfirmed'; data: { occurredAt: string } };
export type OrderBackordered = { type: 'OrderBackordered'; data: { shortages: ShipmentLine[]; occurredAt: string } };
export type OrderUpdated = {
  type: 'OrderUpdated';
  data: {
    changes: { lines?: OrderLineInput[]; shippingAddress?: Address; notes?: string | null };
    /** Reservations no longer needed after a line change. */
    releases: Release[];
    updatedAt: string;
  };
};
export type OrderCancelled = {
  type: 'OrderCancelled';
  data: { reason: string; releases: Release[]; cancelledAt: string };
};
/** What the carrier side needs to create the shipment itself (kept on the order's event so a job can finish it). */
export interface ShipmentDetails {
  carrier: string;
  trackingNumber: string | null;
  service: string | null;
}

export type OrderShipmentRecorded = {
  type: 'OrderShipmentRecorded';
  data: { shipmentId: string; location: string; lines: ShipmentLine[]; occurredAt: string; details?: ShipmentDetails };
};
export type OrderShipmentCancelled = {
  type: 'OrderShipmentCancelled';
  data: { shipmentId: string; occurredAt: string };
};
export type OrderShipmentDelivered = {
  type: 'OrderShipmentDelivered';
  data: { shipmentId: string; occurredAt: string };
};
export type OrderShipped = { type: 'OrderShipped'; data: { occurredAt: string } };
export type OrderDelivered = { type: 'OrderDelivered'; data: { occurredAt: string } };

export type OrderEvent =
  | OrderPlaced
  | OrderAllocationRecorded
  | OrderConfirmed
  | OrderBackordered
  | OrderUpdated
  | OrderCancelled
  | OrderShipmentRecorded
  | OrderShipmentCancelled
  | OrderShipmentDelivered
  | OrderShipped
  | OrderDelivered;

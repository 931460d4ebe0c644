import type { AdjustmentReason, DequeueReason, ReleaseReason } from './events.ts';

/** Every inventory command names its stream (SKU × location) and brings the time. */
interface Target {
  sku: string;
  location: string;
  now: string;
}

export type AdjustStock = {
  type: 'AdjustStock';
  data: Target & { delta: number; reason: AdjustmentReason; reference?: string | null };
};

export type CountStock = { type: 'CountStock'; data: Target & { onHand: number; reason: 'cycle_count' } };

/** Adds to the order's reservation as much as FIFO allows (possibly nothing). */
export type ReserveStock = { type: 'ReserveStock'; data: Target & { orderId: string; quantity: number } };

/** `quantity` is the absolute demand to queue (not an increment): re-sending it is a no-op. */
export type QueueBackorder = { type: 'QueueBackorder'; data: Target & { orderId: string; quantity: number } };

export type DequeueBackorder = {
  type: 'DequeueBackorder';
  data: Target & { orderId: string; reason: Exclude<DequeueReason, 'reserved'> };
};

/** Without `quantity`, releases all of the order's reservation; more than reserved releases what there is. */
export type ReleaseReservation = {
  type: 'ReleaseReservation';
  data: Target & { orderId: string; quantity?: number; reason: Exclude<ReleaseReason, 'stock_shortfall'> };
};

export type CommitReservation = {
  type: 'CommitReservation';
  data: Target & { orderId: string; shipmentId: string; quantity: number };
};

/** A cancelled shipment: its units come back on hand and reserved for the order again. */
export type ReturnShippedToReservation = {
  type: 'ReturnShippedToReservation';
  data: Target & { orderId: string; shipmentId: string; quantity: number };
};

/** Damaged units of a return: recorded, never put on hand. */
export type RecordDamagedReturn = {
  type: 'RecordDamagedReturn';
  data: Target & { quantity: number; orderId: string; returnId: string };
};

export type InventoryCommand =
  | AdjustStock
  | CountStock
  | ReserveStock
  | QueueBackorder
  | DequeueBackorder
  | ReleaseReservation
  | CommitReservation
  | ReturnShippedToReservation
  | RecordDamagedReturn;

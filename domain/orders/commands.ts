import type { Address } from '../shared/address.ts';
import type { LineAllocation, OrderLineInput, ShipmentDetails, ShipmentLine } from './events.ts';

export type PlaceOrder = {
  type: 'PlaceOrder';
  data: {
    orderId: string;
    customerId: string;
    currency: string;
    lines: OrderLineInput[];
    shippingAddress: Address;
    externalId: string | null;
    notes: string | null;
    /** Location codes to allocate from first, in this order (others follow as usual). */
    preferredLocations?: string[];
    now: string;
  };
};
/**
 * The allocation process reports what inventory holds for the order (absolute per location).
 * `roundComplete`: every location was tried, so a short line now means backordered.
 */
export type RecordAllocation = {
  type: 'RecordAllocation';
  data: { allocations: LineAllocation[]; roundComplete: boolean; now: string };
};
export type UpdateOrder = {
  type: 'UpdateOrder';
  data: { lines?: OrderLineInput[]; shippingAddress?: Address; notes?: string | null; now: string };
};
/** Without `lines`: every unit not shipped yet. With `lines`: those many unshipped units of each SKU. */
export type CancelOrder = { type: 'CancelOrder'; data: { reason: string; lines?: ShipmentLine[]; now: string } };
export type RecordShipment = {
  type: 'RecordShipment';
  data: { shipmentId: string; location: string; lines: ShipmentLine[]; details?: ShipmentDetails; now: string };
};
export type RecordShipmentCancelled = { type: 'RecordShipmentCancelled'; data: { shipmentId: string; now: string } };
export type RecordShipmentDelivered = { type: 'RecordShipmentDelivered'; data: { shipmentId: string; now: string } };

export type OrderCommand =
  | PlaceOrder
  | RecordAllocation
  | UpdateOrder
  | CancelOrder
  | RecordShipment
  | RecordShipmentCancelled
  | RecordShipmentDelivered;

import type { Address } from '../shared/address.ts';
import type {
  HoldReason,
  LineAllocation,
  OrderLineInput,
  PaymentType,
  Shipping,
  ShipmentDetails,
  ShipmentLine,
} from './events.ts';

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
    /** Absent: no shipping charge. */
    shipping?: Shipping;
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
  data: {
    lines?: OrderLineInput[];
    shippingAddress?: Address;
    notes?: string | null;
    shipping?: Shipping;
    now: string;
  };
};
export type CancelOrder = { type: 'CancelOrder'; data: { reason: string; now: string } };
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
  | RecordShipmentDelivered
  | RecordPayment
  | RecordRefund
  | PlaceHold
  | ReleaseHold;

/** What the payment provider reported (a reference, never card data). */
export type RecordPayment = {
  type: 'RecordPayment';
  data: { paymentId: string; type: PaymentType; amount: number; reference: string; now: string };
};
/**
 * Money given back to the customer, on the order (returns record theirs with their returnId).
 * Recording the same refundId again does nothing (a retried job). `at`: when it was recorded.
 */
export type RecordRefund = {
  type: 'RecordRefund';
  data: { refundId: string; returnId?: string | null; amount: number; reference: string; at: string };
};
export type PlaceHold = {
  type: 'PlaceHold';
  data: { holdId: string; reason: HoldReason; note: string | null; now: string };
};
export type ReleaseHold = { type: 'ReleaseHold'; data: { holdId: string; now: string } };

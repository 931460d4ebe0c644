import type { FromSchema } from 'json-schema-to-ts';
import { addressSchema } from '../shared/address.ts';
import { arrayOf, dateTime, type EventsOf, int, object, str, stringEnum, strOrNull } from '../shared/schema.ts';

// Order events. (In storage `shippingAddress` is a `pii.v1` envelope; these schemas describe the
// decrypted shape.)

const orderLine = object(
  {
    sku: str,
    quantity: int,
    /** Minor units of the order's currency. */
    unitPrice: int,
    /** For the whole line, minor units (≤ quantity × unitPrice); absent = 0 (events before money). */
    discount: int,
    /** For the whole line, minor units; absent = 0. */
    tax: int,
  },
  ['sku', 'quantity', 'unitPrice'],
);
export type OrderLineInput = FromSchema<typeof orderLine>;

/** The shipping charge of the order (minor units) and how it ships. Absent on older events = 0. */
const shipping = object({ amount: int, method: strOrNull });
export type Shipping = FromSchema<typeof shipping>;

export const PAYMENT_TYPES = ['authorized', 'captured', 'voided'] as const;
export type PaymentType = (typeof PAYMENT_TYPES)[number];

export const HOLD_REASONS = ['fraud_review', 'payment', 'address', 'customer_request', 'other'] as const;
export type HoldReason = (typeof HOLD_REASONS)[number];

/** Units held for a line at one location (absolute, as the inventory stream holds them). */
const lineAllocation = object({ sku: str, location: str, reserved: int });
export type LineAllocation = FromSchema<typeof lineAllocation>;

/** A reservation the order gives back (cancel, fewer units after a change). */
const release = object({ sku: str, location: str, quantity: int });
export type Release = FromSchema<typeof release>;

/** Units of a line cancelled, with the line's unit price (what they were worth). */
const cancelledLine = object({ sku: str, quantity: int, unitPrice: int });
export type CancelledLine = FromSchema<typeof cancelledLine>;

export const shipmentLineSchema = object({ sku: str, quantity: int });
export type ShipmentLine = FromSchema<typeof shipmentLineSchema>;

/** What the carrier side needs to create the shipment itself (kept on the order's event so a job can finish it). */
const shipmentDetails = object({ carrier: str, trackingNumber: strOrNull, service: strOrNull });
export type ShipmentDetails = FromSchema<typeof shipmentDetails>;

/** Each order event's data, by type: the one definition of its shape. */
export const orderEventSchemas = {
  OrderPlaced: object(
    {
      orderId: str,
      customerId: str,
      currency: str,
      lines: arrayOf(orderLine),
      shippingAddress: addressSchema,
      externalId: strOrNull,
      notes: strOrNull,
      placedAt: dateTime,
      shipping,
      /** Location codes to allocate from first (absent: none). */
      preferredLocations: arrayOf(str),
    },
    ['orderId', 'customerId', 'currency', 'lines', 'shippingAddress', 'externalId', 'notes', 'placedAt'],
  ),
  /** What the inventory now holds for the order's lines (absolute per location). */
  OrderAllocationRecorded: object({ allocations: arrayOf(lineAllocation), occurredAt: dateTime }),
  OrderConfirmed: object({ occurredAt: dateTime }),
  OrderBackordered: object({ shortages: arrayOf(shipmentLineSchema), occurredAt: dateTime }),
  OrderUpdated: object({
    /** Only what changed. */
    changes: object({ lines: arrayOf(orderLine), shippingAddress: addressSchema, notes: strOrNull, shipping }, []),
    /** Reservations no longer needed after a line change. */
    releases: arrayOf(release),
    updatedAt: dateTime,
  }),
  OrderCancelled: object({ reason: str, releases: arrayOf(release), cancelledAt: dateTime }),
  /**
   * Unshipped units cancelled while the order goes on (some of it shipped, or some lines stay):
   * `lines` what was cancelled, `releases` the reservations given back for them.
   */
  OrderLinesCancelled: object({
    reason: str,
    lines: arrayOf(cancelledLine),
    releases: arrayOf(release),
    occurredAt: dateTime,
  }),
  OrderShipmentRecorded: object(
    {
      shipmentId: str,
      location: str,
      lines: arrayOf(shipmentLineSchema),
      occurredAt: dateTime,
      details: shipmentDetails,
    },
    ['shipmentId', 'location', 'lines', 'occurredAt'],
  ),
  OrderShipmentCancelled: object({ shipmentId: str, occurredAt: dateTime }),
  OrderShipmentDelivered: object({ shipmentId: str, occurredAt: dateTime }),
  OrderShipped: object({ occurredAt: dateTime }),
  OrderDelivered: object({ occurredAt: dateTime }),
  /**
   * A return (its own stream, domain/returns) claims shipped units: they can be returned once only.
   * Appended in the same multi-stream write as the return's ReturnRequested (see src/returns).
   */
  OrderReturnRequested: object({ returnId: str, lines: arrayOf(shipmentLineSchema), occurredAt: dateTime }),
  /** A rejected return gives its claim back. */
  OrderReturnRejected: object({ returnId: str, occurredAt: dateTime }),
  /** Units of a return that came back to a warehouse (whatever their condition). */
  OrderReturnReceived: object({ returnId: str, lines: arrayOf(shipmentLineSchema), occurredAt: dateTime }),
  /** What the payment provider reported (its reference, never card data). */
  OrderPaymentRecorded: object({
    paymentId: str,
    type: stringEnum(PAYMENT_TYPES),
    amount: int,
    reference: str,
    recordedAt: dateTime,
  }),
  /** Money given back to the customer (by a return's refund, or on its own: returnId null). */
  RefundRecorded: object({ refundId: str, returnId: strOrNull, amount: int, reference: str, recordedAt: dateTime }),
  /** No shipment may be created while a hold is open (stock may still be reserved). */
  OrderHoldPlaced: object({ holdId: str, reason: stringEnum(HOLD_REASONS), note: strOrNull, placedAt: dateTime }),
  OrderHoldReleased: object({ holdId: str, releasedAt: dateTime }),
} as const;

type OrderEvents = EventsOf<typeof orderEventSchemas>;
export type OrderPlaced = OrderEvents['OrderPlaced'];
export type OrderAllocationRecorded = OrderEvents['OrderAllocationRecorded'];
export type OrderConfirmed = OrderEvents['OrderConfirmed'];
export type OrderBackordered = OrderEvents['OrderBackordered'];
export type OrderUpdated = OrderEvents['OrderUpdated'];
export type OrderCancelled = OrderEvents['OrderCancelled'];
export type OrderLinesCancelled = OrderEvents['OrderLinesCancelled'];
export type OrderShipmentRecorded = OrderEvents['OrderShipmentRecorded'];
export type OrderShipmentCancelled = OrderEvents['OrderShipmentCancelled'];
export type OrderShipmentDelivered = OrderEvents['OrderShipmentDelivered'];
export type OrderShipped = OrderEvents['OrderShipped'];
export type OrderDelivered = OrderEvents['OrderDelivered'];
export type OrderReturnRequested = OrderEvents['OrderReturnRequested'];
export type OrderReturnRejected = OrderEvents['OrderReturnRejected'];
export type OrderReturnReceived = OrderEvents['OrderReturnReceived'];
export type OrderPaymentRecorded = OrderEvents['OrderPaymentRecorded'];
export type RefundRecorded = OrderEvents['RefundRecorded'];
export type OrderHoldPlaced = OrderEvents['OrderHoldPlaced'];
export type OrderHoldReleased = OrderEvents['OrderHoldReleased'];
export type OrderEvent = OrderEvents[keyof OrderEvents];

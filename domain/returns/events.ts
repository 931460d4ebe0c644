import type { FromSchema } from 'json-schema-to-ts';
import { arrayOf, dateTime, type EventsOf, int, object, str, strOrNull, stringEnum } from '../shared/schema.ts';

// Return events: one stream per return (`<tenant>:return:ret_…`). The units a return claims are also
// recorded on its order's stream (OrderReturnRequested …, domain/orders/events.ts) in the same write.

export const RETURN_REASONS = ['damaged', 'defective', 'wrong_item', 'not_as_described', 'unwanted', 'other'] as const;
export const CONDITIONS = ['resellable', 'damaged'] as const;
export type Condition = (typeof CONDITIONS)[number];

/** A line of a return: `unitPrice` is the order line's, taken when the return was requested. */
const returnLine = object({ sku: str, quantity: int, reason: stringEnum(RETURN_REASONS), unitPrice: int });
export type ReturnLine = FromSchema<typeof returnLine>;

const receivedLine = object({ sku: str, quantity: int, condition: stringEnum(CONDITIONS) });
export type ReceivedLine = FromSchema<typeof receivedLine>;

/** Each return event's data, by type: the one definition of its shape. */
export const returnEventSchemas = {
  ReturnRequested: object({
    returnId: str,
    orderId: str,
    currency: str,
    lines: arrayOf(returnLine),
    note: strOrNull,
    requestedAt: dateTime,
  }),
  ReturnApproved: object({ returnId: str, approvedAt: dateTime }),
  ReturnRejected: object({ returnId: str, reason: str, rejectedAt: dateTime }),
  /** Units that came back at `location`; `status` is the return's after it. */
  ReturnReceived: object({
    returnId: str,
    location: str,
    lines: arrayOf(receivedLine),
    status: stringEnum(['partially_received', 'received']),
    receivedAt: dateTime,
  }),
  /** Money paid back for the return (minor units of the order's currency). */
  ReturnRefundRecorded: object({
    /** The refund's id, also on the order's RefundRecorded (written in the same multi-stream write). */
    refundId: str,
    returnId: str,
    orderId: str,
    amount: int,
    currency: str,
    reference: str,
    recordedAt: dateTime,
  }),
} as const;

type ReturnEvents = EventsOf<typeof returnEventSchemas>;
export type ReturnRequested = ReturnEvents['ReturnRequested'];
export type ReturnApproved = ReturnEvents['ReturnApproved'];
export type ReturnRejected = ReturnEvents['ReturnRejected'];
export type ReturnReceived = ReturnEvents['ReturnReceived'];
export type ReturnRefundRecorded = ReturnEvents['ReturnRefundRecorded'];
export type ReturnEvent = ReturnEvents[keyof ReturnEvents];

export const RETURN_EVENT_TYPES = Object.keys(returnEventSchemas) as ReturnEvent['type'][];

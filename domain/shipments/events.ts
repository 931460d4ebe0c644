import type { FromSchema } from 'json-schema-to-ts';
import { shipmentLineSchema } from '../orders/events.ts';
import { arrayOf, dateTime, type EventsOf, object, str, strOrNull, stringEnum } from '../shared/schema.ts';

export const TRACKING_STATUSES = [
  'in_transit',
  'out_for_delivery',
  'delivered',
  'exception',
  'returned',
  'cancelled',
] as const;
export type TrackingStatus = (typeof TRACKING_STATUSES)[number];
const shipmentStatus = stringEnum(['label_created', ...TRACKING_STATUSES]);
export type ShipmentStatus = FromSchema<typeof shipmentStatus>;

/** One entry of the tracking timeline, as the carrier reported it. */
const trackingEntry = object({
  status: shipmentStatus,
  occurredAt: dateTime,
  location: strOrNull,
  description: strOrNull,
  carrierCode: strOrNull,
});
export type TrackingEntry = FromSchema<typeof trackingEntry>;

const tracking = { shipmentId: str, orderId: str, ...trackingEntry.properties, recordedAt: dateTime };

/** Each shipment event's data, by type: the one definition of its shape. */
export const shipmentEventSchemas = {
  ShipmentCreated: object({
    shipmentId: str,
    orderId: str,
    lines: arrayOf(shipmentLineSchema),
    carrier: str,
    trackingNumber: strOrNull,
    service: strOrNull,
    location: str,
    createdAt: dateTime,
  }),
  /** A carrier update that moved the status forward. */
  ShipmentStatusChanged: object({ ...tracking, previousStatus: shipmentStatus }),
  /** A carrier update that arrived after newer ones: it joins the timeline but never moves the status back. */
  ShipmentTrackingEventRecorded: object(tracking),
} as const;

type ShipmentEvents = EventsOf<typeof shipmentEventSchemas>;
export type ShipmentCreated = ShipmentEvents['ShipmentCreated'];
export type ShipmentStatusChanged = ShipmentEvents['ShipmentStatusChanged'];
export type ShipmentTrackingEventRecorded = ShipmentEvents['ShipmentTrackingEventRecorded'];
export type ShipmentEvent = ShipmentEvents[keyof ShipmentEvents];

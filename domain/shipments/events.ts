import type { ShipmentLine } from '../orders/events.ts';

export const TRACKING_STATUSES = [
  'in_transit',
  'out_for_delivery',
  'delivered',
  'exception',
  'returned',
  'cancelled',
] as const;
export type TrackingStatus = (typeof TRACKING_STATUSES)[number];
export type ShipmentStatus = 'label_created' | TrackingStatus;

/** One entry of the tracking timeline, as the carrier reported it. */
export interface TrackingEntry {
  status: ShipmentStatus;
  occurredAt: string;
  location: string | null;
  description: string | null;
  carrierCode: string | null;
}

export type ShipmentCreated = {
  type: 'ShipmentCreated';
  data: {
    shipmentId: string;
    orderId: string;
    lines: ShipmentLine[];
    carrier: string;
    trackingNumber: string | null;
    service: string | null;
    location: string;
    createdAt: string;
  };
};
/** A carrier update that moved the status forward. */
export type ShipmentStatusChanged = {
  type: 'ShipmentStatusChanged';
  data: TrackingEntry & { shipmentId: string; orderId: string; previousStatus: ShipmentStatus; recordedAt: string };
};
/** A carrier update that arrived after newer ones: it joins the timeline but never moves the status back. */
export type ShipmentTrackingEventRecorded = {
  type: 'ShipmentTrackingEventRecorded';
  data: TrackingEntry & { shipmentId: string; orderId: string; recordedAt: string };
};

export type ShipmentEvent = ShipmentCreated | ShipmentStatusChanged | ShipmentTrackingEventRecorded;

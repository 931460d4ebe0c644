import type { ShipmentLine } from '../orders/events.ts';
import type { TrackingStatus } from './events.ts';

export type CreateShipment = {
  type: 'CreateShipment';
  data: {
    shipmentId: string;
    orderId: string;
    lines: ShipmentLine[];
    carrier: string;
    trackingNumber: string | null;
    service: string | null;
    location: string;
    now: string;
  };
};

export type RecordTrackingEvent = {
  type: 'RecordTrackingEvent';
  data: {
    status: TrackingStatus;
    /** When it happened at the carrier (defaults to now). */
    occurredAt: string;
    location: string | null;
    description: string | null;
    carrierCode: string | null;
    now: string;
  };
};

export type ShipmentCommand = CreateShipment | RecordTrackingEvent;

import type { ShipmentLine } from '../orders/events.ts';
import type { ShipmentStatus, TrackingEntry } from './events.ts';

export interface ActiveShipment {
  status: ShipmentStatus;
  shipmentId: string;
  orderId: string;
  lines: ShipmentLine[];
  carrier: string;
  trackingNumber: string | null;
  service: string | null;
  location: string;
  /** Every carrier update, in occurredAt order (late ones slotted in). */
  timeline: TrackingEntry[];
  /** occurredAt of the update that set the current status. */
  statusAt: string;
  createdAt: string;
  updatedAt: string;
}

export type ShipmentState = { status: 'none' } | ActiveShipment;

export const initialShipmentState = (): ShipmentState => ({ status: 'none' });

/** Which status may follow which. `cancelled` only before the parcel moved. */
export const TRANSITIONS: Record<ShipmentStatus, readonly ShipmentStatus[]> = {
  label_created: ['in_transit', 'out_for_delivery', 'delivered', 'exception', 'cancelled'],
  in_transit: ['in_transit', 'out_for_delivery', 'delivered', 'exception', 'returned'],
  out_for_delivery: ['out_for_delivery', 'delivered', 'exception', 'returned'],
  exception: ['in_transit', 'out_for_delivery', 'delivered', 'exception', 'returned'],
  delivered: [],
  returned: [],
  cancelled: [],
};

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
  /** `label_created` first, then every carrier update in occurredAt order (late ones slotted in). */
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

/**
 * How far a carrier's clock may disagree with ours: an update may be dated up to this much after the
 * command's `now`, or before the shipment's creation. Further out is refused (occurred_at_out_of_range).
 */
export const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Where an update dated `occurredAt` belongs in a timeline: after every entry dated at or before it
 * (stable), and never before the `label_created` entry, which stays first.
 */
export function timelineSlot(timeline: readonly TrackingEntry[], occurredAt: string): number {
  const at = Date.parse(occurredAt);
  const i = timeline.findIndex((t, k) => k > 0 && Date.parse(t.occurredAt) > at);
  return i < 0 ? timeline.length : i;
}

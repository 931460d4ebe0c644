import { shipmentDecider } from '../domain/shipments/decider.ts';
import type { ShipmentEvent } from '../domain/shipments/events.ts';
import type { ShipmentState } from '../domain/shipments/state.ts';
import { foldedStateProjection } from './folded-state.ts';

/** shipments: the folded shipment (timeline included) plus the columns lists and lookups use. */
export const shipmentsProjection = foldedStateProjection<ShipmentState, ShipmentEvent>({
  name: 'shipments',
  table: 'shipments',
  handles: [
    'ShipmentCreated',
    'ShipmentStatusChanged',
    'ShipmentTrackingEventRecorded',
  ] satisfies ShipmentEvent['type'][],
  decider: shipmentDecider,
  columns: (s) =>
    s.status === 'none'
      ? null
      : {
          order_id: s.orderId,
          status: s.status,
          carrier: s.carrier,
          tracking_number: s.trackingNumber,
          created_at: s.createdAt,
          updated_at: s.updatedAt,
        },
});

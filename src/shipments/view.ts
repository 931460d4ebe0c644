import type { ActiveShipment } from '../../domain/shipments/state.ts';

export function shipmentView(s: ActiveShipment, version: number) {
  return {
    id: s.shipmentId,
    orderId: s.orderId,
    status: s.status,
    lines: s.lines,
    carrier: s.carrier,
    trackingNumber: s.trackingNumber,
    service: s.service,
    location: s.location,
    events: s.timeline,
    version,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

export type ShipmentView = ReturnType<typeof shipmentView>;

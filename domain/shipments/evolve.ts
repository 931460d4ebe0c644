import type { ShipmentEvent, TrackingEntry } from './events.ts';
import { timelineSlot, type ShipmentState } from './state.ts';

const entryOf = (d: TrackingEntry): TrackingEntry => ({
  status: d.status,
  occurredAt: d.occurredAt,
  location: d.location,
  description: d.description,
  carrierCode: d.carrierCode,
});

/** Stable insert by occurredAt: a late update lands where it belongs in time. */
function insertInTime(timeline: TrackingEntry[], entry: TrackingEntry): TrackingEntry[] {
  const i = timelineSlot(timeline, entry.occurredAt);
  return [...timeline.slice(0, i), entry, ...timeline.slice(i)];
}

export function evolveShipment(state: ShipmentState, event: ShipmentEvent): ShipmentState {
  if (event.type === 'ShipmentCreated') {
    const d = event.data;
    return {
      status: 'label_created',
      shipmentId: d.shipmentId,
      orderId: d.orderId,
      lines: d.lines,
      carrier: d.carrier,
      trackingNumber: d.trackingNumber,
      service: d.service,
      location: d.location,
      timeline: [
        {
          status: 'label_created',
          occurredAt: d.createdAt,
          location: null,
          description: 'Label created',
          carrierCode: null,
        },
      ],
      statusAt: d.createdAt,
      createdAt: d.createdAt,
      updatedAt: d.createdAt,
    };
  }
  if (state.status === 'none') return state;
  const timeline = insertInTime(state.timeline, entryOf(event.data));
  if (event.type === 'ShipmentStatusChanged') {
    return {
      ...state,
      status: event.data.status,
      statusAt: event.data.occurredAt,
      timeline,
      updatedAt: event.data.recordedAt,
    };
  }
  return { ...state, timeline, updatedAt: event.data.recordedAt };
}

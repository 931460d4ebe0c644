import type { ShipmentCommand } from './commands.ts';
import { invalidShipmentTransition, shipmentAlreadyExists, shipmentNotFound } from './errors.ts';
import type { ShipmentEvent } from './events.ts';
import { TRANSITIONS, type ShipmentState } from './state.ts';

export function decideShipment(command: ShipmentCommand, state: ShipmentState): ShipmentEvent[] {
  switch (command.type) {
    case 'CreateShipment': {
      if (state.status !== 'none') throw shipmentAlreadyExists(command.data.shipmentId);
      const { now, ...d } = command.data;
      return [{ type: 'ShipmentCreated', data: { ...d, createdAt: now } }];
    }
    case 'RecordTrackingEvent': {
      if (state.status === 'none') throw shipmentNotFound('');
      const { status, occurredAt, location, description, carrierCode, now } = command.data;
      const entry = {
        shipmentId: state.shipmentId,
        orderId: state.orderId,
        status,
        occurredAt,
        location,
        description,
        carrierCode,
        recordedAt: now,
      };
      // Older than the carrier update that set the current status: history only, never a step back.
      // (Label creation is our own clock, not the carrier's: the first carrier update always counts.)
      if (state.status !== 'label_created' && occurredAt < state.statusAt)
        return [{ type: 'ShipmentTrackingEventRecorded', data: entry }];
      if (!TRANSITIONS[state.status].includes(status)) throw invalidShipmentTransition(state.status, status);
      return [{ type: 'ShipmentStatusChanged', data: { ...entry, previousStatus: state.status } }];
    }
  }
}

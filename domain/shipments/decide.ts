import type { ShipmentCommand } from './commands.ts';
import {
  invalidLateTransition,
  invalidShipmentTransition,
  occurredAtOutOfRange,
  shipmentAlreadyExists,
  shipmentNotFound,
} from './errors.ts';
import type { ShipmentEvent } from './events.ts';
import { CLOCK_SKEW_MS, TRANSITIONS, timelineSlot, type ShipmentState } from './state.ts';

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
      const earliest = Date.parse(state.createdAt) - CLOCK_SKEW_MS;
      const latest = Date.parse(now) + CLOCK_SKEW_MS;
      const at = Date.parse(occurredAt);
      if (!(at >= earliest && at <= latest))
        throw occurredAtOutOfRange(occurredAt, new Date(earliest).toISOString(), new Date(latest).toISOString());
      // Slotted in at its time, the update must leave a timeline that is a path of the transitions:
      // allowed after the entry before it and, for a late update, before the entry after it.
      const i = timelineSlot(state.timeline, occurredAt);
      const before = state.timeline[i - 1]!.status;
      const after = state.timeline[i]?.status;
      if (after === undefined) {
        if (!TRANSITIONS[before].includes(status)) throw invalidShipmentTransition(before, status);
        return [{ type: 'ShipmentStatusChanged', data: { ...entry, previousStatus: state.status } }];
      }
      // Older than the newest update: history only, never a step back.
      if (!TRANSITIONS[before].includes(status)) throw invalidLateTransition(before, status, occurredAt);
      if (!TRANSITIONS[status].includes(after)) throw invalidLateTransition(status, after, occurredAt);
      return [{ type: 'ShipmentTrackingEventRecorded', data: entry }];
    }
  }
}

import type { Decider } from '../shared/decider.ts';
import type { ShipmentCommand } from './commands.ts';
import { decideShipment } from './decide.ts';
import type { ShipmentEvent } from './events.ts';
import { evolveShipment } from './evolve.ts';
import { initialShipmentState, type ShipmentState } from './state.ts';

export const shipmentDecider: Decider<ShipmentCommand, ShipmentEvent, ShipmentState> = {
  initialState: initialShipmentState,
  decide: decideShipment,
  evolve: evolveShipment,
};

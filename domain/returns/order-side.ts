// A return's part on its order's stream: the shipped units it claims (so no two returns together
// claim more than shipped), the claim given back on rejection, and the units received back. These
// events are appended together with the return's own in one multi-stream write, each stream at
// the revision it was decided on: a concurrent return on the same order makes the write fail and
// the decision is taken again on the order as it is now.
import type { Decider } from '../shared/decider.ts';
import { orderNotFound, unknownLineSku } from '../orders/errors.ts';
import type { OrderEvent, ShipmentLine } from '../orders/events.ts';
import { evolveOrder } from '../orders/evolve.ts';
import { returnableOf } from '../orders/returns.ts';
import { initialOrderState, type OrderState } from '../orders/state.ts';
import { quantityExceedsReturnable } from './errors.ts';

export type ClaimReturnUnits = {
  type: 'ClaimReturnUnits';
  data: { returnId: string; lines: ShipmentLine[]; now: string };
};
export type ReleaseReturnClaim = { type: 'ReleaseReturnClaim'; data: { returnId: string; now: string } };
export type RecordUnitsReturned = {
  type: 'RecordUnitsReturned';
  data: { returnId: string; lines: ShipmentLine[]; now: string };
};
export type OrderReturnCommand = ClaimReturnUnits | ReleaseReturnClaim | RecordUnitsReturned;

export function decideOrderReturn(command: OrderReturnCommand, state: OrderState): OrderEvent[] {
  if (state.status === 'none') throw orderNotFound('');
  const { returnId, now } = command.data;
  const known = state.returns?.[returnId];
  switch (command.type) {
    case 'ClaimReturnUnits': {
      if (known) return []; // claimed already (a retried write)
      for (const l of command.data.lines) {
        if (!state.lines.some((x) => x.sku === l.sku)) throw unknownLineSku(l.sku);
        const returnable = returnableOf(state, l.sku);
        if (l.quantity > returnable) throw quantityExceedsReturnable(l.sku, returnable, l.quantity);
      }
      return [{ type: 'OrderReturnRequested', data: { returnId, lines: command.data.lines, occurredAt: now } }];
    }
    case 'ReleaseReturnClaim':
      if (!known || known.status === 'rejected') return [];
      return [{ type: 'OrderReturnRejected', data: { returnId, occurredAt: now } }];
    case 'RecordUnitsReturned':
      if (!known || command.data.lines.length === 0) return [];
      return [{ type: 'OrderReturnReceived', data: { returnId, lines: command.data.lines, occurredAt: now } }];
  }
}

/** The order's stream seen by returns: the order's own state and evolve, the returns' commands. */
export const orderReturnsDecider: Decider<OrderReturnCommand, OrderEvent, OrderState> = {
  initialState: initialOrderState,
  decide: decideOrderReturn,
  evolve: evolveOrder,
};
